package reports

import (
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/perf/benchfmt"

	"github.com/batchbench/batchbench/internal/profindex"
)

// CellProfiles are the summarised profiles of one benchmark cell, placed
// where the cell sits in the tables.
type CellProfiles struct {
	Benchmark       string
	Group, Row, Col string
	Impl            string
	CPU, Heap       *ProfileSummary // nil when absent or unreadable
}

// CellDiff compares a column's profiles with the baseline column's at the
// same group and row (two implementations, or base and head).
type CellDiff struct {
	Group, Row, Base, Head string
	CPU, Heap              *ProfileDiff // nil when either side lacks the profile
}

// ProfileSet is every profile of a report.
type ProfileSet struct {
	Cells []*CellProfiles // in index order, inputs in order
	Diffs []*CellDiff
	// Errors are profiles that could not be read; they do not stop the report.
	Errors []string
}

// LoadProfiles summarises the profiles listed in dirs[i]/index.json for
// res.Inputs[i] ("" skips an input) and pairs every non-baseline column
// with the baseline column of the same group and row, using the same
// projections as the tables (cfg), so pairs follow Col and Baseline:
// implementations for Col "/impl", base and head for Col ".file".
// cfg.Filter is not applied to profiles.
func LoadProfiles(res *Results, dirs []string, cfg TableConfig) (*ProfileSet, error) {
	cfg.setDefaults()
	p, err := cfg.parse(nil, false)
	if err != nil {
		return nil, err
	}
	tableBy, rowBy, colBy := p.table, p.row, p.col

	set := &ProfileSet{}
	type place struct{ group, row string }
	cols := map[place]map[string]*CellProfiles{}
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
		for _, ic := range idx.Cells {
			r := profileResult(in, ic.Benchmark)
			cp := &CellProfiles{
				Benchmark: ic.Benchmark, Impl: ic.Impl,
				Group: groupLabel(tableBy.Project(r)),
				Row:   tidyRowLabel(rowBy.Project(r).StringValues()),
				Col:   colBy.Project(r).StringValues(),
			}
			cp.CPU = set.summarize(dir, ic.CPU, ic.Impl)
			cp.Heap = set.summarize(dir, ic.Heap, ic.Impl)
			set.Cells = append(set.Cells, cp)
			pl := place{cp.Group, cp.Row}
			if cols[pl] == nil {
				cols[pl] = map[string]*CellProfiles{}
				places = append(places, pl)
			}
			cols[pl][cp.Col] = cp
		}
	}

	for _, pl := range places {
		byCol := cols[pl]
		base := byCol[cfg.Baseline]
		if base == nil { // like the tables: no baseline here, use the first column
			base = firstCol(set.Cells, pl.group, pl.row)
		}
		if base == nil {
			continue
		}
		for _, cp := range set.Cells {
			if cp.Group != pl.group || cp.Row != pl.row || cp == base {
				continue
			}
			d := &CellDiff{Group: pl.group, Row: pl.row, Base: base.Col, Head: cp.Col}
			if base.CPU != nil && cp.CPU != nil {
				d.CPU = DiffProfiles(base.CPU, cp.CPU, TopN)
			}
			if base.Heap != nil && cp.Heap != nil {
				d.Heap = DiffProfiles(base.Heap, cp.Heap, TopN)
			}
			set.Diffs = append(set.Diffs, d)
		}
	}
	return set, nil
}

func (set *ProfileSet) summarize(dir, rel, impl string) *ProfileSummary {
	if rel == "" {
		return nil
	}
	s, err := SummarizeProfile(filepath.Join(dir, filepath.FromSlash(rel)), impl)
	if err != nil {
		set.Errors = append(set.Errors, err.Error())
		return nil
	}
	return s
}

func firstCol(cells []*CellProfiles, group, row string) *CellProfiles {
	for _, c := range cells {
		if c.Group == group && c.Row == row {
			return c
		}
	}
	return nil
}

// profileResult is a stand-in benchmark result for a profiled cell, with
// the input's file configuration and label, so the tables' projections
// place it.
func profileResult(in Input, benchmark string) *benchfmt.Result {
	r := &benchfmt.Result{Name: benchfmt.Name(strings.TrimPrefix(benchmark, "Benchmark"))}
	for _, c := range in.Config {
		r.Config = append(r.Config, benchfmt.Config{Key: c.Key, Value: []byte(c.Value), File: true})
	}
	r.Config = append(r.Config, benchfmt.Config{Key: ".file", Value: []byte(in.Label)})
	return r
}

// tidyRowLabel turns benchstat's "*/size=10" row key into "size=10".
func tidyRowLabel(key string) string {
	if l := strings.TrimPrefix(strings.TrimPrefix(key, "*"), "/"); l != "" {
		return l
	}
	return key
}

// profileDirFor returns the profile directory to use for an input when
// none is given: "profiles" next to the results file, if it has an
// index.json.
func profileDirFor(resultsPath string) string {
	dir := filepath.Join(filepath.Dir(resultsPath), "profiles")
	if _, err := os.Stat(filepath.Join(dir, profindex.File)); err != nil {
		return ""
	}
	return dir
}
