// Package gate is the merge gate's judgement: whether head makes any
// gated metric of any cell significantly worse than base by more than a
// threshold, what it could not resolve, and the one Decision that the
// exit status, the report's first line and the CLI's output all print.
//
// A judgement is made on tables built by package table, so it sees
// exactly what benchstat would: results that differ in configuration
// are never compared.
//
// Besides the judgement and the Decision it holds the paired, sequential
// gate (Plan, Sequence, Verdict, State, Paired, Turns) beside the unpaired
// one, and what a threshold is read with (Threshold): under thirty names,
// because every rule a decision follows lives here and nowhere else. What
// a decision is checked by, its error rates, is package calibration.
package gate

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"golang.org/x/perf/benchunit"

	"github.com/batchbench/batchbench/internal/runconfig"
	"github.com/batchbench/batchbench/reports/table"
)

// Units are the primary metrics the gate judges: time and CPU per op,
// allocation per op, tail latency, and the heap a backlog holds. Other
// units are reported, never gated.
var Units = []string{"sec/op", "cpu-sec/op", "allocs/op", "B/op", "p99-sec", "peak-heap-B"}

// Power is the probability with which a cell must detect a change for
// the change to count as resolvable.
const Power = 0.8

// Options say what to judge.
type Options struct {
	Head      string   // the column judged against the tables' baseline, e.g. "head"
	Threshold float64  // smallest relative change that counts, e.g. 0.05
	Units     []string // tidied units to judge; nil means Units
	// Cover is the share of the gated cells that must resolve the
	// threshold (a paired gate's: pass it) for the gate to pass; 0 means
	// 1, every one: a pass must cover what it claims.
	Cover float64
}

// A Cell is one gated cell and unit with both a base and a head sample.
type Cell struct {
	Section          string // table.Table.Section
	Group, Row, Unit string
	Base, Head       float64 // centers (medians)
	Delta            float64 // (Head-Base)/Base
	P                float64
	BaseN, N         int  // sample sizes of base and head
	Significant      bool // benchmath's criterion, p <= alpha
	Worse            bool // the change goes the way the unit calls worse
	// Resolution is the smallest relative change this cell's test detects
	// with probability Power at the judgement's alpha, from the cell's
	// own spread and sample sizes (simulated, see power.go); +Inf when its sample
	// sizes cannot reach alpha at all.
	Resolution float64
	// NeedCount is about how many runs per side would resolve the
	// threshold, when Resolution exceeds it; 0 otherwise.
	NeedCount int
	// Noise is the runs' coefficient of variation around their side's
	// median, both sides pooled; for a paired cell, its pairs' spread
	// as their test sees it (see Verdict.Noise).
	Noise float64
	// Pairs is, for a cell judged in pairs, how many; 0 when unpaired.
	// Its State is what the gate made of it, and Lo and Hi bound Delta.
	// Fresh are its confirmation's pairs, when the screen flagged it.
	Pairs, Fresh int
	State        State
	Lo, Hi       float64
}

// Name is the cell's benchmark name without its unit, e.g.
// "Size/impl=ring/size=1000", as scenarios.Parse and a
// confirmation rerun name it.
func (c Cell) Name() string {
	if c.Group == "" {
		return c.Row
	}
	return c.Group + "/" + c.Row
}

// String reads e.g. "Size/impl=ring/size=1000 sec/op: +5.29% (158.7n →
// 167.1n, p=0.039 n=12)", or, judged in pairs, "… sec/op: +5.29% [+2.1%,
// +8.6%] (p=0.001, 96 fresh pairs after 48)".
func (c Cell) String() string {
	if c.Pairs > 0 {
		// The change is the pairs' own, of the stage that decided: the
		// sides' medians, of the screen's runs, would not add up to it.
		n := fmt.Sprintf("%d pairs", c.Pairs)
		if c.Fresh > 0 {
			n = fmt.Sprintf("%d fresh pairs after %d", c.Fresh, c.Pairs)
		}
		return fmt.Sprintf("%s %s: %s (p=%.3f, %s)", c.Name(), c.Unit, c.Change(), c.P, n)
	}
	class := benchunit.ClassOf(c.Unit)
	return fmt.Sprintf("%s %s: %s (%s → %s, p=%.3f n=%d)",
		c.Name(), c.Unit, c.Change(), benchunit.Scale(c.Base, class), benchunit.Scale(c.Head, class), c.P, c.N)
}

// Change is the cell's relative change as a percentage, with its
// interval for a cell judged in pairs.
func (c Cell) Change() string {
	if c.Pairs > 0 {
		return fmt.Sprintf("%+.2f%% [%+.1f%%, %+.1f%%]", c.Delta*100, c.Lo*100, c.Hi*100)
	}
	return fmt.Sprintf("%+.2f%%", c.Delta*100)
}

// Resolves reports whether the cell can detect a change of threshold:
// for a cell judged in pairs, whether the gate decided it.
func (c Cell) Resolves(threshold float64) bool {
	if c.Pairs > 0 {
		return c.State == Passed || c.State == Cleared || c.State == Blocked
	}
	return c.Resolution <= threshold
}

// Judgement is one stage of the gate: head against base on one set of
// runs.
type Judgement struct {
	Results          *table.Results // what was read
	Tables           *table.Tables  // what was compared
	Head             string
	Threshold, Alpha float64
	Cover            float64 // Options.Cover, 0 made 1
	Cells            []Cell  // every gated cell and unit compared
	Regressed        []Cell  // significant and worse than Threshold
	Improved         []Cell  // significant and better than Threshold
	// Noisy differences exceed Threshold but are not significant: the
	// samples cannot tell, so they neither block nor reassure.
	Noisy []Cell
	// FailedHead are head cells that failed their run or self-check:
	// they have no numbers, and they block.
	FailedHead []table.Failure
	// OneSided names cells that only base or only head has.
	OneSided []string
	// Incomparable explains, per configuration key, how base and head
	// differ where they share no value; such inputs are not compared.
	Incomparable []string
	// MinCount is the smallest number of runs per side at which the
	// test can reach Alpha at all.
	MinCount int
	// Columns are the columns of the gated tables, to say what a head
	// that matched nothing could have been.
	Columns []string
	// Paired is set when Cells were judged in pairs (see Plan), and
	// Metrics is then the number of gated cell metrics Alpha is shared
	// among; the tables stay benchstat's, for display.
	Paired  bool
	Metrics int
}

// Judge compares column o.Head with the tables' baseline column in every
// table of a gated unit. A cell regresses when its difference is
// significant at the tables' alpha (benchmath's test for the unit's
// assumption), larger than the threshold, and in the direction the unit
// calls worse (Unit metadata better=, or benchfmt's defaults). res gives
// the failed cells and the configurations. Each cell's resolution, and
// the count that would resolve the threshold, are simulated with the
// test from the cell's own runs.
func Judge(res *table.Results, ts *table.Tables, o Options) *Judgement {
	return newJudgement(res, ts, o, true)
}

// newJudgement is Judge, and simulates the cells' power only with power: a
// paired decision replaces the cells with its verdicts, and the
// simulation took a minute of a quick compare's four.
func newJudgement(res *table.Results, ts *table.Tables, o Options, power bool) *Judgement {
	units := o.Units
	if units == nil {
		units = Units
	}
	alpha := ts.Config.Alpha
	j := &Judgement{Results: res, Tables: ts, Head: o.Head, Threshold: o.Threshold, Alpha: alpha, Cover: cmp.Or(o.Cover, 1)}
	if power {
		j.MinCount = MinCount(alpha)
	}
	j.Incomparable = incomparable(ts, ts.Config.Baseline, o.Head)
	j.FailedHead = failedIn(res, ts.Config, o.Head)
	oneSided := map[string]bool{}
	for _, t := range ts.Tables {
		if t.Better == 0 || !slices.Contains(units, t.Unit) {
			continue
		}
		for _, c := range t.Cols {
			if !slices.Contains(j.Columns, c) {
				j.Columns = append(j.Columns, c)
			}
		}
		col := slices.Index(t.Cols, o.Head)
		if col <= 0 {
			continue
		}
		for _, row := range t.Rows {
			c := row.Cells[col]
			if c == nil || !c.HasComparison {
				name := Cell{Group: t.Group, Row: row.Label}.Name()
				if !oneSided[name] {
					oneSided[name] = true
					j.OneSided = append(j.OneSided, name)
				}
				continue
			}
			j.add(t, row, c, power)
		}
	}
	return j
}

// TableConfig is how a base/head gate builds its tables: columns are the
// inputs labelled "base" and "head", one table set per configuration and
// benchmark family, and the harness's per-run keys (runconfig.PerRun)
// are ignored along with the caller's ignore list.
func TableConfig(alpha float64, ignore string) table.Config {
	keys := slices.Clone(runconfig.PerRun)
	if ignore != "" {
		keys = append(keys, ignore)
	}
	return table.Config{Table: ".config,.name", Col: ".file", Baseline: "base", Ignore: strings.Join(keys, ","), Alpha: alpha}
}

// JudgeFiles reads inputs labelled "base" and "head" (several files may
// share a label), builds the tables with cfg and judges them: the path
// every stage of a compare takes.
func JudgeFiles(cfg table.Config, o Options, inputs ...table.Input) (*Judgement, error) {
	res, ts, err := table.LoadTables(cfg, inputs...)
	if err != nil {
		return nil, err
	}
	return Judge(res, ts, o), nil
}

func (j *Judgement) add(t *table.Table, row *table.Row, c *table.Cell, power bool) {
	base := c.Base.Summary.Center
	gc := Cell{Section: t.Section(), Group: t.Group, Row: row.Label, Unit: t.Unit,
		Base: base, Head: c.Summary.Center, P: c.Comparison.P,
		BaseN: len(c.Base.Sample.Values), N: len(c.Sample.Values), Significant: c.Significant()}
	switch {
	case base != 0:
		gc.Delta = (gc.Head - base) / base
	case gc.Head != 0:
		gc.Delta = math.Inf(1) // from nothing to something
	}
	gc.Worse = gc.Delta*float64(t.Better) < 0
	noise := residuals(c.Base.Sample.Values, c.Sample.Values)
	_, gc.Noise = meanSD(noise)
	if power {
		gc.Resolution = resolve(noise, gc.BaseN, gc.N, t.Assumption, j.Alpha, cellSeed(gc))
		if !gc.Resolves(j.Threshold) {
			gc.NeedCount = needCount(noise, max(gc.BaseN, gc.N), t.Assumption, j.Alpha, j.Threshold, cellSeed(gc))
		}
	}
	j.Cells = append(j.Cells, gc)
	if math.Abs(gc.Delta) <= j.Threshold {
		return
	}
	switch {
	case !gc.Significant:
		j.Noisy = append(j.Noisy, gc)
	case gc.Worse:
		j.Regressed = append(j.Regressed, gc)
	default:
		j.Improved = append(j.Improved, gc)
	}
}

// Underpowered lists the compared cells (one per cell, its worst unit)
// that cannot resolve the threshold: they do not count towards "no
// regression".
func (j *Judgement) Underpowered() []Cell {
	var out []Cell
	index := map[string]int{}
	for _, c := range j.Cells {
		if c.Resolves(j.Threshold) {
			continue
		}
		if i, ok := index[c.Name()]; ok {
			if c.Resolution > out[i].Resolution {
				out[i] = c
			}
			continue
		}
		index[c.Name()] = len(out)
		out = append(out, c)
	}
	return out
}

// CellCount is the number of distinct cells compared, and how many of
// them resolve the threshold in every gated unit.
func (j *Judgement) CellCount() (compared, resolved int) {
	names := map[string]bool{}
	for _, c := range j.Cells {
		names[c.Name()] = true
	}
	return len(names), len(names) - len(j.Underpowered())
}

// failedIn returns the failures whose cell the tables would put in column
// col: a failed head run, or, with /impl columns, a failed
// implementation.
func failedIn(res *table.Results, cfg table.Config, col string) []table.Failure {
	loc, err := cfg.Locator()
	if err != nil {
		return nil // the tables were built with cfg, so it parses
	}
	var out []table.Failure
	for _, f := range res.Failures {
		for _, in := range res.Inputs {
			if in.Label == f.Input && loc.Locate(in, f.Benchmark).Col == col {
				out = append(out, f)
			}
		}
	}
	return out
}
