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
// what else used the machine during each run to OutDir/noise.json (see
// package noise); a run of this executable writes the implementations'
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
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/batchbench/batchbench/impl/conformance"
	"github.com/batchbench/batchbench/internal/noise"
	"github.com/batchbench/batchbench/internal/profindex"
	"github.com/batchbench/batchbench/scenarios"
)

// Version is written to results as the harness config line.
const Version = "0.1.0"

// Options configure Run.
type Options struct {
	Cells []scenarios.Cell
	Count int  // measured runs per cell and source
	Quick bool // use the families' quick item counts
	// Shard, "i/n", records that Cells are one shard of a split suite.
	Shard string
	Items int // items per run, overriding the workload's; 0 keeps it
	// RunTime is how long a closed-loop run should last at least: items
	// are scaled up from the warm-up's rate, as go test scales b.N. 0
	// keeps the workload's item count.
	RunTime time.Duration
	Profile bool // run the profiling pass
	// ProfileTime is how long each profile records, repeating the cell's
	// run; 0 means DefaultProfileTime.
	ProfileTime time.Duration
	// OutDir receives the run: results.txt, profiles/ and noise.json, or
	// NAME/results.txt and NAME/profiles/ per named source, and
	// noise.json. Run refuses a directory that already holds an earlier
	// run's output (see Force); one that holds other files keeps them.
	OutDir string
	// Force lets Run replace an OutDir holding an earlier run, with
	// everything in it.
	Force bool
	// WaitIdle, if positive, is how long Run waits at most before each
	// timing round for the machine to go quiet: for others to take at most
	// noise.DefaultThreshold of the CPU over a 200ms window. If it never
	// does, Run says so and goes on. Where /proc is missing, Run says so
	// once and does not wait.
	WaitIdle time.Duration
	Seed     uint64        // shuffles the run order; 0 picks one
	Timeout  time.Duration // per run; 0 means DefaultTimeout
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
	Commit  string   // the source's revision for the commit config line; "" reads git
	Dirty   bool
}

// Defaults for the command line.
const (
	DefaultTimeout     = 2 * time.Minute
	DefaultProfileTime = time.Second
	DefaultRunTime     = 200 * time.Millisecond
)

// Result is what Run produced.
type Result struct {
	Outputs []Output // one per source, in order
	// Noise is what else used the machine during each measured run of the
	// results, in run order; nil where /proc is missing.
	Noise       []noise.Record
	NoisePath   string // OutDir/noise.json, or "" if none was written
	Failed      []Failure
	Interrupted bool
	Seed        uint64
	Wall        time.Duration
}

// Failure is a cell that failed, with why.
type Failure struct {
	Cell   string
	Source string
	Reason string
}

// ErrCellsFailed is returned by Run when at least one cell failed.
var ErrCellsFailed = errors.New("one or more cells failed")

// Run runs the timing pass and, if asked, the profiling pass.
//
// It first checks that opts.OutDir can take the run, and returns an
// *OutDirError if not: OutDir is not a directory, or holds an earlier run
// and opts.Force is off. The run then writes into a fresh directory beside
// OutDir, which Run moves into place as it returns (also when cells
// failed or the run was interrupted), so OutDir only ever holds one run's
// output, and a report rendered into it afterwards sees only that run. A
// harness killed outright leaves its runs in that directory, named
// .BASE.run-*, where BASE is OutDir's last element.
//
// Run returns ErrCellsFailed (with a complete Result) when cells failed,
// and ctx's error when interrupted; results.txt is valid in both cases.
func Run(ctx context.Context, opts Options) (*Result, error) {
	self := len(opts.Sources) == 0
	if err := opts.complete(); err != nil {
		return nil, err
	}
	stage, err := prepareOutput(opts.OutDir, opts.Sources, opts.Force)
	if err != nil {
		return nil, err
	}
	r := &run{opts: opts, stage: stage, start: time.Now(), failed: map[runKey]bool{},
		res: &Result{Seed: opts.Seed}, outs: map[string]*output{}}
	for _, src := range opts.Sources {
		o, err := newOutput(opts, stage.stage, src)
		if err != nil {
			stage.discard()
			return nil, err
		}
		r.outs[src.Name] = o
		r.order = append(r.order, o)
	}
	if self {
		if err := writeMatrix(stage.stage, opts); err != nil {
			stage.discard()
			return nil, err
		}
	}
	fmt.Fprintf(opts.Log, "benchrun: %d cells × %d runs × %d sources, order seed %d\n",
		len(opts.Cells), opts.Count, len(opts.Sources), opts.Seed)
	profiles := 0
	if opts.Profile {
		profiles = len(opts.Cells) * len(opts.Sources)
	}
	r.progress = newProgress(opts.Log, len(opts.Cells)*opts.Count*len(opts.Sources), profiles, opts.ProfileTime)
	r.meter = newMeter(stage.stage, opts.WaitIdle > 0, r.progress.printf)
	return r.finish(r.passes(ctx))
}

// run is one call of Run.
type run struct {
	opts     Options
	stage    *staging
	start    time.Time
	res      *Result
	outs     map[string]*output
	order    []*output // outs in the sources' order
	progress *progress
	meter    *meter
	failed   map[runKey]bool
}

// passes runs the timing pass and the profiling pass.
func (r *run) passes(ctx context.Context) error {
	opts := r.opts
	rng := rand.New(rand.NewPCG(opts.Seed, opts.Seed>>1|1))
	for round := range opts.Count {
		what := fmt.Sprintf("round %d/%d", round+1, opts.Count)
		if err := r.waitIdle(ctx, what); err != nil {
			return err
		}
		err := r.each(ctx, rng.Perm(len(opts.Cells)), timingRun, what, func(src Source, out *output, c scenarios.Cell) error {
			items := opts.items(c)
			before, metered := r.meter.before()
			resp, err := runWorker(ctx, opts, src, request{Cell: c.Name(), Items: items, WarmupItems: max(items/8, 1), MinTime: opts.RunTime})
			if err != nil {
				return err
			}
			if metered {
				if err := r.meter.record(before, noise.Record{Cell: BenchmarkName(c), Source: src.Name, Round: round}); err != nil {
					return err
				}
			}
			return out.results.add(c, resp.Items, resp.Values)
		})
		if err != nil {
			return err
		}
	}
	if opts.Profile {
		order := make([]int, len(opts.Cells))
		for i := range order {
			order[i] = i
		}
		err := r.each(ctx, order, profiledCell, "profile", func(src Source, out *output, c scenarios.Cell) error {
			entry, err := profile(ctx, opts, out.profileDir, src, c)
			if err != nil {
				return fmt.Errorf("profiling pass: %w", err)
			}
			out.index.Cells = append(out.index.Cells, entry)
			return out.index.Write(out.profileDir)
		})
		if err != nil {
			return err
		}
	}
	r.progress.finish()
	if len(r.res.Failed) > 0 {
		return ErrCellsFailed
	}
	return nil
}

// each visits every cell of every source once, in the given cell order,
// sources alternating, skipping failed cells and failing those whose visit
// fails.
func (r *run) each(ctx context.Context, order []int, kind stepKind, what string, visit func(src Source, out *output, c scenarios.Cell) error) error {
	for _, i := range order {
		for _, src := range r.opts.Sources {
			k := runKey{src.Name, r.opts.Cells[i]}
			if r.failed[k] {
				r.progress.skip(kind)
				continue
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			r.progress.start(kind, what+" "+k.String())
			if err := visit(src, r.outs[src.Name], k.cell); err != nil && ctx.Err() == nil {
				r.failed[k] = true
				r.res.Failed = append(r.res.Failed, Failure{k.cell.Name(), src.Name, err.Error()})
				r.progress.printf("FAIL %s: %s", k, firstLine(err.Error()))
				if err := r.outs[src.Name].results.fail(k.cell, err.Error()); err != nil {
					return err
				}
				if err := r.meter.drop(BenchmarkName(k.cell), src.Name); err != nil {
					return err
				}
			}
			r.progress.done()
		}
	}
	return ctx.Err()
}

// waitIdle waits, as Options.WaitIdle asks, for the machine to go quiet
// before the round what.
func (r *run) waitIdle(ctx context.Context, what string) error {
	if r.opts.WaitIdle <= 0 || r.meter.off {
		return nil
	}
	u, quiet, err := waitQuiet(ctx, r.opts.WaitIdle, idleWindow, noise.DefaultThreshold, takeSample, sleep)
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case err != nil:
		r.meter.fail(err)
	case !quiet:
		r.progress.printf("benchrun: %s: the machine did not go quiet in %v (others took %.0f%% of the CPU); going on",
			what, r.opts.WaitIdle, 100*(u.Others+u.Steal))
	}
	return nil
}

// finish moves the run into place and completes the Result with where it
// went.
func (r *run) finish(err error) (*Result, error) {
	res := r.res
	res.Wall = time.Since(r.start)
	at, ierr := r.stage.install()
	root := r.opts.OutDir
	if at != r.stage.dir {
		root = at // the move failed: the output is still where it was staged
	}
	for _, o := range r.order {
		res.Outputs = append(res.Outputs, o.at(root))
	}
	res.Noise = r.meter.records
	if r.meter.written {
		res.NoisePath = filepath.Join(root, noise.File)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		res.Interrupted = true
		for _, o := range res.Outputs {
			fmt.Fprintf(r.opts.Log, "\nbenchrun: interrupted; %s holds the runs that completed\n", o.ResultsPath)
		}
	}
	if ierr != nil {
		return res, errors.Join(err, ierr)
	}
	return res, err
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
	if opts.Profile {
		o.profileDir = filepath.Join(dir, "profiles")
	}
	o.results = newResultsFile(filepath.Join(dir, "results.txt"), Environment(src, opts), opts.Cells)
	return o, o.results.flush()
}

// at returns where the output is once the run's directory is at root.
func (o *output) at(root string) Output {
	out := Output{Source: o.rel, ResultsPath: filepath.Join(root, o.rel, "results.txt")}
	if len(o.index.Cells) > 0 {
		out.ProfileDir = filepath.Join(root, o.rel, "profiles")
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
	if opts.OutDir == "" {
		return &OutDirError{Err: errors.New("none given")}
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
	cmd.Env = append(os.Environ(), workerEnv+"="+string(raw))
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
