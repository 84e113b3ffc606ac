package reports

import (
	"cmp"
	"fmt"
	"io"
	"strings"

	"github.com/batchbench/batchbench/reports/internal/md"

	"github.com/batchbench/batchbench/reports/plots"
	"github.com/batchbench/batchbench/reports/profiles"
)

// mdBudget keeps report.md under GitHub's 65536-character comment limit.
// The sections are always written; the per-profile detail tables are
// added while they fit and otherwise left to report.html.
const mdBudget = 60000

// markdown renders report.md: the same sections as report.html, for a
// pull-request comment, with the plots linked as relative PNG paths.
func (r *report) markdown(out io.Writer) error {
	var w strings.Builder
	groups := r.Sections()
	var head, tail strings.Builder
	r.mdHeader(&head)
	r.mdSummary(&head, groups)
	r.mdConformance(&head)
	r.mdTables(&head, groups)
	r.mdPlots(&head, groups)
	r.mdProfileOverview(&head, groups)
	r.mdEnvironment(&tail)
	r.mdWarnings(&tail)

	details := r.mdProfileDetails(groups)
	room := mdBudget - head.Len() - tail.Len()
	w.WriteString(head.String())
	omitted := 0
	for _, d := range details {
		if len(d) > room {
			omitted++
			continue
		}
		room -= len(d)
		w.WriteString(d)
	}
	if omitted > 0 {
		fmt.Fprintf(&w, "_%d profile detail block(s) omitted to fit a pull-request comment; see report.html._\n\n", omitted)
	}
	w.WriteString(tail.String())
	_, err := io.WriteString(out, w.String())
	return err
}

func (r *report) mdHeader(w *strings.Builder) {
	fmt.Fprintf(w, "# %s\n\n", r.Title)
	if d := r.Decision; d != nil {
		fmt.Fprintf(w, "**%s** %s\n\n", d.Headline(), d.Details())
		for _, a := range r.Advice {
			fmt.Fprintf(w, "> %s\n\n", a)
		}
		for _, b := range r.Regressions() {
			fmt.Fprintf(w, "- **%s**", md.Cell(b.Cell.String()))
			if len(b.Grown) > 0 {
				fmt.Fprintf(w, ": %s share grew in ", b.Profile)
				for i, fd := range b.Grown {
					if i > 0 {
						w.WriteString(", ")
					}
					fmt.Fprintf(w, "%s (%s)", md.Code(fd.Func), pctPoints(fd.FlatChange()))
				}
			}
			if b.Command != "" {
				fmt.Fprintf(w, " · %s", md.Code(b.Command))
			}
			if b.Flame != nil {
				fmt.Fprintf(w, " · [flame graph of the difference](%s)", r.flameLink(b.Flame))
			}
			w.WriteString("\n")
		}
		w.WriteString("\n")
	}
	fmt.Fprintf(w, "Generated %s · columns `%s`, baseline `%s` · α = %v · %d results\n\n",
		r.Generated.Format("2006-01-02 15:04 MST"), r.Config.Col, baselineCol(r), r.Config.Alpha, r.Results.Count)
	r.mdGate(w)
	r.mdEstimates(w)
}

// mdEnvironment lists the configurations the results came from: after
// the answer and its evidence.
func (r *report) mdEnvironment(w *strings.Builder) {
	w.WriteString("## Environment\n\n")
	env := r.Env()
	md.Row(w, append([]string{"key"}, env.Columns...)...)
	md.Align(w, "---", len(env.Columns), "---")
	for _, row := range env.Rows {
		cells := []string{md.Code(row[0])}
		for _, v := range row[1:] {
			cells = append(cells, md.Cell(v))
		}
		md.Row(w, cells...)
	}
	if r.HarnessInput() {
		w.WriteString("\nIn every batchbench family one op is one item: sec/op is time per item.\n")
	}
	fmt.Fprintf(w, "\nThe same tables with the stock CLI:\n\n```\n%s\n```\n\n", r.BenchstatCommand())
}

// mdGate lists every gated cell with what the gate made of it, and the
// smallest change it could resolve.
func (r *report) mdGate(w *strings.Builder) {
	g := r.Gate()
	if g == nil {
		return
	}
	w.WriteString("## Merge gate\n\n")
	w.WriteString(g.Note + "\n\n")
	md.Row(w, "cell", "unit", "base", "head", "Δ", "p", "n", "resolves", "gate")
	md.Align(w, "---", 8, "--:")
	for _, row := range g.Rows {
		status := row.Status
		if row.Class == "worse" {
			status = "**" + status + "**"
		}
		md.Row(w, md.Code(row.Cell), row.Unit, row.Base, row.Head, row.Delta, row.P, row.N, row.Resolves, status)
	}
	w.WriteString("\n")
}

// mdEstimates lists a paired gate's estimates at the report's confidence.
func (r *report) mdEstimates(w *strings.Builder) {
	e := r.Estimates()
	if e == nil {
		return
	}
	w.WriteString("## Paired estimates\n\n")
	w.WriteString(e.Note + "\n\n")
	md.Row(w, "cell", "unit", "n", "change", "interval")
	md.Align(w, "---", 4, "--:")
	for _, row := range e.Rows {
		md.Row(w, md.Code(row.Cell), row.Unit, row.N, row.Change, row.Interval)
	}
	w.WriteString("\n")
}

func (r *report) mdSummary(w *strings.Builder, groups []sectionView) {
	w.WriteString("## Summary\n\n")
	if b := warningBanner(&r.Warnings); b != "" {
		fmt.Fprintf(w, "> ⚠ %s (see Warnings)\n\n", b)
	}
	if len(r.Verdicts) == 0 {
		fmt.Fprintf(w, "Nothing to compare: every group has a single column (`%s`) or no unit with a known better direction.\n\n", r.Config.Col)
		return
	}
	for _, g := range groups {
		v := g.Verdict
		if v == nil {
			continue
		}
		fmt.Fprintf(w, "- **%s** (%s): %s\n", v.Title, v.Unit, v.Text)
		if v.Versus != "" {
			fmt.Fprintf(w, "  - %s\n", v.Versus)
		}
		for _, rv := range v.Rows {
			fmt.Fprintf(w, "  - %s\n", rv.String(v.Unit))
		}
	}
	w.WriteString("\n")
}

// warningBanner is the one-line count of the warnings a reader must see.
func warningBanner(ws *Warnings) string {
	var parts []string
	if n := len(ws.SelfCheck); n > 0 {
		parts = append(parts, fmt.Sprintf("%d self-check failure(s)", n))
	}
	if n := len(ws.Failed); n > 0 {
		parts = append(parts, fmt.Sprintf("%d failed cell(s)", n))
	}
	if n := len(ws.Noisy); n > 0 {
		parts = append(parts, fmt.Sprintf("%d noisy cell(s) (CV > %.0f%%)", n, NoiseThreshold*100))
	}
	if n := len(ws.Busy); n > 0 {
		parts = append(parts, fmt.Sprintf("busy machine during %d of %d runs", n, ws.Runs))
	}
	return strings.Join(parts, " · ")
}

func (r *report) mdTables(w *strings.Builder, groups []sectionView) {
	w.WriteString("## Tables\n\n")
	if len(r.Tables.Tables) == 0 {
		w.WriteString("No results: no benchmark result lines were read (see Warnings).\n\n")
		return
	}
	fmt.Fprintf(w, "Each cell: median ± the %s confidence interval. “vs base” compares with `%s`: a percentage when significant at α = %v, “~” when not. Superscripts are benchstat's warnings.\n\n", md.Percent(r.Config.Confidence), baselineCol(r), r.Config.Alpha)
	for _, g := range groups {
		if len(g.Tables) == 0 {
			continue
		}
		fmt.Fprintf(w, "### %s\n\n", g.Name)
		for _, t := range g.Tables {
			fmt.Fprintf(w, "**%s · %s**", t.Group, t.Unit)
			if m := plots.MetricTitle(t.Unit); m != "" {
				fmt.Fprintf(w, " — %s", m)
			}
			w.WriteString("\n\n")
			hdr := []string{""}
			for i, c := range t.Cols {
				hdr = append(hdr, md.Cell(c)+" "+t.Unit)
				if i > 0 {
					hdr = append(hdr, "vs base")
				}
			}
			md.Row(w, hdr...)
			md.Align(w, "---", len(hdr)-1, "--:")
			rows := t.Rows
			if t.Geomean != nil {
				rows = append(rows, *t.Geomean)
			}
			for _, row := range rows {
				cells := []string{md.Code(row.Label)}
				if row.Label == "geomean" && t.Geomean != nil {
					cells[0] = "**geomean**"
				}
				for i, c := range row.Cells {
					center := c.Center
					if c.Range != "" {
						center += " ± " + c.Range
					}
					if m := c.NoteMarks(); m != "" {
						center += " " + m
					}
					cells = append(cells, md.Cell(center))
					if i > 0 {
						d := c.Delta
						if c.P != "" {
							d += " (" + c.P + ")"
						}
						if c.Class == "better" || c.Class == "worse" {
							d = "**" + d + "**"
						}
						cells = append(cells, md.Cell(d))
					}
				}
				md.Row(w, cells...)
			}
			w.WriteString("\n")
			for i, n := range t.Notes {
				fmt.Fprintf(w, "%s %s  \n", superscript(i+1), n)
			}
			for _, n := range t.Warnings {
				fmt.Fprintf(w, "⚠ %s  \n", n)
			}
			w.WriteString("\n")
		}
	}
}

func (r *report) mdPlots(w *strings.Builder, groups []sectionView) {
	w.WriteString("## Plots\n\n")
	any := false
	for _, g := range groups {
		if len(g.Plots) == 0 {
			continue
		}
		any = true
		fmt.Fprintf(w, "### %s\n\n", g.Name)
		for _, p := range g.Plots {
			fmt.Fprintf(w, "![%s](%s)  \n<sub>%s · [SVG](%s)</sub>\n\n", p.Title, p.PNG, strings.Join(p.Notes, " · "), p.SVG)
		}
	}
	if !any {
		w.WriteString("No plots: no group varies in a parameter.\n\n")
	}
}

func (r *report) mdProfileOverview(w *strings.Builder, groups []sectionView) {
	w.WriteString("## Profiles\n\n")
	if !r.HasProfiles() {
		w.WriteString(r.NoProfiles() + "\n\n")
		return
	}
	w.WriteString("Shares of each profile's total, flat / cum (flat: the sampled code is in the category, disjoint; cum: the category is on the stack).")
	for _, c := range profiles.Categories() {
		fmt.Fprintf(w, " **%s**: %s.", c.Name, c.Desc)
	}
	w.WriteString(" **other**: everything else.\n\n")
	for _, g := range groups {
		if len(g.Profiles) == 0 {
			continue
		}
		fmt.Fprintf(w, "### %s\n\n", g.Name)
		hdr := []string{"", "", "CPU total"}
		for _, c := range profiles.Categories() {
			hdr = append(hdr, c.Name)
		}
		hdr = append(hdr, "other", "heap allocated", "top allocator")
		md.Row(w, hdr...)
		md.Align(w, "---", len(hdr)-1, "--:")
		for _, p := range g.Profiles {
			cells := []string{md.Code(p.Row), md.Cell(p.Col)}
			if s := p.CPU; s != nil {
				cells = append(cells, s.FormatValue(s.Total))
				for _, c := range s.Categories {
					cells = append(cells, share2(c.Flat, c.Cum))
				}
				cells = append(cells, pct(s.Other))
			} else {
				cells = append(cells, "no CPU profile")
				for range len(profiles.Categories()) + 1 {
					cells = append(cells, "")
				}
			}
			if s := p.Heap; s != nil && len(s.Flat) > 0 {
				cells = append(cells, s.FormatValue(s.Total), md.Code(profiles.ShortFunc(s.Flat[0].Func))+" "+pct(s.Flat[0].Share))
			} else {
				cells = append(cells, "", "")
			}
			md.Row(w, cells...)
		}
		w.WriteString("\n")
		r.mdFlameLinks(w, g.ID)
	}
}

// mdFlameLinks links a section's flame graphs in report.html, which
// draws them; a pull-request comment cannot.
func (r *report) mdFlameLinks(w *strings.Builder, section string) {
	cols := r.Flames(section)
	if len(cols) == 0 {
		return
	}
	w.WriteString("Flame graphs, in the report artifact's report.html:")
	for i, c := range cols {
		if i > 0 {
			w.WriteString(";")
		}
		fmt.Fprintf(w, " %s", md.Cell(c.Name))
		for j, g := range c.Graphs {
			sep := " "
			if j > 0 {
				sep = ", "
			}
			fmt.Fprintf(w, "%s[%s](%s)", sep, md.Cell(g.Title), r.flameLink(g))
		}
	}
	w.WriteString(".\n\n")
}

// mdProfileDetails renders the optional detail blocks, most useful first:
// every group's diffs against the baseline, then per-cell top functions.
func (r *report) mdProfileDetails(groups []sectionView) []string {
	var out []string
	for _, g := range groups {
		for _, d := range g.Diffs {
			if d.CPU == nil {
				continue
			}
			var b strings.Builder
			fmt.Fprintf(&b, "<details><summary>%s %s: %s vs %s (CPU)</summary>\n\n", g.Name, d.Row, d.Head, d.Base)
			mdDiff(&b, d.CPU)
			if d.Heap != nil {
				b.WriteString("Heap (bytes allocated):\n\n")
				mdDiff(&b, d.Heap)
			}
			b.WriteString("</details>\n\n")
			out = append(out, b.String())
		}
	}
	for _, g := range groups {
		for _, p := range g.Profiles {
			var b strings.Builder
			fmt.Fprintf(&b, "<details><summary>%s %s · %s: top functions</summary>\n\n", g.Name, p.Row, p.Col)
			for _, s := range []*profiles.Summary{p.CPU, p.Heap} {
				if s == nil {
					continue
				}
				fmt.Fprintf(&b, "%s, total %s:\n\n```\n%s\n```\n\n", s.SampleType, s.FormatValue(s.Total), s.Command)
				md.Row(&b, "flat", "function", "cum", "function")
				md.Align(&b, "--:", 3, "---")
				for i := range max(len(s.Flat), len(s.Cum)) {
					cells := []string{"", "", "", ""}
					if i < len(s.Flat) {
						cells[0], cells[1] = pct(s.Flat[i].Share), md.Code(profiles.ShortFunc(s.Flat[i].Func))
					}
					if i < len(s.Cum) {
						cells[2], cells[3] = pct(s.Cum[i].Share), md.Code(profiles.ShortFunc(s.Cum[i].Func))
					}
					md.Row(&b, cells...)
				}
				b.WriteString("\n")
			}
			b.WriteString("</details>\n\n")
			out = append(out, b.String())
		}
	}
	return out
}

func mdDiff(w *strings.Builder, d *profiles.Diff) {
	if d.Command != "" {
		fmt.Fprintf(w, "```\n%s\n```\n\n", d.Command)
	}
	md.Row(w, "function", "base flat", "head flat", "Δ flat", "base cum", "head cum", "Δ cum")
	md.Align(w, "---", 6, "--:")
	for _, f := range d.Funcs {
		md.Row(w, md.Code(profiles.ShortFunc(f.Func)), pct(f.BaseFlat), pct(f.HeadFlat), pctPoints(f.FlatChange()),
			pct(f.BaseCum), pct(f.HeadCum), pctPoints(f.CumChange()))
	}
	w.WriteString("\n")
}

func (r *report) mdWarnings(w *strings.Builder) {
	ws := &r.Warnings
	w.WriteString("## Warnings\n\n")
	if ws.Empty() {
		w.WriteString("None.\n")
		return
	}
	list := func(title string, items []string) {
		if len(items) == 0 {
			return
		}
		fmt.Fprintf(w, "**%s**\n\n", title)
		for _, it := range items {
			fmt.Fprintf(w, "- %s\n", it)
		}
		w.WriteString("\n")
	}
	var sc, failed, noisy, bs []string
	for _, f := range ws.SelfCheck {
		sc = append(sc, md.Code(f.Benchmark)+": "+f.Reason)
	}
	for _, f := range ws.Failed {
		failed = append(failed, md.Code(f.Benchmark)+": "+cmp.Or(f.Reason, "no reason given"))
	}
	for _, n := range ws.Noisy {
		noisy = append(noisy, n.String())
	}
	for _, b := range ws.Benchstat {
		bs = append(bs, fmt.Sprintf("%s — %d cell(s), e.g. %s", b.Text, len(b.Cells), b.Cells[0]))
	}
	list("Self-check failures: the cell did not run what its name claims", sc)
	list("Failed cells", failed)
	list(fmt.Sprintf("Noisy cells (coefficient of variation > %.0f%%)", NoiseThreshold*100), noisy)
	list("benchstat warnings", bs)
	if b := ws.BusyLine(); b != "" {
		list("Busy machine", []string{b})
	}
	list("Unparsed lines", ws.Syntax)
	list("Excluded results: values no benchmark can measure", ws.Excluded)
	list("Other", ws.Other)
}
