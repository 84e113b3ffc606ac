package reports

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// report is the model both renderers walk, section by section.
type report struct {
	*Summary
	Title     string
	Generated time.Time
	groups    []groupView
}

func newReport(s *Summary, title string, generated time.Time) *report {
	r := &report{Summary: s, Title: title, Generated: generated}
	if r.Title == "" {
		r.Title = "Benchmark report"
	}
	r.groups = r.buildGroups()
	return r
}

// envView is the environment section: config keys by input.
type envView struct {
	Inputs []string   // input labels (columns)
	Rows   [][]string // key, then one value per input
}

// Env collects the inputs' configuration lines, one column per input.
func (r *report) Env() envView {
	var v envView
	var keys []string
	vals := map[string][]string{}
	for i, in := range r.Results.Inputs {
		v.Inputs = append(v.Inputs, fmt.Sprintf("%s (%d results)", in.Label, in.Count))
		for _, c := range in.Config {
			if _, ok := vals[c.Key]; !ok {
				keys = append(keys, c.Key)
				vals[c.Key] = make([]string, len(r.Results.Inputs))
			}
			vals[c.Key][i] = c.Value
		}
	}
	for _, k := range keys {
		v.Rows = append(v.Rows, append([]string{k}, vals[k]...))
	}
	return v
}

// HarnessInput reports whether the input came from the batchbench harness,
// whose families count one op as one item.
func (r *report) HarnessInput() bool {
	for _, in := range r.Results.Inputs {
		for _, c := range in.Config {
			if c.Key == "harness" {
				return true
			}
		}
	}
	return false
}

// BenchstatCommand is the stock CLI invocation that prints the same
// tables, for readers who want to check or dig further.
func (r *report) BenchstatCommand() string {
	c := r.Config
	col := c.Col
	if len(r.Tables.Tables) > 0 && !strings.ContainsAny(col, "@,") {
		col = fmt.Sprintf("%s@(%s)", col, strings.Join(quoteWords(allCols(r.Tables)), " "))
	}
	args := []string{"benchstat", "-table", c.Table, "-row", c.Row, "-col", shellQuote(col)}
	if c.Ignore != "" {
		args = append(args, "-ignore", shellQuote(c.Ignore))
	}
	if c.Filter != "*" {
		args = append(args, "-filter", shellQuote(c.Filter))
	}
	if c.Alpha != 0.05 {
		args = append(args, "-alpha", fmt.Sprint(c.Alpha))
	}
	for _, in := range r.Results.Inputs {
		arg := in.Path
		if in.Label != in.Path {
			arg = in.Label + "=" + in.Path
		}
		args = append(args, shellQuote(arg))
	}
	return strings.Join(args, " ")
}

// allCols lists column values across tables, baseline first.
func allCols(ts *Tables) []string {
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

// groupView is everything the report shows about one group (family).
type groupView struct {
	Name     string
	Verdict  *Verdict
	Tables   []tableView
	Plots    []PlotFile
	Profiles []*CellProfiles
	Diffs    []*CellDiff
}

// Groups returns the report's content by group (family).
func (r *report) Groups() []groupView { return r.groups }

// buildGroups orders the report by group: table groups first, then any
// group only profiles mention.
func (r *report) buildGroups() []groupView {
	var out []groupView
	index := map[string]int{}
	get := func(name string) *groupView {
		i, ok := index[name]
		if !ok {
			i = len(out)
			index[name] = i
			out = append(out, groupView{Name: name})
		}
		return &out[i]
	}
	for _, t := range r.Tables.Tables {
		g := get(t.Group)
		g.Tables = append(g.Tables, newTableView(t))
	}
	for i := range r.Verdicts {
		get(r.Verdicts[i].Group).Verdict = &r.Verdicts[i]
	}
	for _, p := range r.Plots {
		g := get(p.Group)
		g.Plots = append(g.Plots, p)
	}
	for _, c := range r.Profiles.Cells {
		g := get(c.Group)
		g.Profiles = append(g.Profiles, c)
	}
	for _, d := range r.Profiles.Diffs {
		g := get(d.Group)
		g.Diffs = append(g.Diffs, d)
	}
	return out
}

// HasProfiles reports whether any profile was summarised.
func (r *report) HasProfiles() bool { return len(r.Profiles.Cells) > 0 }

// profileCategories are the category columns of the profile overview.
func profileCategories() []category { return categories }
