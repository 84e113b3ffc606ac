package reports

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/aclements/go-moremath/stats"
	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"
	"golang.org/x/perf/benchproc"
)

// TableConfig says how results become comparison tables. Table, Row, Col,
// Ignore and Filter use benchproc's syntax, exactly like benchstat's flags
// of the same names (see golang.org/x/perf/benchproc/syntax): "/impl" is a
// sub-name key, ".file" the input label, ".name" the benchmark name, and a
// bare word such as "commit" a file configuration key.
type TableConfig struct {
	Table  string // default ".name": one table set per benchmark family
	Row    string // default ".fullname" (keys used by Table and Col are removed from it)
	Col    string // default ".file"
	Ignore string // keys to ignore when grouping; default none
	Filter string // default "*"
	// Baseline is the column every other column is compared with, by its
	// value (e.g. "channel" or "base"). Empty means the first column, as in
	// benchstat. A table without the baseline falls back to its first
	// column and says so in Table.Warnings.
	Baseline   string
	Alpha      float64 // significance level; default 0.05
	Confidence float64 // confidence level of the intervals; default 0.95
}

func (c *TableConfig) setDefaults() {
	if c.Table == "" {
		c.Table = ".name"
	}
	if c.Row == "" {
		c.Row = ".fullname"
	}
	if c.Col == "" {
		c.Col = ".file"
	}
	if c.Filter == "" {
		c.Filter = "*"
	}
	if c.Alpha == 0 {
		c.Alpha = benchmath.DefaultThresholds.CompareAlpha
	}
	if c.Confidence == 0 {
		c.Confidence = 0.95
	}
}

// Tables is the set of comparison tables built from some Results.
type Tables struct {
	Config TableConfig // with defaults applied
	Tables []*Table    // sorted by table key, then unit order of appearance
	Units  benchfmt.UnitMetadataMap
	// FilterErrors are reasons benchproc's filter gave for rejecting results.
	FilterErrors []string
}

// Table compares the samples of one unit in one group (by default one
// benchmark family) across columns. It matches one table of benchstat.
type Table struct {
	Group      string // table key without the unit, e.g. "Size"
	Unit       string // tidied unit, e.g. "sec/op"
	Better     int    // +1 higher is better, -1 lower is better, 0 unknown
	Assumption benchmath.Assumption
	Cols       []string // column labels; Cols[0] is the baseline
	Rows       []*Row   // in projection order
	Geomean    []*Geomean
	Warnings   []string // table-level notes, e.g. a missing baseline
}

// Row is one row of a Table.
type Row struct {
	Key   string  // the row key's values as benchstat prints them, e.g. "*/size=10-2"
	Label string  // Key, tidied for display, e.g. "size=10"
	Param []Param // the sub-name key=value parts of the row, without column keys
	Cells []*Cell // one per Table.Cols entry; nil where there is no data
}

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

type cellAcc struct {
	values  []float64
	residue map[benchproc.Key]bool
}

type tableAcc struct {
	rows, cols map[benchproc.Key]bool
	cells      map[[2]benchproc.Key]*cellAcc
	rowParams  map[benchproc.Key][]Param
}

// projections are a TableConfig's parsed projections.
type projections struct {
	table, row, col, residue *benchproc.Projection
}

// parse parses the configuration's projections, the table one with a unit
// dimension (one table per unit) if withUnit, as benchstat does.
func (c TableConfig) parse(filter *benchproc.Filter, withUnit bool) (*projections, error) {
	var parser benchproc.ProjectionParser
	var p projections
	var err error
	if withUnit {
		p.table, _, err = parser.ParseWithUnit(c.Table, filter)
	} else {
		p.table, err = parser.Parse(c.Table, filter)
	}
	if err != nil {
		return nil, fmt.Errorf("reports: table projection: %w", err)
	}
	if p.row, err = parser.Parse(c.Row, filter); err != nil {
		return nil, fmt.Errorf("reports: row projection: %w", err)
	}
	if p.col, err = parser.Parse(c.Col, filter); err != nil {
		return nil, fmt.Errorf("reports: column projection: %w", err)
	}
	if _, err := parser.Parse(c.Ignore, filter); err != nil {
		return nil, fmt.Errorf("reports: ignore: %w", err)
	}
	p.residue = parser.Residue()
	return &p, nil
}

// BuildTables groups results into tables the way benchstat does and
// summarises and compares every cell with benchmath, using each unit's
// assumption from the Unit metadata.
func BuildTables(res *Results, cfg TableConfig) (*Tables, error) {
	cfg.setDefaults()
	filter, err := benchproc.NewFilter(cfg.Filter)
	if err != nil {
		return nil, fmt.Errorf("reports: filter: %w", err)
	}
	p, err := cfg.parse(filter, true)
	if err != nil {
		return nil, err
	}
	tableBy, rowBy, colBy, residueBy := p.table, p.row, p.col, p.residue
	colKeys := nameKeysOf(colBy)

	out := &Tables{Config: cfg, Units: res.Units}
	accs := make(map[benchproc.Key]*tableAcc)
	for _, r := range res.Results {
		r = r.Clone() // Filter.Apply may drop values
		if ok, err := filter.Apply(r); !ok {
			if err != nil {
				out.FilterErrors = append(out.FilterErrors, err.Error())
			}
			continue
		}
		row, col, residue := rowBy.Project(r), colBy.Project(r), residueBy.Project(r)
		for i, tk := range tableBy.ProjectValues(r) {
			acc := accs[tk]
			if acc == nil {
				acc = &tableAcc{
					rows: map[benchproc.Key]bool{}, cols: map[benchproc.Key]bool{},
					cells:     map[[2]benchproc.Key]*cellAcc{},
					rowParams: map[benchproc.Key][]Param{},
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
			}
			c.values = append(c.values, r.Values[i].Value)
			c.residue[residue] = true
		}
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
func buildTable(tk benchproc.Key, acc *tableAcc, cfg TableConfig, th *benchmath.Thresholds, units benchfmt.UnitMetadataMap) *Table {
	unit := tk.Get(unitField(tk))
	t := &Table{
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
		row := &Row{Key: rk.StringValues(), Param: acc.rowParams[rk], Cells: make([]*Cell, len(cols))}
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

// geomean summarises column j the way benchstat's summary row does: the
// geomean of the centers, and the geomean of the per-row ratios to the
// baseline (not the ratio of geomeans, which breaks when the benchmark
// sets differ). The warning texts are benchstat's.
func geomean(t *Table, j int) *Geomean {
	g := &Geomean{}
	var centers, ratios []float64
	nBase, badRatio := 0, false
	for _, row := range t.Rows {
		if row.Cells[0] != nil {
			nBase++
		}
		c := row.Cells[j]
		if c == nil {
			continue
		}
		centers = append(centers, c.Summary.Center)
		if j == 0 || !c.HasComparison {
			continue
		}
		a, b := c.Summary.Center, c.Base.Summary.Center
		switch {
		case a == b:
			ratios = append(ratios, 1) // 0/0 counts as no change
		case b == 0:
			badRatio = true
			ratios = append(ratios, 0)
		default:
			ratios = append(ratios, a/b)
		}
	}
	if j > 0 && nBase != len(ratios) {
		g.Warnings = append(g.Warnings, errors.New("benchmark set differs from baseline; geomeans may not be comparable"))
	}
	if gm := stats.GeoMean(centers); math.IsNaN(gm) {
		g.Warnings = append(g.Warnings, errors.New("summaries must be >0 to compute geomean"))
	} else {
		g.HasCenter, g.Center = true, gm
	}
	if j > 0 && !badRatio {
		if gm := stats.GeoMean(ratios); math.IsNaN(gm) {
			g.Warnings = append(g.Warnings, errors.New("ratios must be >0 to compute geomean"))
		} else {
			g.HasRatio, g.Ratio = true, gm
		}
	}
	return g
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
