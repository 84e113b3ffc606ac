package profiles

import (
	"os"
	"path/filepath"

	"github.com/batchbench/batchbench/internal/profindex"
	"github.com/batchbench/batchbench/reports/table"
)

// Cell are the summarised profiles of one benchmark cell, placed where
// the cell sits in the tables.
type Cell struct {
	Benchmark string
	table.Place
	Impl      string
	CPU, Heap *Summary // nil when absent or unreadable
}

// CellDiff compares a column's profiles with the baseline column's at the
// same place (two implementations, or base and head).
type CellDiff struct {
	Section, Group, Row string // Section as table.Table.Section
	Base, Head          string // columns
	CPU, Heap           *Diff  // nil when either side lacks the profile
}

// Set is every profile of a report.
type Set struct {
	Cells []*Cell // in index order, inputs in order
	Diffs []*CellDiff
	// Errors are profiles that could not be read or index entries that
	// were refused; they do not stop the report.
	Errors []string
}

// Load summarises the profiles listed in dirs[i]/index.json for
// res.Inputs[i] ("" skips an input) and pairs every non-baseline column
// with the baseline column at the same place, placing cells with the
// tables' projections (cfg), so pairs follow Col and Baseline:
// implementations for Col "/impl", base and head for Col ".file".
// cfg.Filter is not applied to profiles. Paths in an index are confined
// to its directory (see profindex.Resolve); a refused entry is an error
// naming its cell, and that profile is skipped.
func Load(res *table.Results, dirs []string, cfg table.Config) (*Set, error) {
	loc, err := cfg.Locator()
	if err != nil {
		return nil, err
	}
	set := &Set{}
	type place struct{ section, row string }
	cols := map[place]map[string]*Cell{}
	var places []place
	for i, dir := range dirs {
		if dir == "" || i >= len(res.Inputs) {
			continue
		}
		idx, err := profindex.Read(dir)
		if err != nil {
			set.Errors = append(set.Errors, err.Error())
			continue
		}
		in := res.Inputs[i]
		for _, e := range idx.Cells {
			cp := &Cell{Benchmark: e.Benchmark, Impl: e.Impl, Place: loc.Locate(in, e.Benchmark)}
			cp.CPU = set.summarize(dir, e.Benchmark, e.CPU, e.Impl)
			cp.Heap = set.summarize(dir, e.Benchmark, e.Heap, e.Impl)
			set.Cells = append(set.Cells, cp)
			pl := place{cp.Section(), cp.Row}
			if cols[pl] == nil {
				cols[pl] = map[string]*Cell{}
				places = append(places, pl)
			}
			cols[pl][cp.Col] = cp
		}
	}

	baseline := cfg.WithDefaults().Baseline
	for _, pl := range places {
		base := cols[pl][baseline]
		if base == nil { // like the tables: no baseline here, use the first column
			base = firstAt(set.Cells, pl.section, pl.row)
		}
		for _, cp := range set.Cells {
			if cp.Section() != pl.section || cp.Row != pl.row || cp == base {
				continue
			}
			d := &CellDiff{Section: pl.section, Group: cp.Group, Row: pl.row, Base: base.Col, Head: cp.Col}
			if base.CPU != nil && cp.CPU != nil {
				d.CPU = Compare(base.CPU, cp.CPU, TopN)
			}
			if base.Heap != nil && cp.Heap != nil {
				d.Heap = Compare(base.Heap, cp.Heap, TopN)
			}
			set.Diffs = append(set.Diffs, d)
		}
	}
	return set, nil
}

// Add appends other's cells, diffs and errors to set.
func (set *Set) Add(other *Set) {
	set.Cells = append(set.Cells, other.Cells...)
	set.Diffs = append(set.Diffs, other.Diffs...)
	set.Errors = append(set.Errors, other.Errors...)
}

func (set *Set) summarize(dir, benchmark, rel, impl string) *Summary {
	if rel == "" {
		return nil
	}
	path, err := profindex.Resolve(dir, rel)
	if err != nil {
		set.Errors = append(set.Errors, benchmark+": "+err.Error())
		return nil
	}
	s, err := SummarizeFile(path, impl)
	if err != nil {
		set.Errors = append(set.Errors, benchmark+": "+err.Error())
		return nil
	}
	return s
}

func firstAt(cells []*Cell, section, row string) *Cell {
	for _, c := range cells {
		if c.Section() == section && c.Row == row {
			return c
		}
	}
	return nil
}

// DirFor returns the profile directory of a results file when none is
// given: "profiles" next to it, if that has an index.
func DirFor(resultsPath string) string {
	dir := filepath.Join(filepath.Dir(resultsPath), "profiles")
	if _, err := os.Stat(filepath.Join(dir, profindex.File)); err != nil {
		return ""
	}
	return dir
}
