package trend

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/batchbench/batchbench/internal/atomicfile"
	"github.com/batchbench/batchbench/internal/history"
	"github.com/batchbench/batchbench/reports/gate"
	"github.com/batchbench/batchbench/reports/plots"
)

// Write renders outDir/trend.md and one PNG per family, metric and method
// in outDir/plots: for unpaired series each cell's median over the entries
// with its 95% interval; for paired series each cell's level, the
// cumulative product of its ratios, with its band; the flagged commits
// ringed. It returns the Markdown's path.
func Write(tr *Trend, outDir string) (string, error) {
	groups := groupSeries(tr.Series)
	if err := writeCharts(tr, groups, outDir); err != nil {
		return "", err
	}
	path := filepath.Join(outDir, "trend.md")
	return path, atomicfile.WriteFile(path, []byte(markdown(tr, groups)))
}

// A chartGroup is the series drawn on one chart: one family's metric,
// judged by one method.
type chartGroup struct {
	title  string
	method Method
	series []*Series
}

// png is the chart's path relative to the output directory.
func (g *chartGroup) png() string { return "plots/" + plots.Slug(g.title) + ".png" }

// groupSeries puts the series on their charts, paired charts first: they
// are the ones to trust.
func groupSeries(series []*Series) []*chartGroup {
	var groups []*chartGroup
	byKey := map[string]*chartGroup{}
	for _, s := range series {
		k := s.Group + " · " + s.Unit
		if s.Method == Paired {
			k += " · paired level"
		}
		g := byKey[k]
		if g == nil {
			g = &chartGroup{title: k, method: s.Method}
			byKey[k] = g
			groups = append(groups, g)
		}
		g.series = append(g.series, s)
	}
	slices.SortStableFunc(groups, func(a, b *chartGroup) int { return int(b.method) - int(a.method) })
	return groups
}

// writeCharts draws every group's chart into outDir/plots.
func writeCharts(tr *Trend, groups []*chartGroup, outDir string) error {
	if err := os.MkdirAll(filepath.Join(outDir, "plots"), 0o755); err != nil {
		return err
	}
	flagged := map[*Series]map[int]bool{}
	for _, sp := range tr.Suspects {
		if flagged[sp.Series] == nil {
			flagged[sp.Series] = map[int]bool{}
		}
		flagged[sp.Series][sp.At.Entry] = true
	}
	for _, g := range groups {
		draw := chart
		if g.method == Paired {
			draw = levelChart
		}
		if err := draw(g.title, tr.Entries, g.series, flagged, filepath.Join(outDir, g.png())); err != nil {
			return err
		}
	}
	return nil
}

// markdown is trend.md: how each series was judged, the suspects, the
// cumulative changes, and the charts.
func markdown(tr *Trend, groups []*chartGroup) string {
	count := map[Method]int{}
	for _, s := range tr.Series {
		count[s.Method]++
	}
	pairedEntries := 0
	for _, e := range tr.Entries {
		if e.Paired() {
			pairedEntries++
		}
	}
	th := fmt.Sprintf("%.3g%%", tr.Options.Threshold*100)

	var b strings.Builder
	fmt.Fprintf(&b, "# Trend over %d commits\n\n", len(tr.Entries))
	fmt.Fprintf(&b, "%d paired entries (each commit measured against its reference, A B A B on one machine), %d unpaired (plain runs).\n\n",
		pairedEntries, len(tr.Entries)-pairedEntries)
	b.WriteString("## How each series was judged\n\n")
	if count[Paired] > 0 {
		fmt.Fprintf(&b, "- **Paired** (%d series): each entry gives head/base, benchseries' bootstrapped ratio of the medians with its interval. "+
			"A change point is an entry whose interval excludes 1 and whose ratio moved by at least %s, in %s; "+
			"α = %v is shared among a cell's k judged metrics, each judged at 1 − α/k (%s for 4), "+
			"so an entry of identical builds flags a cell with probability at most α. "+
			"The machine's drift between entries hits base and head alike and cancels. "+
			"The level drawn is the product of the ratios so far, relative to the first entry's base, "+
			"with a 95%% band that combines the entries' intervals (log scale, in quadrature); it shows a creep that no single entry flags.\n",
			count[Paired], th, strings.Join(gate.Units, ", "), tr.Options.Alpha, pct(1-tr.Options.Alpha/4))
	}
	if count[Unpaired] > 0 {
		fmt.Fprintf(&b, "- **Unpaired** (%d series): medians pooled over windows of up to %d commits before and after each commit; "+
			"a change point is where their 95%% intervals stop overlapping (benchseries' change score ≥ 1) and the median moved by at least %s. "+
			"**Unpaired series are exposed to machine drift**: their entries were measured at different times, so a machine that ran 10%% slower "+
			"during one entry shows as a change of the code. File paired entries (a compare's directory) to remove it.\n",
			count[Unpaired], poolWindow, th)
	}
	b.WriteString("\n")
	writeSuspects(&b, tr, th)
	if count[Paired] > 0 {
		writeCreeps(&b, tr, th)
	}
	b.WriteString("## Series\n\n")
	for _, g := range groups {
		fmt.Fprintf(&b, "![%s](%s)\n\n", g.title, g.png())
		if g.method == Paired {
			b.WriteString("Paired: the level, head/base multiplied over the entries, relative to the first entry's base (1 = unchanged), with its 95% band; " +
				"after a gap the line breaks and the level starts again from the gap's base.\n\n")
		} else {
			b.WriteString("Unpaired (exposed to machine drift): each entry's median with its 95% interval.\n\n")
		}
	}
	return b.String()
}

// writeSuspects lists the change points, a row per cell, commit and unit.
func writeSuspects(b *strings.Builder, tr *Trend, th string) {
	if len(tr.Suspects) == 0 {
		fmt.Fprintf(b, "No change point: no cell moved by %s or more with confidence.\n\n", th)
		return
	}
	fmt.Fprintf(b, "## Suspect commits (%d)\n\n", len(Lines(tr.Suspects)))
	b.WriteString("Each cell and commit is one line of the trend's stdout; the rows are its metrics.\n\n")
	b.WriteString("| commit | date | cell | unit | method | change | evidence |\n|---|---|---|---|---|--:|---|\n")
	for _, sp := range tr.Suspects {
		ev := fmt.Sprintf("score %.2f over %d commits each side", sp.Score, poolWindow)
		if sp.Series.Method == Paired {
			ev = fmt.Sprintf("%s CI %+.1f%% to %+.1f%% against `%s`%s (n=%d+%d)", pct(sp.At.Judged.Confidence), sp.Lo*100, sp.Hi*100, sp.At.Base, spanNote(sp.At), sp.At.BaseN, sp.At.HeadN)
		}
		fmt.Fprintf(b, "| `%s` | %s | `%s` | %s | %s | %+.1f%% | %s |\n", sp.At.Commit, sp.At.Date, sp.Series.Cell, sp.Series.Unit,
			sp.Series.Method, sp.Change*100, ev)
	}
	b.WriteString("\n")
}

// writeCreeps lists the stretches of paired levels that moved, and the
// chain of pairs they multiply along.
func writeCreeps(b *strings.Builder, tr *Trend, th string) {
	b.WriteString("## Cumulative change (paired)\n\n")
	if len(tr.Creeps) == 0 {
		fmt.Fprintf(b, "No paired series' level moved by %s or more with its band excluding 1.\n\n", th)
	} else {
		fmt.Fprintf(b, "%d stretches of paired series moved by %s or more, the level's 95%% band excluding 1; "+
			"a creep is one with few or no flagged steps. A stretch runs from the first entry, or a gap, to the next gap.\n\n", len(tr.Creeps), th)
		b.WriteString("| cell | unit | level | 95% band | from → to | entries | flagged | largest step |\n|---|---|--:|---|---|--:|--:|--:|\n")
		for _, c := range tr.Creeps {
			fmt.Fprintf(b, "| `%s` | %s | %+.1f%% | %+.1f%% to %+.1f%% | `%s` → `%s` | %d | %d | %+.1f%% |\n", c.Series.Cell, c.Series.Unit,
				c.Level*100, c.Lo*100, c.Hi*100, c.From, c.To, c.Steps, c.Flagged, c.Largest*100)
		}
		b.WriteString("\n")
	}
	writeChain(b, tr)
}

// newChart is a plot with one tick per entry, labelled by commit.
func newChart(title string, entries []history.Entry) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "commit"
	p.Add(plotter.NewGrid())
	ticks := make(plot.ConstantTicks, len(entries))
	step := (len(entries) + 11) / 12
	for i, e := range entries {
		ticks[i] = plot.Tick{Value: float64(i)}
		if i%step == 0 {
			ticks[i].Label = history.Short(e.Commit)
			if len(ticks[i].Label) > 7 {
				ticks[i].Label = ticks[i].Label[:7]
			}
		}
	}
	p.X.Tick.Marker = ticks
	p.X.Min, p.X.Max = -0.5, float64(len(entries))-0.5
	p.Legend.Top = true
	return p
}

// addSeries draws one series, or one stretch of it: a line through ys,
// error bars from lo to hi, the flagged entries ringed, and, with legend,
// the series' legend entry.
func addSeries(p *plot.Plot, k int, s *Series, xs []float64, ys, lo, hi []float64, flagged map[int]bool, legend bool) error {
	col := plots.Palette[k%len(plots.Palette)]
	var xys plotter.XYs
	var errs plotter.YErrors
	var rings plotter.XYs
	for i, x := range xs {
		xys = append(xys, plotter.XY{X: x, Y: ys[i]})
		errs = append(errs, struct{ Low, High float64 }{ys[i] - lo[i], hi[i] - ys[i]})
		if flagged[int(x)] {
			rings = append(rings, plotter.XY{X: x, Y: ys[i]})
		}
	}
	line, bars, err := plots.LineWithBars(xys, errs, col)
	if err != nil {
		return err
	}
	p.Add(line, bars)
	if legend {
		p.Legend.Add(s.Cell, line)
	}
	if len(rings) > 0 {
		r, err := plotter.NewScatter(rings)
		if err != nil {
			return err
		}
		r.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(7), Shape: draw.RingGlyph{}}
		p.Add(r)
	}
	return nil
}

// chart draws unpaired series: medians from 0 up, with their intervals.
func chart(title string, entries []history.Entry, series []*Series, flagged map[*Series]map[int]bool, path string) error {
	p := newChart(title, entries)
	p.Y.Min = 0
	for k, s := range series {
		var xs, ys, lo, hi []float64
		for _, pt := range s.Points {
			l, h := pt.Lo, pt.Hi
			if pt.Inf {
				l, h = slices.Min(pt.Values), slices.Max(pt.Values)
			}
			xs, ys, lo, hi = append(xs, float64(pt.Entry)), append(ys, pt.Center), append(lo, l), append(hi, h)
			p.Y.Max = math.Max(p.Y.Max, h*1.05)
		}
		if err := addSeries(p, k, s, xs, ys, lo, hi, flagged[s], true); err != nil {
			return err
		}
	}
	return save(p, path)
}

// levelChart draws paired series: each cell's level with its band, and
// the line of no change at 1.
func levelChart(title string, entries []history.Entry, series []*Series, flagged map[*Series]map[int]bool, path string) error {
	p := newChart(title, entries)
	p.Y.Label.Text = "level (× the first base)"
	p.Y.Min, p.Y.Max = 1, 1
	for k, s := range series {
		// One line per stretch: a level does not continue across a gap.
		legend := true
		for _, st := range stretches(s) {
			var xs, ys, lo, hi []float64
			for _, pt := range st {
				if math.IsNaN(pt.Level) {
					continue
				}
				xs, ys, lo, hi = append(xs, float64(pt.Entry)), append(ys, pt.Level), append(lo, pt.LevelLo), append(hi, pt.LevelHi)
				p.Y.Min, p.Y.Max = math.Min(p.Y.Min, pt.LevelLo), math.Max(p.Y.Max, pt.LevelHi)
			}
			if len(xs) == 0 {
				continue
			}
			if err := addSeries(p, k, s, xs, ys, lo, hi, flagged[s], legend); err != nil {
				return err
			}
			legend = false
		}
	}
	pad := math.Max(0.02, (p.Y.Max-p.Y.Min)*0.1)
	p.Y.Min, p.Y.Max = math.Max(0, p.Y.Min-pad), p.Y.Max+pad
	one, err := plotter.NewLine(plotter.XYs{{X: p.X.Min, Y: 1}, {X: p.X.Max, Y: 1}})
	if err != nil {
		return err
	}
	one.Color, one.Dashes = plots.Palette[6], []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(one)
	return save(p, path)
}

func save(p *plot.Plot, path string) error {
	return plots.WritePNG(path, 8*vg.Inch, 4*vg.Inch, p.Draw)
}
