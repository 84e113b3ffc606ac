package table

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"
	"golang.org/x/perf/benchproc"
)

type cellAcc struct {
	values  []float64
	residue map[benchproc.Key]bool
}

type tableAcc struct {
	rows, cols map[benchproc.Key]bool
	cells      map[[2]benchproc.Key]*cellAcc
	rowParams  map[benchproc.Key][]Param
	rowNames   map[benchproc.Key]string
}

// LoadTables reads the files and builds their tables with cfg, as Load
// and Build do: what a reader of benchmark files that needs no other
// configuration (one that depends on the results) calls.
func LoadTables(cfg Config, inputs ...Input) (*Results, *Tables, error) {
	res, err := Load(inputs...)
	if err != nil {
		return nil, nil, err
	}
	ts, err := Build(res, cfg)
	if err != nil {
		return nil, nil, err
	}
	return res, ts, nil
}

// Build groups results into tables the way benchstat does and
// summarises and compares every cell with benchmath, using each unit's
// assumption from the Unit metadata.
func Build(res *Results, cfg Config) (*Tables, error) {
	cfg = cfg.WithDefaults()
	filter, err := benchproc.NewFilter(cfg.Filter)
	if err != nil {
		return nil, fmt.Errorf("filter %q: %w", cfg.Filter, err)
	}
	p, err := cfg.parse(filter, true)
	if err != nil {
		return nil, err
	}
	tableBy, rowBy, colBy, residueBy := p.table, p.row, p.col, p.residue
	colKeys := nameKeysOf(colBy)

	out := &Tables{Config: cfg, Units: res.Units}
	accs := make(map[benchproc.Key]*tableAcc)
	_, err = res.scan(false, func(_ int, r *benchfmt.Result) {
		if ok, err := filter.Apply(r); !ok {
			if err != nil {
				out.FilterErrors = append(out.FilterErrors, err.Error())
			}
			return
		}
		row, col, residue := rowBy.Project(r), colBy.Project(r), residueBy.Project(r)
		for i, tk := range tableBy.ProjectValues(r) {
			acc := accs[tk]
			if acc == nil {
				acc = &tableAcc{
					rows: map[benchproc.Key]bool{}, cols: map[benchproc.Key]bool{},
					cells:     map[[2]benchproc.Key]*cellAcc{},
					rowParams: map[benchproc.Key][]Param{},
					rowNames:  map[benchproc.Key]string{},
				}
				accs[tk] = acc
			}
			c := acc.cells[[2]benchproc.Key{row, col}]
			if c == nil {
				c = &cellAcc{residue: map[benchproc.Key]bool{}}
				acc.cells[[2]benchproc.Key{row, col}] = c
			}
			acc.rows[row], acc.cols[col] = true, true
			if _, ok := acc.rowParams[row]; !ok {
				acc.rowParams[row] = withoutKeys(nameParams(r.Name), colKeys)
				base, _ := r.Name.Parts()
				acc.rowNames[row] = string(base)
			}
			c.values = append(c.values, r.Values[i].Value)
			c.residue[residue] = true
		}
	})
	if err != nil {
		return nil, err
	}

	thresholds := benchmath.DefaultThresholds
	thresholds.CompareAlpha = cfg.Alpha
	keys := sortedKeys(accs)
	for _, tk := range keys {
		out.Tables = append(out.Tables, buildTable(tk, accs[tk], cfg, &thresholds, res.Units))
	}
	return out, nil
}

// buildTable turns one accumulated table into cells: the baseline column
// first, each cell summarised and compared with its row's baseline under
// the unit's assumption, rows labelled and sorted, then the geomean row.
func buildTable(tk benchproc.Key, acc *tableAcc, cfg Config, th *benchmath.Thresholds, units benchfmt.UnitMetadataMap) *Table {
	unit := tk.Get(unitField(tk))
	t := &Table{
		Config:     keyConfig(tk),
		Group:      groupLabel(tk),
		Unit:       unit,
		Better:     units.GetBetter(unit),
		Assumption: units.GetAssumption(unit),
	}
	rows, cols := sortedKeys(acc.rows), sortedKeys(acc.cols)
	// Move the baseline column to the front; the rest keep their order.
	base := 0
	if cfg.Baseline != "" {
		base = slices.IndexFunc(cols, func(k benchproc.Key) bool { return k.StringValues() == cfg.Baseline })
		if base < 0 {
			base = 0
			t.Warnings = append(t.Warnings, fmt.Sprintf("baseline %q has no results in this table; comparing with %q", cfg.Baseline, cols[0].StringValues()))
		}
	}
	cols = append([]benchproc.Key{cols[base]}, slices.Delete(slices.Clone(cols), base, base+1)...)
	for _, c := range cols {
		t.Cols = append(t.Cols, c.StringValues())
	}

	for _, rk := range rows {
		row := &Row{Key: rk.StringValues(), Name: acc.rowNames[rk], Param: acc.rowParams[rk], Cells: make([]*Cell, len(cols))}
		for j, ck := range cols {
			ca := acc.cells[[2]benchproc.Key{rk, ck}]
			if ca == nil {
				continue
			}
			s := benchmath.NewSample(ca.values, th)
			row.Cells[j] = &Cell{
				Sample:  s,
				Summary: t.Assumption.Summary(s, cfg.Confidence),
				Residue: residueWarning(ca.residue),
			}
		}
		if base := row.Cells[0]; base != nil {
			for _, c := range row.Cells[1:] {
				if c != nil {
					c.Comparison = t.Assumption.Compare(base.Sample, c.Sample)
					c.HasComparison, c.Base = true, base
				}
			}
		}
		t.Rows = append(t.Rows, row)
	}
	labelRows(t.Rows)
	sortRowsByParam(t.Rows)
	for j := range cols {
		t.Geomean = append(t.Geomean, geomean(t, j))
	}
	return t
}

// residueWarning is benchstat's warning for a cell that mixes results
// differing in keys no projection mentions.
func residueWarning(residue map[benchproc.Key]bool) []error {
	fields := benchproc.NonSingularFields(sortedKeys(residue))
	if len(fields) == 0 {
		return nil
	}
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.Name
	}
	return []error{errors.New("benchmarks vary in " + strings.Join(names, ", "))}
}
