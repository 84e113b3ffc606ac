// Package harness runs scenario cells against implementations and collects
// their results in Go benchmark format, plus CPU and heap profiles.
//
// A run has two passes. The timing pass runs every cell Count times,
// interleaved: each round runs every cell once, in an order shuffled with a
// printed seed, so drift on a shared machine hits every implementation alike.
// Each run is a fresh worker process that does a discarded warm-up run and
// then the measured one, under a timeout. The profiling pass then runs each
// cell once more with the CPU profiler on and writes an allocs profile, so
// profiling never distorts the timing numbers.
//
// Results go to OutDir/results.txt, rewritten atomically after every run, so
// an interrupted or crashed harness leaves a valid file of the runs that
// completed. Profiles go to OutDir/profiles, indexed by profiles/index.json.
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

	"github.com/batchbench/batchbench/scenarios"
)

// Version is written to results as the harness config line.
const Version = "0.1.0"

// Options configure Run.
type Options struct {
	Cells   []scenarios.Cell
	Count   int           // measured runs per cell
	Quick   bool          // use the families' quick item counts
	Items   int           // items per run, overriding the workload's; 0 keeps it
	Profile bool          // run the profiling pass
	OutDir  string        // results.txt and profiles/ go here
	Seed    uint64        // shuffles the run order; 0 picks one
	Timeout time.Duration // per run; 0 means DefaultTimeout
	// Command starts a worker; nil means this executable, which must call
	// ServeWorker first thing.
	Command []string
	Log     io.Writer // progress and failures; nil means os.Stderr
}

// DefaultTimeout bounds one run of one cell.
const DefaultTimeout = 2 * time.Minute

// Result is what Run produced.
type Result struct {
	ResultsPath string
	ProfileDir  string // "" without the profiling pass
	Failed      []Failure
	Interrupted bool
	Seed        uint64
	Wall        time.Duration
}

// Failure is a cell that failed, with why.
type Failure struct {
	Cell   string
	Reason string
}

// ErrCellsFailed is returned by Run when at least one cell failed.
var ErrCellsFailed = errors.New("one or more cells failed")

// Run runs the timing pass and, if asked, the profiling pass. It returns
// ErrCellsFailed (with a complete Result) when cells failed, and ctx's error
// when interrupted; results.txt is valid in both cases.
func Run(ctx context.Context, opts Options) (*Result, error) {
	if len(opts.Cells) == 0 {
		return nil, errors.New("no cells to run")
	}
	if opts.Count < 1 {
		return nil, fmt.Errorf("count must be >= 1, got %d", opts.Count)
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Log == nil {
		opts.Log = os.Stderr
	}
	if opts.Command == nil {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("finding the worker executable: %w", err)
		}
		opts.Command = []string{exe}
	}
	if opts.Seed == 0 {
		opts.Seed = rand.Uint64()
	}
	if err := os.MkdirAll(opts.OutDir, 0o755); err != nil {
		return nil, err
	}
	start := time.Now()
	res := &Result{ResultsPath: filepath.Join(opts.OutDir, "results.txt"), Seed: opts.Seed}
	out := newResultsFile(res.ResultsPath, Environment(opts.Seed, opts.Count, opts.Quick), opts.Cells)
	if err := out.flush(); err != nil {
		return nil, err
	}
	fmt.Fprintf(opts.Log, "benchrun: %d cells × %d runs, order seed %d\n", len(opts.Cells), opts.Count, opts.Seed)

	total := len(opts.Cells) * opts.Count
	if opts.Profile {
		total += len(opts.Cells)
	}
	progress := newProgress(opts.Log, total)
	failed := map[string]bool{}
	fail := func(c scenarios.Cell, reason string) error {
		failed[c.Name()] = true
		res.Failed = append(res.Failed, Failure{c.Name(), reason})
		progress.printf("FAIL %s: %s", c.Name(), firstLine(reason))
		return out.fail(c, reason)
	}

	rng := rand.New(rand.NewPCG(opts.Seed, opts.Seed>>1|1))
	for round := range opts.Count {
		for _, i := range rng.Perm(len(opts.Cells)) {
			c := opts.Cells[i]
			if failed[c.Name()] {
				progress.skip()
				continue
			}
			if ctx.Err() != nil {
				return interrupted(res, start, ctx.Err(), opts.Log)
			}
			progress.start(fmt.Sprintf("round %d/%d %s", round+1, opts.Count, c.Name()))
			items := itemsFor(c, opts)
			vals, err := runWorker(ctx, opts, request{Cell: c.Name(), Items: items, WarmupItems: max(items/8, 1)})
			if err == nil {
				err = out.add(c, items, vals)
			} else if ctx.Err() == nil {
				err = fail(c, err.Error())
			}
			if err != nil && ctx.Err() == nil {
				return res, err
			}
			progress.done()
		}
	}
	if opts.Profile {
		res.ProfileDir = filepath.Join(opts.OutDir, "profiles")
		index := &ProfileIndex{}
		for _, c := range opts.Cells {
			if failed[c.Name()] {
				progress.skip()
				continue
			}
			if ctx.Err() != nil {
				return interrupted(res, start, ctx.Err(), opts.Log)
			}
			progress.start("profile " + c.Name())
			entry, err := profileCell(ctx, opts, res.ProfileDir, c)
			if err != nil && ctx.Err() == nil {
				if err := fail(c, "profiling pass: "+err.Error()); err != nil {
					return res, err
				}
			} else if err == nil {
				index.Cells = append(index.Cells, entry)
				if err := index.write(res.ProfileDir); err != nil {
					return res, err
				}
			}
			progress.done()
		}
	}
	progress.finish()
	res.Wall = time.Since(start)
	if ctx.Err() != nil {
		return interrupted(res, start, ctx.Err(), opts.Log)
	}
	if len(res.Failed) > 0 {
		return res, ErrCellsFailed
	}
	return res, nil
}

func interrupted(res *Result, start time.Time, err error, log io.Writer) (*Result, error) {
	res.Interrupted = true
	res.Wall = time.Since(start)
	fmt.Fprintf(log, "\nbenchrun: interrupted; %s holds the runs that completed\n", res.ResultsPath)
	return res, err
}

func itemsFor(c scenarios.Cell, opts Options) int {
	w := c.Workload()
	if opts.Items > 0 {
		return opts.Items
	}
	if opts.Quick && w.QuickItems > 0 {
		return w.QuickItems
	}
	return w.Items
}

func profileCell(ctx context.Context, opts Options, dir string, c scenarios.Cell) (ProfileEntry, error) {
	base := filepath.Join(dir, filepath.FromSlash(c.Name()))
	if err := os.MkdirAll(filepath.Dir(base), 0o755); err != nil {
		return ProfileEntry{}, err
	}
	e := ProfileEntry{
		Benchmark: c.Name(), Family: c.Family.Name, Impl: c.Impl,
		CPU: c.Name() + ".cpu.pprof", Heap: c.Name() + ".heap.pprof",
	}
	_, err := runWorker(ctx, opts, request{
		Cell: c.Name(), Items: itemsFor(c, opts),
		CPUProfile: base + ".cpu.pprof", HeapProfile: base + ".heap.pprof",
	})
	return e, err
}

// runWorker runs one request in a fresh worker process under the timeout.
func runWorker(ctx context.Context, opts Options, req request) ([]value, error) {
	raw, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, opts.Command[0], opts.Command[1:]...)
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
	return resp.Values, nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func headLines(s string, lines int) string {
	parts := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(parts) > lines {
		parts = parts[:lines] // a panic's first lines say what and where
	}
	return strings.Join(parts, "\n")
}
