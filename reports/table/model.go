package table

import (
	"slices"
	"strings"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"
)

// Tables is the set of comparison tables built from some Results.
type Tables struct {
	Config Config   // with defaults applied
	Tables []*Table // sorted by table key, then unit order of appearance
	Units  benchfmt.UnitMetadataMap
	// FilterErrors are reasons benchproc's filter gave for rejecting results.
	FilterErrors []string
}

// Table compares the samples of one unit in one group (by default one
// configuration, or one benchmark family of one configuration) across
// columns. It matches one table of benchstat.
type Table struct {
	// Config is the file configuration the table key holds (all of
	// ".config" that is not ignored or projected elsewhere): results
	// that differ in it are never in one table, as in benchstat.
	Config []ConfigLine
	Group  string // the rest of the table key without the unit, e.g. "Size"
	Unit   string // tidied unit, e.g. "sec/op"
	Better int    // +1 higher is better, -1 lower is better, 0 unknown
	// Assumption is the unit's distribution assumption (Unit assume=).
	Assumption benchmath.Assumption
	Cols       []string // column labels; Cols[0] is the baseline
	Rows       []*Row   // ordered by name, then by numeric parameter
	Geomean    []*Geomean
	Warnings   []string // table-level notes, e.g. a missing baseline
}

// Section identifies the table's configuration and group: tables of one
// section differ only in unit.
func (t *Table) Section() string { return sectionID(t.Config, t.Group) }

func sectionID(config []ConfigLine, group string) string {
	return configID(group, config)
}

// Row is one row of a Table.
type Row struct {
	Key   string  // the row key's values as benchstat prints them, e.g. "*/size=10-2"
	Label string  // Key, tidied for display, e.g. "size=10"
	Name  string  // the benchmark's base name, e.g. "Size"
	Param []Param // the sub-name key=value parts of the row, without column keys
	Cells []*Cell // one per Table.Cols entry; nil where there is no data
}

// ParamValue returns the value of the row's parameter key.
func (r *Row) ParamValue(key string) (string, bool) { return paramValue(r.Param, key) }

// Cell is the sample of one row and column.
type Cell struct {
	Sample  *benchmath.Sample
	Summary benchmath.Summary
	// Comparison with the baseline cell of the same row; valid when
	// HasComparison (never for the baseline column itself).
	Comparison    benchmath.Comparison
	HasComparison bool
	Base          *Cell // the baseline cell, when HasComparison
	// Residue lists benchstat's "benchmarks vary in ..." warning when the
	// projection merged results that differ in other keys.
	Residue []error
}

// Warnings returns the cell's warnings in benchstat's order: sample,
// summary, comparison.
func (c *Cell) Warnings() []error {
	w := slices.Concat(c.Residue, c.Sample.Warnings, c.Summary.Warnings)
	if c.HasComparison {
		w = append(w, c.Comparison.Warnings...)
	}
	return w
}

// Significant reports whether the cell differs from its baseline at the
// table's alpha level; it is benchmath's own criterion behind "~".
func (c *Cell) Significant() bool {
	return c.HasComparison && c.Comparison.FormatDelta(c.Base.Summary.Center, c.Summary.Center) != "~"
}

// Geomean is the summary row entry of one column.
type Geomean struct {
	HasCenter bool
	Center    float64 // geometric mean of the column's centers
	HasRatio  bool
	Ratio     float64 // geometric mean of the ratios to the baseline
	Warnings  []error
}

// Sections returns the distinct sections (configuration and group) in
// table order, each with its tables in unit order.
func (ts *Tables) Sections() [][]*Table {
	var out [][]*Table
	index := map[string]int{}
	for _, t := range ts.Tables {
		i, ok := index[t.Section()]
		if !ok {
			i = len(out)
			index[t.Section()] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], t)
	}
	return out
}

// SectionTitle names a section for a reader: its group, followed by the
// configuration values that tell it apart from other sections, e.g.
// "Size" or "BenchmarkX · pkg: example.com/b".
func (ts *Tables) SectionTitle(t *Table) string {
	var parts []string
	if t.Group != "" {
		parts = append(parts, t.Group)
	}
	for _, l := range ts.varyingConfig(t) {
		parts = append(parts, l.Key+": "+l.Value)
	}
	if len(parts) == 0 {
		return "all benchmarks"
	}
	return strings.Join(parts, " · ")
}

// varyingConfig is t's configuration lines whose value differs in some
// other table.
func (ts *Tables) varyingConfig(t *Table) []ConfigLine {
	var out []ConfigLine
	for _, l := range t.Config {
		for _, o := range ts.Tables {
			if v := configValue(o.Config, l.Key); v != l.Value {
				out = append(out, l)
				break
			}
		}
	}
	return out
}

// ConfigValue returns the value of configuration key in the table's
// key, "" if the table has none.
func (t *Table) ConfigValue(key string) string { return configValue(t.Config, key) }

func configValue(lines []ConfigLine, key string) string {
	for _, l := range lines {
		if l.Key == key {
			return l.Value
		}
	}
	return ""
}
