// Package harness runs scenario cells against implementations and collects
// their results in Go benchmark format, plus CPU and heap profiles.
//
// A run has two passes. The timing pass runs every cell Count times,
// interleaved: each round runs every cell once, in an order shuffled with a
// printed seed, so drift on a shared machine hits every implementation alike.
// With two sources (base and head builds, for compare) each cell runs once
// per source in turn, A B A B. Each run is a fresh worker process that does a
// discarded warm-up run and then the measured one, under a timeout. The
// profiling pass then runs each cell once more with the CPU profiler on and
// writes an allocs profile, so profiling never distorts the timing numbers.
//
// Results go to OutDir/results.txt (OutDir/NAME/results.txt per source when
// there are several), rewritten atomically after every run, so an
// interrupted or crashed harness leaves a valid file of the runs that
// completed. Profiles go to profiles/ beside it, indexed by index.json, and
// what else used the machine during each run to OutDir/load.json (see
// package load); a run of this executable writes the implementations'
// declared conformance matrix to OutDir/conformance.json. A run is staged
// beside OutDir and moved into it when it ends, so OutDir never mixes two
// runs' output.
package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/batchbench/batchbench/impl/conformance"
	"github.com/batchbench/batchbench/internal/load"
	"github.com/batchbench/batchbench/internal/profindex"
	"github.com/batchbench/batchbench/internal/rundir"
	"github.com/batchbench/batchbench/scenarios"
)

// Version is written to results as the harness config line.
const Version = "0.1.0"

// Options configure Run.
type Options struct {
	Cells []scenarios.Cell // the cells a run measures, in results order
	Count int              // measured runs per cell and source of Run; recorded as the count
	Quick bool             // use the families' quick item counts
	// Shard, "i/n", records that Cells are one shard of a split suite.
	Shard string
	Items int // items per run, overriding the workload's; 0 keeps it
	// RunTime is how long a closed-loop run should last: items are
	// scaled from the warm-up's rate, as go test scales b.N, up or down,
	// never below five batches, once per cell: every later run of the
	// cell, on every source, measures as many, so that both sides of a
	// pair do the same work. 0 keeps the workload's item count.
	RunTime time.Duration
	// Procs is the GOMAXPROCS every worker process starts with, set in
	// its environment, as go test's -cpu sets it for a benchmark: the
	// results name each cell with go test's -N suffix (none at 1) and
	// carry a gomaxprocs line of it, and a worker that runs at another
	// fails the run. 0 leaves it to the environment and the machine.
	// It is set at the start, not switched for each run: a worker that
	// switched measured pairs as far apart as at 2 (docs/merge-gate.md).
	Procs   int
	Profile bool // run the profiling pass
	// ProfileTime is how long each profile records, repeating the cell's
	// run; 0 means DefaultProfileTime.
	ProfileTime time.Duration
	// OutDir receives the run: results.txt, profiles/ and load.json, or
	// NAME/results.txt and NAME/profiles/ per named source, and
	// load.json (see package rundir). A directory that already holds an
	// earlier run's output is refused (see Force); one that holds other
	// files keeps them.
	OutDir string
	// Force lets Run replace an OutDir holding an earlier run, with
	// everything in it.
	Force bool
	// WaitIdle, if positive, is how long Run waits at most before each
	// timing round for the machine to go quiet: for others to take at most
	// load.DefaultThreshold of the CPU over a 200ms window. If it never
	// does, Run says so and goes on. Where /proc is missing, Run says so
	// once and does not wait.
	WaitIdle time.Duration
	Seed     uint64        // shuffles the run order; 0 picks one
	Timeout  time.Duration // per run; 0 means DefaultTimeout
	// ProcessRuns is how many measured runs one worker process serves
	// before a fresh one takes over. Each process does a discarded
	// warm-up run of a cell before its first measured one. 0 or 1 starts
	// a fresh process for every run. Profiles are always taken in a fresh
	// process, as an allocation profile counts from the start.
	ProcessRuns int
	// CellRuns, if positive, is how many measured runs of any one cell a
	// worker process serves at most. A stage that measures few cells for
	// long, such as a gate's confirmation, would otherwise judge a cell
	// on a single pair of processes, and a pair test takes its pairs to
	// be independent: whatever a process adds to all its runs must vary
	// between the pairs.
	CellRuns int
	// Copies, if positive, is how many copies of each source's executable
	// the session makes, for its life; every worker process runs one,
	// drawn at random. Two files with the same bytes have run some cells a
	// few percent apart for as long as they lived (docs/merge-gate.md):
	// with copies, that difference varies between a side's processes,
	// where a pair test sees it, instead of favouring one side for the
	// whole session. Each source's command must then start with an
	// executable that runs from any path. A source with Layouts has its
	// copies made of its layouts in turn, and the n-th worker process of
	// every source runs the same copy number, so that a pair's two runs
	// are of one layout: in a layout of its own, each pair's code differs
	// by the change alone, and over the pairs the gate sees the change
	// under many layouts rather than one.
	Copies int
	// Sources are the builds to measure, run alternately; nil means this
	// executable alone, which must call ServeWorker first thing.
	Sources []Source
	Log     io.Writer // progress and failures; nil means os.Stderr
	// Skipped are the cells the selection left out, and why; a run of
	// this executable writes them into its conformance matrix (Matrix).
	Skipped []conformance.Skipped
}

// A Source is one build of the implementations.
type Source struct {
	// Name labels the source's results with a "source" config line and
	// names its output directory; it must be set when there is more than
	// one source.
	Name    string
	Command []string // starts a worker: an executable that calls ServeWorker
	Env     []string // added to the worker's environment, e.g. a planted slowdown
	Commit  string   // the source's revision for the commit config line; "" reads git
	Dirty   bool
	// Layouts are the same build linked in other function layouts (see
	// Build.Layouts): executables that a worker process runs in place of
	// Command[0] when the session makes copies (Options.Copies).
	Layouts []string
}

// Defaults for the command line.
const (
	DefaultTimeout     = 2 * time.Minute
	DefaultProfileTime = time.Second
	DefaultRunTime     = 200 * time.Millisecond
)

// Result is what a run produced.
type Result struct {
	Outputs []Output // one per source, in order
	// Load is what else used the machine during each measured run of the
	// results, in run order; nil where /proc is missing.
	Load        []load.Record
	LoadPath    string // OutDir/load.json, or "" if none was written
	Failed      []Failure
	Interrupted bool
	Seed        uint64
	// Wall is how long the session took, from Start to Close, less what
	// its nested sessions took (see Nest): the two add up.
	Wall time.Duration
}

// Failure is a cell that failed, with why.
type Failure struct {
	Cell   string
	Source string
	Reason string
}

// ErrCellsFailed is returned by Run and Session.Close when at least one
// cell failed.
var ErrCellsFailed = errors.New("one or more cells failed")

// Run measures opts.Cells opts.Count times and, if asked, profiles them:
// Start, one Measure and one Profile, and Close.
//
// It first checks that opts.OutDir can take the run, and returns an
// *rundir.OutDirError if not. Run returns ErrCellsFailed (with a complete
// Result) when cells failed, and ctx's error when interrupted;
// results.txt is valid in both cases.
func Run(ctx context.Context, opts Options) (*Result, error) {
	s, err := Start(opts)
	if err != nil {
		return nil, err
	}
	s.progress.plan(timingRun, len(s.opts.Cells)*s.opts.Count*len(s.opts.Sources))
	if s.opts.Profile {
		s.progress.plan(profiledCell, len(s.opts.Cells)*len(s.opts.Sources))
	}
	err = s.Measure(ctx, s.opts.Cells, s.opts.Count)
	if err == nil && s.opts.Profile {
		err = s.Profile(ctx, s.opts.Cells)
	}
	return s.Close(err)
}

// A Session is a run in progress: its output is staged beside OutDir
// (see rundir.Stage) and grows with every Measure and Profile, each run
// appended to its source's results file as it is measured, until Close
// installs it. A caller may decide from the results so far which cells
// to measure next. A Session is not safe for concurrent use.
type Session struct {
	opts     Options
	stage    *rundir.Stage
	start    time.Time
	res      *Result
	outs     map[string]*output
	order    []*output // outs in the sources' order
	progress *progress
	meter    *meter
	rng      *rand.Rand
	rounds   int // rounds begun, over every Measure
	failed   map[runKey]bool
	procs    map[string]*process // each source's serving worker, if any
	copies   *copies             // nil: the sources' executables as they are
	started  map[string]int      // worker processes started, per source
	pairs    map[scenarios.Cell]int
	spent    map[scenarios.Cell]time.Duration // measured runs' wall time, warm-ups included
	// items are what every run of a cell measures once its first run
	// fixed them: both sides of a pair must do the same work, or a per-run
	// cost spread over different items would differ between them.
	items  map[scenarios.Cell]int
	nested []*Session // sessions writing inside this one's output (Nest)
}

// Start checks opts and stages the run's output: every source's results
// file, with its configuration header and no results yet. It returns an
// *rundir.OutDirError when OutDir cannot take the run.
func Start(opts Options) (*Session, error) {
	self := len(opts.Sources) == 0
	if err := opts.complete(); err != nil {
		return nil, err
	}
	var names []string
	for _, src := range opts.Sources {
		names = append(names, src.Name)
	}
	stage, err := rundir.Create(opts.OutDir, names, opts.Force)
	if err != nil {
		return nil, err
	}
	if self {
		if err := writeMatrix(stage.Path(), opts); err != nil {
			stage.Discard()
			return nil, err
		}
	}
	s := &Session{opts: opts, stage: stage, start: time.Now(), failed: map[runKey]bool{},
		res: &Result{Seed: opts.Seed}, outs: map[string]*output{},
		rng:   rand.New(rand.NewPCG(opts.Seed, opts.Seed>>1|1)),
		procs: map[string]*process{}, started: map[string]int{}, pairs: map[scenarios.Cell]int{}, spent: map[scenarios.Cell]time.Duration{}, items: map[scenarios.Cell]int{}}
	for _, src := range opts.Sources {
		o, err := newOutput(opts, stage.Path(), src)
		if err != nil {
			stage.Discard()
			return nil, err
		}
		s.outs[src.Name] = o
		s.order = append(s.order, o)
	}
	if s.copies, err = newCopies(opts.Sources, opts.Copies, opts.Seed); err != nil {
		stage.Discard()
		return nil, err
	}
	fmt.Fprintf(opts.Log, "benchrun: %d cells × %d runs × %d sources, order seed %d\n",
		len(opts.Cells), opts.Count, len(opts.Sources), opts.Seed)
	s.progress = newProgress(opts.Log, opts.ProfileTime)
	s.meter = newMeter(stage.Path(), opts.WaitIdle > 0, s.progress.printf, s.workers)
	return s, nil
}

// Nest starts a session, configured by opts but for its OutDir, whose
// output goes inside this one's, at name: a compare's confirmation
// inside its screen. It must be closed before this one, which may go on
// measuring after it; when this one closes, the nested Result's paths
// follow the output to wherever Close installed it, and this one's Wall
// leaves out the nested one's. A cell this one has measured is measured
// at the items its first run fixed, whatever opts say, so that the two
// stages measure one thing: a cost per run, spread over other items,
// would make them differ. Its errors are Start's.
func (s *Session) Nest(name string, opts Options) (*Session, error) {
	opts.OutDir = filepath.Join(s.stage.Path(), name)
	n, err := Start(opts)
	if err == nil {
		maps.Copy(n.items, s.items)
		s.nested = append(s.nested, n)
	}
	return n, err
}

// Results are the sources' results files as they stand, staged, by
// source name ("" for a lone unnamed source): each holds every run
// measured so far.
func (s *Session) Results() map[string]string {
	out := map[string]string{}
	for _, o := range s.order {
		out[o.rel] = o.results.path
	}
	return out
}

// Measure runs rounds more rounds of cells: each round visits every cell
// once, in an order shuffled with the session's seed, and runs it once
// per source. With two sources each visit is a pair: both sides back to
// back, in an order drawn at random, recorded on both results by the
// pair configuration key (its number and which side ran first), so that
// a judgement can take each pair's ratio. Cells that failed are skipped;
// a cell that fails is marked failed in its source's results, its runs
// dropped. It returns ctx's error when interrupted, and an error writing
// the output.
func (s *Session) Measure(ctx context.Context, cells []scenarios.Cell, rounds int) error {
	s.progress.plan(timingRun, len(cells)*rounds*len(s.opts.Sources)-s.progress.unstarted(timingRun))
	for range rounds {
		round := s.rounds
		s.rounds++
		what := fmt.Sprintf("round %d", round+1)
		if err := s.waitIdle(ctx, what); err != nil {
			return err
		}
		err := s.each(ctx, cells, s.rng.Perm(len(cells)), timingRun, what, func(src Source, out *output, c scenarios.Cell, pair string) error {
			req := request{Cell: c.Name(), Items: s.opts.items(c), RunTime: s.opts.RunTime}
			n, fixed := s.items[c]
			if fixed {
				req.Items, req.RunTime = n, 0
			}
			req.WarmupItems = max(req.Items/8, 1)
			before, metered := s.meter.before()
			began := time.Now()
			resp, from, err := s.measure(ctx, src, req)
			took := time.Since(began)
			s.spent[c] += took
			if err != nil {
				return err
			}
			if resp.Procs != 0 && resp.Procs != s.opts.Procs { // 0: a worker too old to say
				return fmt.Errorf("the worker ran at GOMAXPROCS %d, not the run's %d", resp.Procs, s.opts.Procs)
			}
			if !fixed {
				s.items[c] = resp.Items
			}
			if metered {
				if err := s.meter.record(before, load.Record{Cell: benchmarkName(c, s.opts.Procs), Source: src.Name, Round: round, Seconds: took.Seconds()}); err != nil {
					return err
				}
			}
			from.pair = pair
			return out.results.add(c, resp.Items, resp.Values, from)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Spent is the wall time the cell's measured runs have taken so far, on
// every source, and how many pairs (with two sources) it has begun.
func (s *Session) Spent(c scenarios.Cell) (time.Duration, int) { return s.spent[c], s.pairs[c] }

// workers are the process IDs of the live serving workers.
func (s *Session) workers() []int {
	var out []int
	for _, p := range s.procs {
		if !p.dead && p.cmd.Process != nil {
			out = append(out, p.cmd.Process.Pid)
		}
	}
	return out
}

// measure runs one measured run of src: in its serving worker process,
// started as needed and replaced after Options.ProcessRuns runs, or
// Options.CellRuns of the cell, or in a fresh process of its own. It
// returns the process's number and layout with the answer.
func (s *Session) measure(ctx context.Context, src Source, req request) (*response, origin, error) {
	if s.opts.ProcessRuns <= 1 {
		s.started[src.Name]++
		picked, layout := s.copies.pick(src, s.started[src.Name])
		resp, err := runWorker(ctx, s.opts, picked, req)
		return resp, origin{worker: s.started[src.Name], layout: layout}, err
	}
	p := s.procs[src.Name]
	if p != nil && !p.dead && s.opts.CellRuns > 0 && p.cells[req.Cell] >= s.opts.CellRuns {
		p.close()
	}
	if p == nil || p.dead {
		picked, layout := s.copies.pick(src, s.started[src.Name]+1)
		var err error
		if p, err = startProcess(picked); err != nil {
			return nil, origin{}, err
		}
		s.started[src.Name]++
		p.number, p.layout = s.started[src.Name], layout
		s.procs[src.Name] = p
	}
	resp, err := p.run(ctx, s.opts.Timeout, req)
	if err != nil && p.dead {
		// It died: the other sources' processes end too, so that every
		// source's next one has the same number, and so the same copy
		// and layout as the other half of its pairs.
		s.closeWorkers()
	}
	if p.served >= s.opts.ProcessRuns && !p.dead {
		p.close()
	}
	return resp, origin{worker: p.number, layout: p.layout}, err
}

// closeWorkers ends every source's serving worker process.
func (s *Session) closeWorkers() {
	for _, p := range s.procs {
		if !p.dead {
			p.close()
		}
	}
}

// Profile runs each cell once more per source with the CPU profiler on,
// and once more for its allocation profile, into each source's profiles/
// and its index.json.
func (s *Session) Profile(ctx context.Context, cells []scenarios.Cell) error {
	s.progress.plan(profiledCell, len(cells)*len(s.opts.Sources)-s.progress.unstarted(profiledCell))
	order := make([]int, len(cells))
	for i := range order {
		order[i] = i
	}
	return s.each(ctx, cells, order, profiledCell, "profile", func(src Source, out *output, c scenarios.Cell, _ string) error {
		if out.profileDir == "" {
			out.profileDir = filepath.Join(s.stage.Path(), out.rel, rundir.ProfileDir)
		}
		entry, err := profile(ctx, s.opts, out.profileDir, src, c)
		if err != nil {
			return fmt.Errorf("profiling pass: %w", err)
		}
		out.index.Cells = append(out.index.Cells, entry)
		return out.index.Write(out.profileDir)
	})
}

// each visits every cell of every source once, in the given cell order,
// skipping failed cells and failing those whose visit fails. A timing
// visit of two sources is a pair: the sources in an order drawn at
// random, told the pair's key; otherwise they take their turns in order.
func (s *Session) each(ctx context.Context, cells []scenarios.Cell, order []int, kind stepKind, what string, visit func(src Source, out *output, c scenarios.Cell, pair string) error) error {
	for _, i := range order {
		sources, pair := s.opts.Sources, ""
		if kind == timingRun && len(sources) == 2 {
			if s.rng.IntN(2) == 1 {
				sources = []Source{sources[1], sources[0]}
			}
			pair = fmt.Sprintf("%d %s-first", s.pairs[cells[i]], sources[0].Name)
			s.pairs[cells[i]]++
		}
		for _, src := range sources {
			k := runKey{src.Name, cells[i]}
			if s.failed[k] {
				s.progress.skip(kind)
				continue
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			s.progress.start(kind, what+" "+k.String())
			if err := visit(src, s.outs[src.Name], k.cell, pair); err != nil && ctx.Err() == nil {
				s.failed[k] = true
				s.res.Failed = append(s.res.Failed, Failure{k.cell.Name(), src.Name, err.Error()})
				s.progress.printf("FAIL %s: %s", k, firstLine(err.Error()))
				if err := s.outs[src.Name].results.fail(k.cell, err.Error()); err != nil {
					return err
				}
				if err := s.meter.drop(benchmarkName(k.cell, s.opts.Procs), src.Name); err != nil {
					return err
				}
			}
			s.progress.done()
		}
	}
	return ctx.Err()
}

// waitIdle waits, as Options.WaitIdle asks, for the machine to go quiet
// before the round what.
func (s *Session) waitIdle(ctx context.Context, what string) error {
	if s.opts.WaitIdle <= 0 || s.meter.off {
		return nil
	}
	u, quiet, err := waitQuiet(ctx, s.opts.WaitIdle, idleWindow, load.DefaultThreshold, s.meter.take, sleep)
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case err != nil:
		s.meter.fail(err)
	case !quiet:
		s.progress.printf("benchrun: %s: the machine did not go quiet in %v (others took %.0f%% of the CPU); going on",
			what, s.opts.WaitIdle, 100*(u.Others+u.Steal))
	}
	return nil
}

// Close ends the session, err being how the last Measure or Profile
// ended: it moves the run into OutDir and returns where it went. It
// returns ErrCellsFailed (with a complete Result) when cells failed and
// err is nil, and err otherwise; a ctx error marks the result
// interrupted. The results files are valid in every case.
func (s *Session) Close(err error) (*Result, error) {
	s.closeWorkers()
	s.copies.remove()
	s.progress.finish()
	for _, o := range s.order {
		err = errors.Join(err, o.results.close())
	}
	if len(s.meter.records) > 0 {
		err = errors.Join(err, s.meter.flush())
	}
	if err == nil && len(s.res.Failed) > 0 {
		err = ErrCellsFailed
	}
	res := s.res
	res.Wall = time.Since(s.start)
	at, ierr := s.stage.Install()
	root := s.opts.OutDir
	if at == s.stage.Path() {
		root = at // the move failed: the output is still where it was staged
	}
	for _, o := range s.order {
		res.Outputs = append(res.Outputs, o.at(root))
	}
	res.Load = s.meter.records
	if s.meter.written {
		res.LoadPath = filepath.Join(root, load.File)
	}
	for _, n := range s.nested {
		res.Wall -= n.res.Wall
		n.res.move(s.stage.Path(), root)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		res.Interrupted = true
		for _, o := range res.Outputs {
			fmt.Fprintf(s.opts.Log, "\nbenchrun: interrupted; %s holds the runs that completed\n", o.ResultsPath)
		}
	}
	if ierr != nil {
		return res, errors.Join(err, ierr)
	}
	return res, err
}

// move re-roots the result's paths from one directory to another, where
// its output went with the directory holding it.
func (r *Result) move(from, to string) {
	at := func(path string) string {
		rel, err := filepath.Rel(from, path)
		if path == "" || err != nil || !filepath.IsLocal(rel) {
			return path
		}
		return filepath.Join(to, rel)
	}
	for i, o := range r.Outputs {
		r.Outputs[i].ResultsPath, r.Outputs[i].ProfileDir = at(o.ResultsPath), at(o.ProfileDir)
	}
	r.LoadPath = at(r.LoadPath)
}

// Output is where one source's results went.
type Output struct {
	Source      string
	ResultsPath string
	// ProfileDir holds profiles/index.json; it is "" when no cell was
	// profiled (no profiling pass, or the run ended before it did any).
	ProfileDir string
}

type output struct {
	rel        string // the source's directory inside the run's: "" or its name
	results    *resultsFile
	profileDir string // where the profiles are staged; "" without profiling
	index      profindex.Index
}

// newOutput prepares a source's output in the staging directory dir: dir
// itself for a lone unnamed source, dir/NAME for each of several.
func newOutput(opts Options, dir string, src Source) (*output, error) {
	o := &output{rel: src.Name}
	dir = filepath.Join(dir, o.rel)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var err error
	o.results, err = newResultsFile(filepath.Join(dir, rundir.ResultsFile), environment(src, opts), opts.Procs, opts.Cells)
	return o, err
}

// at returns where the output is once the run's directory is at root.
func (o *output) at(root string) Output {
	out := Output{Source: o.rel, ResultsPath: filepath.Join(root, o.rel, rundir.ResultsFile)}
	if len(o.index.Cells) > 0 {
		out.ProfileDir = filepath.Join(root, o.rel, rundir.ProfileDir)
	}
	return out
}

func (opts *Options) complete() error {
	if len(opts.Cells) == 0 {
		return errors.New("no cells to run")
	}
	if opts.Count < 1 {
		return fmt.Errorf("count must be >= 1, got %d", opts.Count)
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.ProfileTime <= 0 {
		opts.ProfileTime = DefaultProfileTime
	}
	if opts.Log == nil {
		opts.Log = os.Stderr
	}
	if len(opts.Sources) == 0 {
		exe, err := os.Executable()
		if err != nil {
			return fmt.Errorf("finding the worker executable: %w", err)
		}
		opts.Sources = []Source{{Command: []string{exe}}}
	}
	if len(opts.Sources) > 1 {
		for _, s := range opts.Sources {
			if s.Name == "" {
				return errors.New("every source needs a name when there are several")
			}
		}
	}
	if opts.Seed == 0 {
		opts.Seed = rand.Uint64()
	}
	switch {
	case opts.Procs < 0:
		return fmt.Errorf("procs must be >= 0, got %d", opts.Procs)
	case opts.Procs > 0:
		sources := slices.Clone(opts.Sources)
		for i := range sources {
			sources[i].Env = append(slices.Clip(sources[i].Env), fmt.Sprintf("GOMAXPROCS=%d", opts.Procs))
		}
		opts.Sources = sources
	default:
		opts.Procs = runtime.GOMAXPROCS(0) // what the workers inherit
	}
	return nil
}

func (opts *Options) items(c scenarios.Cell) int {
	w := c.Workload()
	switch {
	case opts.Items > 0:
		return opts.Items
	case opts.Quick && w.QuickItems > 0:
		return w.QuickItems
	}
	return w.Items
}

// runKey is one cell of one source, by the source's name.
type runKey struct {
	source string
	cell   scenarios.Cell
}

func (k runKey) String() string {
	if k.source == "" {
		return k.cell.Name()
	}
	return k.cell.Name() + " (" + k.source + ")"
}

func profile(ctx context.Context, opts Options, dir string, src Source, c scenarios.Cell) (profindex.Entry, error) {
	rel := c.Name()
	if src.Name != "" {
		rel = src.Name + "/" + rel
	}
	base := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(base), 0o755); err != nil {
		return profindex.Entry{}, err
	}
	req := request{Cell: c.Name(), Items: opts.items(c), ProfileTime: opts.ProfileTime, CPUProfile: base + ".cpu.pprof"}
	_, err := runWorker(ctx, opts, src, req)
	if err == nil {
		req.CPUProfile, req.HeapProfile = "", base+".heap.pprof"
		_, err = runWorker(ctx, opts, src, req)
	}
	return profindex.Entry{
		Benchmark: c.Name(), Family: c.Family.Name, Impl: c.Impl, Source: src.Name,
		CPU: rel + ".cpu.pprof", Heap: rel + ".heap.pprof",
	}, err
}

// runWorker runs one request in a fresh worker process under the timeout.
func runWorker(ctx context.Context, opts Options, src Source, req request) (*response, error) {
	raw, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, src.Command[0], src.Command[1:]...)
	cmd.Env = append(append(os.Environ(), src.Env...), workerEnv+"="+string(raw))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	if ctx.Err() == context.DeadlineExceeded {
		return nil, fmt.Errorf("timed out after %v (hung implementation?)", opts.Timeout)
	}
	var resp response
	if jerr := json.Unmarshal(stdout.Bytes(), &resp); jerr != nil || err != nil {
		return nil, fmt.Errorf("worker died: %v\n%s", err, headLines(stderr.String(), 20))
	}
	if resp.Error != "" {
		return nil, errors.New(resp.Error)
	}
	return &resp, nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// headLines keeps the first lines: a panic's first lines say what and where.
func headLines(s string, lines int) string {
	parts := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(parts[:min(len(parts), lines)], "\n")
}
