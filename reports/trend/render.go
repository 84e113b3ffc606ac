package trend

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/batchbench/batchbench/internal/atomicfile"
	"github.com/batchbench/batchbench/reports/plots"
)

// Write renders outDir/trend.md and one PNG per family and metric in
// outDir/plots: each cell's median over the entries with its 95% interval,
// the flagged commits ringed. It returns the Markdown's path.
func Write(entries []Entry, series []*Series, suspects []Suspect, outDir string) (string, error) {
	if err := os.MkdirAll(filepath.Join(outDir, "plots"), 0o755); err != nil {
		return "", err
	}
	var groups []string
	byGroup := map[string][]*Series{}
	for _, s := range series {
		k := s.Group + " · " + s.Unit
		if _, ok := byGroup[k]; !ok {
			groups = append(groups, k)
		}
		byGroup[k] = append(byGroup[k], s)
	}
	flagged := map[*Series]map[int]bool{}
	for _, sp := range suspects {
		if flagged[sp.Series] == nil {
			flagged[sp.Series] = map[int]bool{}
		}
		flagged[sp.Series][sp.At.Entry] = true
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Trend over %d commits\n\n", len(entries))
	if len(suspects) == 0 {
		b.WriteString("No change point: no cell's median moved so that the 95% intervals of the commits before and after stop overlapping.\n\n")
	} else {
		fmt.Fprintf(&b, "## Suspect commits (%d)\n\n", len(suspects))
		b.WriteString("A suspect is a commit after which a cell's level shifted: the 95% intervals of its median over the commits before and after do not overlap (benchseries' change score ≥ 1, windows of up to 3 commits).\n\n")
		b.WriteString("| commit | date | cell | unit | change | score |\n|---|---|---|---|--:|--:|\n")
		for _, sp := range suspects {
			fmt.Fprintf(&b, "| `%s` | %s | `%s` | %s | %+.1f%% | %.2f |\n", sp.At.Commit, sp.At.Date, sp.Series.Cell, sp.Series.Unit, sp.Change*100, sp.Score)
		}
		b.WriteString("\n")
	}
	b.WriteString("## Series\n\n")
	for _, g := range groups {
		png := "plots/" + slug(g) + ".png"
		if err := chart(g, entries, byGroup[g], flagged, filepath.Join(outDir, png)); err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "![%s](%s)\n\n", g, png)
	}
	path := filepath.Join(outDir, "trend.md")
	return path, atomicfile.WriteFile(path, []byte(b.String()))
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

func slug(s string) string {
	return strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(s), "-"), "-")
}

func chart(title string, entries []Entry, series []*Series, flagged map[*Series]map[int]bool, path string) error {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "commit"
	p.Add(plotter.NewGrid())
	ticks := make(plot.ConstantTicks, len(entries))
	step := (len(entries) + 11) / 12
	for i, e := range entries {
		ticks[i] = plot.Tick{Value: float64(i)}
		if i%step == 0 {
			ticks[i].Label = short(e.Commit)
			if len(ticks[i].Label) > 7 {
				ticks[i].Label = ticks[i].Label[:7]
			}
		}
	}
	p.X.Tick.Marker = ticks
	p.X.Min, p.X.Max = -0.5, float64(len(entries))-0.5
	p.Y.Min = 0
	for k, s := range series {
		col := plots.Palette[k%len(plots.Palette)]
		var xys plotter.XYs
		var errs plotter.YErrors
		var rings plotter.XYs
		for _, pt := range s.Points {
			lo, hi := pt.Lo, pt.Hi
			if pt.Inf {
				lo, hi = slices.Min(pt.Values), slices.Max(pt.Values)
			}
			xys = append(xys, plotter.XY{X: float64(pt.Entry), Y: pt.Center})
			errs = append(errs, struct{ Low, High float64 }{pt.Center - lo, hi - pt.Center})
			p.Y.Max = math.Max(p.Y.Max, hi*1.05)
			if flagged[s][pt.Entry] {
				rings = append(rings, plotter.XY{X: float64(pt.Entry), Y: pt.Center})
			}
		}
		line, err := plotter.NewLine(xys)
		if err != nil {
			return err
		}
		line.Color, line.Width = col, vg.Points(1.5)
		bars, err := plotter.NewYErrorBars(struct {
			plotter.XYs
			plotter.YErrors
		}{xys, errs})
		if err != nil {
			return err
		}
		bars.Color = col
		p.Add(line, bars)
		p.Legend.Add(s.Cell, line)
		if len(rings) > 0 {
			r, err := plotter.NewScatter(rings)
			if err != nil {
				return err
			}
			r.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(7), Shape: draw.RingGlyph{}}
			p.Add(r)
		}
	}
	p.Legend.Top = true
	img := vgimg.NewWith(vgimg.UseWH(8*vg.Inch, 4*vg.Inch), vgimg.UseDPI(150))
	p.Draw(draw.New(img))
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
		return err
	})
}
