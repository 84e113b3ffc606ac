package compare

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/batchbench/batchbench/harness"
	"github.com/batchbench/batchbench/impl/plant"
	"github.com/batchbench/batchbench/internal/atomicfile"
	"github.com/batchbench/batchbench/internal/load"
	"github.com/batchbench/batchbench/internal/rundir"
	"github.com/batchbench/batchbench/reports/gate"
	"github.com/batchbench/batchbench/reports/gate/calibration"
	"github.com/batchbench/batchbench/reports/table"
	"github.com/batchbench/batchbench/scenarios"
)

// CalibrateOptions say how to calibrate the gate on this machine.
type CalibrateOptions struct {
	// Decisions is how many whole gate decisions to make.
	Decisions int
	// Plant, if above 0, is the slowdown head's mutex carries, as a
	// fraction of base's time per item in each of mutex's timed cells
	// selected, and in other cells of that in PlantCell: both sides run
	// one build with the plant tag, head's stall spaced to that size from
	// the stall's time and the cell's, measured on this machine, and
	// base's stall empty (see package plant). The record gives the size
	// each cell then measured.
	Plant     float64
	PlantCell scenarios.Cell
	// Compare is each decision's settings; Calibrate sets the sides and
	// gives decision i the directory Run.OutDir/decision-i.
	Compare Options
	// Decided, if set, is told of each decision as it is made.
	Decided func(i int, d *gate.Decision)
	// Command is the command line that asked for the calibration, for
	// the record Calibrate writes.
	Command string
}

// CalibrationFile is the record Calibrate writes in Compare.Run.OutDir.
const CalibrationFile = "calibrate.md"

// Calibrate measures the gate's error rate per decision: it builds the
// working tree once, and makes o.Decisions decisions between identical
// builds (every block is a false block) or, with Plant, against a head
// that carries a planted regression (every pass is a miss). Each decision
// is a whole Run. It writes the calibration's record,
// CalibrationFile, beside the decisions.
func Calibrate(ctx context.Context, o CalibrateOptions) (*calibration.Calibration, error) {
	start := time.Now()
	b := o.Compare.Build
	if o.Plant > 0 {
		b.Tags = strings.TrimPrefix(b.Tags+",plant", ",")
	}
	base, err := b.WorkingTree(ctx, rundir.Base)
	if err != nil {
		return nil, &BuildError{err}
	}
	head, planted := base, "" // identical builds: the very same binary
	if o.Plant > 0 {
		spec, sizes, err := sizePlant(ctx, o, base)
		if err != nil {
			return nil, err
		}
		base, head = plantedSide(base, spec.Empty()), plantedSide(base, spec)
		planted = fmt.Sprintf("head's %s stalls %d rounds every so many items, where base's stall is empty: %s",
			spec.Impl, spec.Rounds, strings.Join(sizes, "; "))
	}
	var cal calibration.Calibration
	for i := range o.Decisions {
		c := o.Compare
		c.Base, c.Head = Side{Source: &base}, Side{Source: &head}
		c.Run.OutDir = filepath.Join(o.Compare.Run.OutDir, fmt.Sprintf("decision-%02d", i+1))
		out, err := Run(ctx, c)
		if err != nil {
			return nil, err
		}
		cal.Add(out.Decision)
		if o.Decided != nil {
			o.Decided(i, out.Decision)
		}
	}
	r := o.Compare.Run
	setup := fmt.Sprintf("`%s` · %d cells · at least %d pairs · budget %v · threshold %s · α = %v · %d decisions in %v",
		o.Command, len(r.Cells), r.Count, o.Compare.Budget, gate.Threshold(o.Compare.Plan.Threshold).String(), o.Compare.Plan.Alpha,
		o.Decisions, time.Since(start).Round(time.Second))
	md := cal.Markdown(planted, o.Compare.Plan.Threshold, setup)
	return &cal, atomicfile.WriteFile(filepath.Join(r.OutDir, CalibrationFile), []byte(md))
}

// plantedSide is src running the planted point s. A planted head and its
// base are one binary, built with the plant tag, whose points count the
// same items and differ only by the stall's rounds. When base was built
// without the tag, head also paid for the count (a load, an add and a
// compare on an item of 8 ns) and for its code's layout: its plants
// measured half to 2.4 times the size they were given.
func plantedSide(src harness.Source, s plant.Spec) harness.Source {
	src.Env = append(slices.Clip(src.Env), plant.Env+"="+s.String())
	return src
}

// sizePlant spaces the plant's stalls in each of mutex's timed cells that
// o selects so that they add o.Plant of the cell's own time per item, as
// base measures it, and in every other cell as in o.PlantCell: an item of
// mutex's Size/10 costs several times one of Size/1000, so a stall spaced
// for Size/1000 alone planted a fifth of the size there. It returns the
// spec and, for the record, how each cell was sized.
func sizePlant(ctx context.Context, o CalibrateOptions, built harness.Source) (plant.Spec, []string, error) {
	const impl = "mutex"
	// Sized from base as it will run: counting its items.
	counting := plantedSide(built, plant.Spec{Impl: impl, Every: math.MaxInt32})
	cells := plantCells(impl, o.PlantCell, o.Compare.Run.Cells)
	stall := float64(plant.StallTime())
	var spec plant.Spec
	var sizes []string
	for i, c := range cells {
		perItem, err := basePerItem(ctx, o, c, counting, filepath.Join(o.Compare.Run.OutDir, "plant-size", strconv.Itoa(i+1)))
		if err != nil {
			return plant.Spec{}, nil, err
		}
		every := 0
		if i == 0 {
			spec = plant.Sized(impl, perItem*o.Plant, stall)
			every = spec.Every
		} else {
			spec = spec.SizedIn(c.Name(), perItem*o.Plant, stall)
			every = spec.Cells[c.Name()]
		}
		sizes = append(sizes, fmt.Sprintf("%s every %d items (%.3gns each), +%.3gns per item, %s of base's %.3gns",
			c.Name(), every, stall, stall/float64(every), pct(o.Plant), perItem))
	}
	sizes[0] += ", and so in every cell not named here"
	return spec, sizes, nil
}

// plantCells are the cells a plant in impl is sized in: first, the
// cell that sizes it in all others, then each of impl's timed cells
// among those selected.
func plantCells(impl string, first scenarios.Cell, selected []scenarios.Cell) []scenarios.Cell {
	cells := []scenarios.Cell{first}
	for _, c := range selected {
		if c.Impl == impl && c.Workload().Timed() && c.Name() != first.Name() {
			cells = append(cells, c)
		}
	}
	return cells
}

// basePerItem measures base's time per item, in nanoseconds, in cell c,
// in the directory out: the median of 30 runs, as the runs of a
// closed-loop cell spread by a quarter or more, and of 10 one plant was
// sized from a median 15% above base's in the decisions that followed.
func basePerItem(ctx context.Context, o CalibrateOptions, c scenarios.Cell, base harness.Source, out string) (float64, error) {
	opts := o.Compare.Run
	opts.Cells, opts.Count, opts.Sources, opts.Profile, opts.OutDir = []scenarios.Cell{c}, 30, []harness.Source{base}, false, out
	res, err := harness.Run(ctx, opts)
	if err != nil {
		return 0, err
	}
	_, ts, err := table.LoadTables(table.Config{}, table.Input{Path: res.Outputs[0].ResultsPath})
	if err != nil {
		return 0, err
	}
	for _, t := range ts.Tables {
		if t.Unit == "sec/op" && len(t.Rows) == 1 && t.Rows[0].Cells[0] != nil {
			return t.Rows[0].Cells[0].Summary.Center * 1e9, nil
		}
	}
	return 0, fmt.Errorf("no time per item measured in %s", c.Name())
}

func pct(f float64) string { return fmt.Sprintf("%.3g%%", f*100) }

// ReplayOptions say how to replay a recorded compare's pairs (see
// calibration.Replay).
type ReplayOptions struct {
	// Dir is a compare's directory, measured in pairs, on this machine
	// and at the budget in question: its screen's pairs are replayed.
	Dir string
	// Cells are the cells judged; nil means every recorded one.
	Cells     []scenarios.Cell
	Plan      gate.Plan
	Budget    time.Duration // the simulated compare's (see Options.Budget)
	Decisions int
	// Plant, if above 0, slows head's time per op by that fraction in
	// mutex's cells, as the plant of Calibrate does.
	Plant   float64
	Seed    uint64
	OutDir  string // receives CalibrationFile
	Command string // the command line, for the record
}

// Replay makes o.Decisions simulated decisions from o.Dir's recorded
// pairs and writes their record, CalibrationFile, in o.OutDir. A
// directory without pairs of the cells is a *SavedError; pairs that do
// not match, a *gate.PairError.
func Replay(o ReplayOptions) (*calibration.Calibration, error) {
	start := time.Now()
	if !rundir.IsCompare(o.Dir) {
		return nil, &SavedError{fmt.Errorf("%s is not a compare's directory (base/ and head/)", o.Dir)}
	}
	pairs, err := gate.ReadPairs([]table.Input{{Label: rundir.Base, Path: rundir.SideResults(o.Dir, rundir.Base)}},
		[]table.Input{{Label: rundir.Head, Path: rundir.SideResults(o.Dir, rundir.Head)}})
	if err != nil {
		return nil, err
	}
	if o.Cells != nil {
		pairs = slices.DeleteFunc(pairs, func(p *gate.Paired) bool {
			return !slices.ContainsFunc(o.Cells, func(c scenarios.Cell) bool { return c.Name() == p.Name })
		})
	}
	if len(pairs) == 0 {
		return nil, &SavedError{fmt.Errorf("%s holds no pairs of the selected cells", o.Dir)}
	}
	cost, err := pairCosts(o.Dir)
	if err != nil {
		return nil, &SavedError{err}
	}
	for _, p := range pairs {
		if cost[p.Name] == 0 {
			return nil, &SavedError{fmt.Errorf("%s does not say how long the runs of %s took (its %s is older than the runs' times, or missing)", o.Dir, p.Name, load.File)}
		}
	}
	r := calibration.Replay{Plan: o.Plan, Recorded: pairs, Cost: cost, Budget: o.Budget, Shift: o.Plant, Seed: o.Seed,
		Shifted: func(cell string) bool { return strings.Contains(cell, "/impl=mutex/") }}
	cal := r.Run(o.Decisions)
	planted := ""
	if o.Plant > 0 {
		planted = fmt.Sprintf("head's time per op in mutex's cells slowed by %s", pct(o.Plant))
	}
	setup := fmt.Sprintf("`%s` · %d decisions replayed from the pairs recorded in %s · budget %v · threshold %s · α = %v · in %v",
		o.Command, o.Decisions, o.Dir, o.Budget, gate.Threshold(o.Plan.Threshold).String(), o.Plan.Alpha, time.Since(start).Round(time.Millisecond))
	md := cal.Markdown(planted, o.Plan.Threshold, setup)
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return nil, err
	}
	return cal, atomicfile.WriteFile(filepath.Join(o.OutDir, CalibrationFile), []byte(md))
}

// pairCosts reads what a pair of each cell took in a compare's screen,
// from its load.json: the cell's runs' times over its pairs.
func pairCosts(dir string) (map[string]time.Duration, error) {
	recs, err := load.Read(dir)
	if err != nil {
		return nil, err
	}
	total, runs := map[string]float64{}, map[string]int{}
	for _, r := range recs {
		name := procsSuffix.ReplaceAllString(r.Cell, "")
		total[name] += r.Seconds
		runs[name]++
	}
	cost := map[string]time.Duration{}
	for name, t := range total {
		cost[name] = time.Duration(2 * t / float64(runs[name]) * float64(time.Second))
	}
	return cost, nil
}
