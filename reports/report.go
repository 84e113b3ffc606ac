package reports

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/batchbench/batchbench/internal/runconfig"
	"github.com/batchbench/batchbench/reports/internal/shellquote"
	"github.com/batchbench/batchbench/reports/plots"
	"github.com/batchbench/batchbench/reports/profiles"
	"github.com/batchbench/batchbench/reports/table"
)

// report is the model both renderers walk, section by section.
type report struct {
	*Summary
	Title     string
	Generated time.Time
	sections  []sectionView
	// flames and regressions are drawn once, for both renderers.
	flames      flameGraphs
	regressions []regression
}

func newReport(s *Summary, title string, generated time.Time) *report {
	r := &report{Summary: s, Title: title, Generated: generated}
	if r.Title == "" {
		r.Title = "Benchmark report"
	}
	r.sections = r.buildSections()
	r.buildFlames()
	return r
}

// envView is the environment section: one column per distinct
// configuration of an input.
type envView struct {
	Columns []string   // "label (N results)"
	Rows    [][]string // key, then one value per column
}

// Env lists every distinct configuration the results came from, so a
// reader sees what differs between inputs, packages and machines. Keys
// the tables ignore are marked.
func (r *report) Env() envView {
	var v envView
	var keys []string
	vals := map[string][]string{}
	perInput := map[string]int{}
	for _, c := range r.Results.Configs {
		perInput[c.Input]++
	}
	seen := map[string]int{}
	for i, c := range r.Results.Configs {
		label := c.Input
		if perInput[c.Input] > 1 {
			seen[c.Input]++
			label = fmt.Sprintf("%s #%d", c.Input, seen[c.Input])
		}
		v.Columns = append(v.Columns, fmt.Sprintf("%s (%d results)", label, c.Results))
		for _, l := range c.Lines {
			if _, ok := vals[l.Key]; !ok {
				keys = append(keys, l.Key)
				vals[l.Key] = make([]string, len(r.Results.Configs))
			}
			vals[l.Key][i] = l.Value
		}
	}
	ignored := strings.Split(r.Config.Ignore, ",")
	for _, k := range keys {
		label := k
		if slices.Contains(ignored, k) {
			label += " (ignored)"
		}
		v.Rows = append(v.Rows, append([]string{label}, vals[k]...))
	}
	return v
}

// HarnessInput reports whether the input came from the batchbench harness,
// whose families count one op as one item.
func (r *report) HarnessInput() bool { return r.Results.HasConfigKey(runconfig.Harness) }

// BenchstatCommand is the stock CLI invocation that prints the same
// tables, for readers who want to check or dig further.
func (r *report) BenchstatCommand() string {
	c := r.Config
	col := c.Col
	if len(r.Tables.Tables) > 0 && !strings.ContainsAny(col, "@,") {
		col = fmt.Sprintf("%s@(%s)", col, strings.Join(quoteWords(allCols(r.Tables)), " "))
	}
	args := []string{"benchstat", "-table", c.Table, "-row", c.Row, "-col", col}
	if c.Ignore != "" {
		args = append(args, "-ignore", c.Ignore)
	}
	if c.Filter != "*" {
		args = append(args, "-filter", c.Filter)
	}
	if c.Alpha != 0.05 {
		args = append(args, "-alpha", fmt.Sprint(c.Alpha))
	}
	for _, in := range r.Results.Inputs {
		arg := in.Path
		if in.Label != in.Path {
			arg = in.Label + "=" + in.Path
		}
		args = append(args, arg)
	}
	return shellquote.Join(args...)
}

// allCols lists column values across tables, baseline first.
func allCols(ts *table.Tables) []string {
	var out []string
	for _, t := range ts.Tables {
		for _, c := range t.Cols {
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out
}

// quoteWords quotes values for a benchproc fixed-order list.
func quoteWords(ws []string) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w
		if strings.ContainsAny(w, " ():@,\"") || w == "" {
			out[i] = fmt.Sprintf("%q", w)
		}
	}
	return out
}

// sectionView is everything the report shows about one section: a
// benchmark family (or, for foreign input, all benchmarks) of one
// configuration.
type sectionView struct {
	ID       string // table.Table.Section
	Name     string // for a reader, e.g. "Size" or "BenchmarkX · pkg: b"
	Verdict  *Verdict
	Tables   []tableView
	Plots    []plots.File
	Profiles []*profiles.Cell
	Diffs    []*profiles.CellDiff
}

// Sections returns the report's content by section.
func (r *report) Sections() []sectionView { return r.sections }

// buildSections orders the report by section: table sections first, then
// any section only profiles mention.
func (r *report) buildSections() []sectionView {
	var out []sectionView
	index := map[string]int{}
	get := func(id, name string) *sectionView {
		i, ok := index[id]
		if !ok {
			i = len(out)
			index[id] = i
			out = append(out, sectionView{ID: id, Name: name})
		}
		return &out[i]
	}
	for _, t := range r.Tables.Tables {
		sv := get(t.Section(), r.Tables.SectionTitle(t))
		sv.Tables = append(sv.Tables, newTableView(t, sv.Name))
	}
	for i := range r.Verdicts {
		v := &r.Verdicts[i]
		get(v.Section, v.Title).Verdict = v
	}
	for _, p := range r.Plots {
		sv := get(p.Section, p.Group)
		sv.Plots = append(sv.Plots, p)
	}
	for _, c := range r.Profiles.Cells {
		sv := get(c.Section(), c.Group)
		sv.Profiles = append(sv.Profiles, c)
	}
	for _, d := range r.Profiles.Diffs {
		sv := get(d.Section, d.Group)
		sv.Diffs = append(sv.Diffs, d)
	}
	return out
}

// NoProfiles says why the report has no profiles.
func (r *report) NoProfiles() string {
	if d := r.Decision; d != nil && len(d.Regressed) == 0 && r.HarnessInput() {
		return "No profiles: a compare profiles only the cells that block, and none did."
	}
	return "No profiles: no profile index (profiles/index.json) was given or found next to the inputs."
}

// HasProfiles reports whether any profile was summarised.
func (r *report) HasProfiles() bool { return len(r.Profiles.Cells) > 0 }
