// Package compare is the merge gate's measuring loop. Run builds base and
// head and measures the selected cells on both in pairs, a base and a
// head run back to back in a random order, on one machine; it looks at
// the pairs after every round (see gate.Plan), stops measuring the cells
// that are decided, and goes on with the others until every cell is
// decided or the budget is spent. It then profiles the cells that block
// and returns the gate's one Decision. benchrun's compare, calibrate and
// bisect all call it; a directory it wrote (see package rundir) can be
// judged again with Saved.
package compare

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/batchbench/batchbench/harness"
	"github.com/batchbench/batchbench/internal/rundir"
	"github.com/batchbench/batchbench/reports/gate"
	"github.com/batchbench/batchbench/reports/table"
	"github.com/batchbench/batchbench/scenarios"
)

// A Side is what one side of a comparison is: saved results, a build
// already made, or a git revision to build. The zero Side is the
// repository's working tree, uncommitted changes included.
type Side struct {
	// Saved is a results file, or a run's directory, judged as it is.
	Saved string
	// Source is a build already made: calibrate builds once and decides
	// many times.
	Source *harness.Source
	// Rev is the git revision to build.
	Rev string
}

// Options say what to compare and how.
type Options struct {
	Base, Head Side
	// Build says how to build a side given by revision or working tree.
	Build harness.Build
	// Run are the measurements' settings: cells, count, quick, shard, run
	// time, timeout, waits, seed, log, and OutDir, which receives base/,
	// head/, load.json and, for a confirmation, confirm/. Run sets the
	// sources and the profiling itself.
	Run harness.Options
	// Plan says how the gate decides: which column is head, the
	// threshold, and the levels; Table how the tables are built for the
	// report (gate.TableConfig).
	Plan  gate.Plan
	Table table.Config
	// Budget bounds the time the pairs may take, the builds and the
	// profiles not included: the last look is the one after which another
	// round would not fit. Run.Count pairs of every cell come first,
	// budget or not; 0 measures exactly Run.Count pairs and looks once,
	// and then as many fresh pairs of each cell it flagged, to confirm.
	Budget time.Duration
	// Profile profiles both sides of the cells that block.
	Profile bool
}

// Outcome is what Run measured and decided.
type Outcome struct {
	Decision *gate.Decision
	// Runs are the harness's results: the first stage's, then the
	// confirmation's, when there was one.
	Runs []*harness.Result
}

// A BuildError is a side that did not build.
type BuildError struct{ Err error }

func (e *BuildError) Error() string { return e.Err.Error() }
func (e *BuildError) Unwrap() error { return e.Err }

// A SavedError is saved results that cannot be compared with anything.
type SavedError struct{ Err error }

func (e *SavedError) Error() string { return e.Err.Error() }
func (e *SavedError) Unwrap() error { return e.Err }

// Run makes the gate's decision on base and head. Sides that are builds
// are measured together in one harness run; saved sides are read. It
// refuses saved base results that hold none of the selected cells before
// building anything (*SavedError), and returns a *BuildError for a side
// that does not build and the harness's *rundir.OutDirError for an
// unusable OutDir. An interrupted run returns ctx's error and the runs
// made so far.
func Run(ctx context.Context, o Options) (*Outcome, error) {
	inputs := map[string][]string{}
	var builds []harness.Source
	for _, side := range []struct {
		name string
		side Side
	}{{rundir.Base, o.Base}, {rundir.Head, o.Head}} {
		if side.side.Saved != "" {
			path, err := resultsOf(side.side.Saved)
			if err == nil && side.name == rundir.Base {
				err = usableBase(path, o.Run.Cells)
			}
			if err != nil {
				return nil, &SavedError{err}
			}
			inputs[side.name] = []string{path}
		}
	}
	if err := o.guardSaved(); err != nil {
		return nil, err
	}
	for _, side := range []struct {
		name string
		side Side
	}{{rundir.Base, o.Base}, {rundir.Head, o.Head}} {
		if side.side.Saved != "" {
			continue
		}
		src, err := o.build(ctx, side.name, side.side)
		if err != nil {
			return nil, &BuildError{err}
		}
		builds = append(builds, src)
	}
	out := &Outcome{}
	if len(builds) == 2 {
		return out, out.pairs(ctx, o, builds)
	}
	if len(builds) > 0 {
		// One side saved: head is measured alone, and judged unpaired.
		opts := o.Run
		opts.Sources, opts.Profile = builds, o.Profile
		res, err := harness.Run(ctx, opts)
		if res != nil {
			out.Runs = append(out.Runs, res)
		}
		if err != nil && (res == nil || res.Interrupted || !errors.Is(err, harness.ErrCellsFailed)) {
			return out, cmp.Or(err, errors.New("interrupted"))
		}
		for _, r := range res.Outputs {
			inputs[r.Source] = append(inputs[r.Source], r.ResultsPath)
		}
	}
	j, err := gate.JudgeFiles(o.Table, o.Plan.Options, labelled(inputs)...)
	if err != nil {
		return out, err
	}
	out.Decision = gate.Decide(j)
	return out, nil
}

// cellRuns is how many runs of one cell a worker process serves at most
// in a paired gate (harness.Options.CellRuns): a confirmation's 80 pairs
// of one cell then come from at least 8 pairs of processes, not one.
const cellRuns = 10

// copies is how many copies of each side's executable a paired gate's
// workers run, one drawn at random per process (harness.Options.Copies).
// Two files with the same bytes ran one implementation's cells a few
// percent apart for a whole decision, now and then; over copies, that
// varies between a side's processes instead (docs/merge-gate.md).
const copies = 8

// pairs measures both builds in pairs: the screen, then the confirmation
// of what it flagged, on fresh pairs in OutDir/confirm, then the screen
// again with what the confirmation left of the budget; and decides.
func (out *Outcome) pairs(ctx context.Context, o Options, builds []harness.Source) error {
	o.Plan.MinPairs = cmp.Or(o.Plan.MinPairs, o.Run.Count, gate.DefaultMinPairs) // Run.Count pairs come first
	seq := gate.NewSequence(o.Plan)
	start := time.Now()
	// The screen: until every cell is decided, or its share of the budget
	// (all of it while nothing is flagged) is spent.
	opts := o.Run
	opts.Sources, opts.Profile = builds, false
	opts.CellRuns = cmp.Or(opts.CellRuns, cellRuns)
	opts.Copies = cmp.Or(opts.Copies, copies)
	s, err := harness.Start(opts)
	if err != nil {
		return err
	}
	screen := stage{s: s, start: start, total: o.Budget, look: seq.Screen}
	share := func() time.Duration { return seq.ScreenBudget(o.Budget) }
	err = s.Measure(ctx, o.Run.Cells, o.Plan.MinPairs)
	if err == nil {
		err = screen.run(ctx, share)
	}
	// The confirmation: the flagged cells, fresh, with what is left of
	// the budget, at least MinPairs pairs each.
	var confirmed *harness.Result
	if flagged := seq.Flagged(); err == nil && len(flagged) > 0 {
		confirmed, err = out.confirm(ctx, o, opts, s, seq, max(o.Budget-time.Since(start), 0))
	}
	// The screen's open cells take what the confirmation left.
	if err == nil && confirmed != nil {
		err = screen.run(ctx, func() time.Duration { return o.Budget })
	}
	if err = out.close(s, err); confirmed != nil {
		out.Runs = append(out.Runs, confirmed)
	}
	if err != nil {
		return err
	}
	results := map[string][]string{}
	for _, r := range out.Runs[0].Outputs {
		results[r.Source] = append(results[r.Source], r.ResultsPath)
	}
	runs, ts, err := table.LoadTables(o.Table, labelled(results)...)
	if err != nil {
		return err
	}
	out.Decision = gate.DecidePaired(runs, ts, o.Plan.Options, seq)
	return nil
}

// confirm measures the flagged cells again, in a session nested in the
// screen's, within budget, and profiles both sides of the cells that
// block if asked to.
func (out *Outcome) confirm(ctx context.Context, o Options, opts harness.Options, screen *harness.Session, seq *gate.Sequence, budget time.Duration) (*harness.Result, error) {
	opts.Seed, opts.Cells = 0, nil
	for _, name := range seq.Flagged() {
		c, err := scenarios.Parse(name)
		if err != nil {
			return nil, err
		}
		opts.Cells = append(opts.Cells, c)
	}
	fmt.Fprintf(opts.Log, "benchrun: confirming %d flagged cell(s) on fresh pairs\n", len(opts.Cells))
	s, err := screen.Nest(rundir.ConfirmDir, opts)
	if err != nil {
		return nil, err
	}
	fresh := stage{s: s, start: time.Now(), total: budget, look: seq.Confirm}
	err = s.Measure(ctx, opts.Cells, o.Plan.MinPairs)
	if err == nil {
		err = fresh.run(ctx, func() time.Duration { return budget })
	}
	if err == nil && o.Profile {
		var blocked []scenarios.Cell
		for _, v := range seq.Verdicts() {
			if c, err := scenarios.Parse(v.Cell); err == nil && v.State == gate.Blocked && !slices.Contains(blocked, c) {
				blocked = append(blocked, c)
			}
		}
		if len(blocked) > 0 {
			err = s.Profile(ctx, blocked)
		}
	}
	res, err := s.Close(err)
	return res, harnessError(res, err)
}

// close closes a stage's session, err being how its measuring ended, and
// keeps its result.
func (out *Outcome) close(s *harness.Session, err error) error {
	res, err := s.Close(err)
	out.Runs = append(out.Runs, res)
	return harnessError(res, err)
}

// harnessError is what a paired gate makes of how a session closed: cells
// that failed are the decision's to judge, anything else ends it.
func harnessError(res *harness.Result, err error) error {
	if res.Interrupted || (err != nil && !errors.Is(err, harness.ErrCellsFailed)) {
		return cmp.Or(err, errors.New("interrupted"))
	}
	return nil
}

// A stage is one stage of a paired gate, measuring in its session: after
// each look, more pairs of the cells the look leaves open, until none is
// or no round fits in the stage's share of the budget. Each look is told
// the fraction of total spent since start. Open cells take turns so that
// each gets about the same time, whatever its pairs cost.
type stage struct {
	s     *harness.Session
	start time.Time
	total time.Duration
	look  func(pairs []*gate.Paired, t float64, final bool) []string
	next  time.Duration // what the next round would take
}

// run looks, and measures the open cells, until the stage is decided or
// no round fits in share (see gate.When), which may shrink as the looks
// decide; it can be run again with a larger share.
func (st *stage) run(ctx context.Context, share func() time.Duration) error {
	for {
		pairs, err := gate.ReadPairs(sides(st.s.Results()))
		if err != nil {
			return err
		}
		t, final, stop := gate.When(time.Since(st.start), st.next, st.total, share())
		if open := st.look(pairs, t, final); !stop && len(open) > 0 {
			var round []scenarios.Cell
			round, st.next = takeTurns(st.s, open)
			if err := st.s.Measure(ctx, round, 1); err != nil {
				return err
			}
			continue
		}
		return nil
	}
}

// takeTurns picks the open cells whose turn it is (see gate.Turns), and
// returns them with what their pairs will take.
func takeTurns(s *harness.Session, open []string) ([]scenarios.Cell, time.Duration) {
	var cells []scenarios.Cell
	var spent, cost []time.Duration
	for _, name := range open {
		c, err := scenarios.Parse(name)
		if err != nil {
			continue
		}
		t, pairs := s.Spent(c)
		cells, spent, cost = append(cells, c), append(spent, t), append(cost, t/time.Duration(max(pairs, 1)))
	}
	var round []scenarios.Cell
	var next time.Duration
	for _, i := range gate.Turns(spent, cost) {
		round, next = append(round, cells[i]), next+cost[i]
	}
	return round, next
}

// sides splits a session's results files into base's and head's inputs.
func sides(results map[string]string) (base, head []table.Input) {
	return []table.Input{{Label: rundir.Base, Path: results[rundir.Base]}}, []table.Input{{Label: rundir.Head, Path: results[rundir.Head]}}
}

// guardSaved refuses a Force that would delete a saved side inside OutDir.
func (o Options) guardSaved() error {
	if !o.Run.Force {
		return nil
	}
	for _, s := range []Side{o.Base, o.Head} {
		if s.Saved == "" {
			continue
		}
		if rel, err := filepath.Rel(o.Run.OutDir, s.Saved); err == nil && !strings.HasPrefix(rel, "..") {
			return &SavedError{fmt.Errorf("replacing %s would delete %s, which is inside it", o.Run.OutDir, s.Saved)}
		}
	}
	return nil
}

// build makes a side's source.
func (o Options) build(ctx context.Context, name string, s Side) (harness.Source, error) {
	switch {
	case s.Source != nil:
		src := *s.Source
		src.Name = name
		return src, nil
	case s.Rev != "":
		return o.Build.Revision(ctx, s.Rev, name)
	}
	return o.Build.WorkingTree(ctx, name)
}

// labelled lists every results file labelled by its side; files of one
// side share its label, so a report pools their runs in one column.
func labelled(inputs map[string][]string) []table.Input {
	var out []table.Input
	for _, side := range []string{rundir.Base, rundir.Head} {
		for _, path := range inputs[side] {
			out = append(out, table.Input{Label: side, Path: path})
		}
	}
	return out
}

// resultsOf is the results file saved results name: the file, or a run
// directory's results.txt.
func resultsOf(saved string) (string, error) {
	f, err := rundir.Find(saved)
	switch {
	case err != nil:
		return "", err
	case len(f.Runs) != 1 || f.Shards:
		return "", fmt.Errorf("%s is not one run's results (a results file or a run's directory)", saved)
	}
	return f.Runs[0], nil
}

// SavedProcs is the GOMAXPROCS saved results (a results file or a run's
// directory) were measured at, from their first result's gomaxprocs
// line, or 0 if it has none (go test's own files say it in their names
// alone). A side measured against them must run at the same, or the
// two are never compared.
func SavedProcs(saved string) (int, error) {
	path, err := resultsOf(saved)
	if err != nil {
		return 0, err
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r := benchfmt.NewReader(f, path)
	for r.Scan() {
		if res, ok := r.Result().(*benchfmt.Result); ok {
			n, _ := strconv.Atoi(res.GetConfig("gomaxprocs"))
			return n, nil
		}
	}
	return 0, r.Err()
}

// ParseSide reads what a user names a side by: saved results (a
// results file or a run's directory), a git revision, or "" for the
// working tree.
func ParseSide(spec string) Side {
	if IsSaved(spec) {
		return Side{Saved: spec}
	}
	return Side{Rev: spec}
}

// IsSaved reports whether spec names saved results (a file or a run's
// directory) rather than a revision.
func IsSaved(spec string) bool {
	if _, err := os.Stat(spec); err != nil {
		return false
	}
	_, err := resultsOf(spec)
	return err == nil
}

// procsSuffix is go test's -GOMAXPROCS suffix of a benchmark name.
var procsSuffix = regexp.MustCompile(`-\d+$`)

// usableBase refuses saved base results that cannot be compared with
// anything before head is measured: no results at all, or none of the
// selected cells.
func usableBase(path string, cells []scenarios.Cell) error {
	res, err := table.Load(table.Input{Path: path})
	if err != nil {
		return err
	}
	if res.Count == 0 {
		return fmt.Errorf("base %s holds no benchmark results", path)
	}
	names := map[string]bool{}
	for _, name := range res.Names() {
		names[procsSuffix.ReplaceAllString(name, "")] = true
	}
	for _, c := range cells {
		if names[c.Name()] {
			return nil
		}
	}
	return fmt.Errorf("base %s has none of the %d selected cells (e.g. %s)", path, len(cells), cells[0].Name())
}

// Saved makes one decision from compare directories a compare wrote, one
// per shard of a split suite, as the compare would have at its last look:
// their screens' pairs judged together, and their confirmations' fresh
// pairs; or, for directories without pairs, their runs as two samples.
// Shards that are not whole (a missing or repeated shard) are an error
// naming them, as are pairs that do not match (a *gate.PairError).
func Saved(dirs []string, cfg table.Config, p gate.Plan) (*gate.Decision, error) {
	var inputs, confirm []table.Input
	for _, side := range []string{rundir.Base, rundir.Head} {
		var files []string
		for _, d := range dirs {
			files = append(files, rundir.SideResults(d, side))
			inputs = append(inputs, table.Input{Label: side, Path: rundir.SideResults(d, side)})
			if c := filepath.Join(d, rundir.ConfirmDir); rundir.IsCompare(c) {
				confirm = append(confirm, table.Input{Label: side, Path: rundir.SideResults(c, side)})
			}
		}
		if err := rundir.CheckShards(side, files); err != nil {
			return nil, &SavedError{err}
		}
	}
	res, ts, err := table.LoadTables(cfg, inputs...)
	if err != nil {
		return nil, err
	}
	return gate.DecideSaved(res, ts, p, confirm)
}
