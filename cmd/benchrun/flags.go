package main

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/batchbench/batchbench/harness"
	"github.com/batchbench/batchbench/harness/compare"
	"github.com/batchbench/batchbench/impl/conformance"
	"github.com/batchbench/batchbench/internal/rundir"
	"github.com/batchbench/batchbench/reports/gate"
	"github.com/batchbench/batchbench/reports/table"
	"github.com/batchbench/batchbench/scenarios"
)

// Every flag two commands share is defined here, once.

// quickCount is the count -quick gives commands that measure.
const quickCount = 6

// selection holds the flags that choose cells and how long they run.
type selection struct {
	scenarios.Selection
	skipped []conformance.Skipped // the cells cells left out, and why
}

func (s *selection) register(fs *flag.FlagSet) {
	fs.StringVar(&s.Impl, "impl", ".", "run implementations whose name matches `REGEX`")
	fs.StringVar(&s.Cell, "scenario", ".", "run cells whose Family/key=value matches `REGEX`, e.g. Size or 'size=1000$'")
	fs.BoolVar(&s.Quick, "quick", false, "smaller grids, fewer items, shorter runs and count 6: a full run in about a minute")
	fs.DurationVar(&s.RunTime, "runtime", harness.DefaultRunTime, "scale closed-loop runs to last about this long (never below five batches); -quick halves it")
	fs.StringVar(&s.Shard, "shard", "", "run only shard `i/n` of the selected cells (1-based), split deterministically and balanced by expected cost")
}

// cells applies -quick's run time and returns the selected cells.
func (s *selection) cells(fs *flag.FlagSet) ([]scenarios.Cell, error) {
	if !flagSet(fs, "runtime") && s.Quick && !s.Gate {
		s.RunTime = harness.DefaultRunTime / 2
	}
	if s.RunTime < 0 {
		return nil, usageError{fmt.Errorf("-runtime must be >= 0, got %v", s.RunTime)}
	}
	cells, skipped, err := s.Cells()
	s.skipped = skipped
	if err != nil {
		return nil, usageError{fmt.Errorf("-impl %q -scenario %q -shard %q: %v", s.Impl, s.Cell, s.Shard, err)}
	}
	return cells, nil
}

// measuring holds the flags of every command that measures: how many
// runs, and under what limits.
type measuring struct {
	count       int
	timeout     time.Duration
	waitIdle    time.Duration
	seed        uint64
	processRuns int
	procs       int
}

func (m *measuring) register(fs *flag.FlagSet, what string) {
	fs.IntVar(&m.count, "count", 10, "measured runs per "+what+"; -quick makes it 6")
	fs.DurationVar(&m.timeout, "timeout", harness.DefaultTimeout, "fail a run that takes longer than this")
	fs.DurationVar(&m.waitIdle, "wait-idle", 0, "before each round, wait up to this long for other processes to leave the CPU idle (0: don't wait)")
	fs.Uint64Var(&m.seed, "seed", 0, "shuffle the run order with this seed (0: random, printed)")
	fs.IntVar(&m.processRuns, "process-runs", 1, "measured runs one worker process serves before a fresh one takes over (1: a process per run)")
	fs.IntVar(&m.procs, "cpu", 0, "start every worker process at GOMAXPROCS `N`, as go test's -cpu does (one value; 0: the environment's, else the machine's CPUs)")
}

// finish applies -quick's count and checks the values.
func (m *measuring) finish(fs *flag.FlagSet, sel *selection) error {
	if !flagSet(fs, "count") && sel.Quick && !sel.Gate {
		m.count = quickCount
	}
	if m.count < 1 || m.timeout <= 0 || m.waitIdle < 0 {
		return usageError{fmt.Errorf("-count must be >= 1, -timeout > 0 and -wait-idle >= 0, got %d, %v and %v", m.count, m.timeout, m.waitIdle)}
	}
	if m.procs < 0 {
		return usageError{fmt.Errorf("-cpu must be >= 0, got %d", m.procs)}
	}
	return nil
}

// options are the harness's settings for these flags.
func (m *measuring) options(sel *selection, cells []scenarios.Cell, out string, stderr io.Writer) harness.Options {
	return harness.Options{Cells: cells, Count: m.count, Quick: sel.Quick, Shard: sel.Shard, RunTime: sel.RunTime,
		OutDir: out, WaitIdle: m.waitIdle, Seed: m.seed, Timeout: m.timeout, ProcessRuns: m.processRuns, Procs: m.procs, Log: stderr}
}

// judging holds the flags of the commands that make the gate's decisions.
type judging struct {
	threshold, cover gate.Threshold
	alpha            float64
}

func (j *judging) register(fs *flag.FlagSet) {
	j.threshold, j.alpha, j.cover = 0.05, 0.05, 1
	fs.Var(&j.threshold, "threshold", "smallest relative change that counts, e.g. 5% or 0.05")
	fs.Float64Var(&j.alpha, "alpha", 0.05, "the gate's false blocks per decision, shared among the cells (a significance level for unpaired runs)")
	fs.Var(&j.cover, "cover", "pass only when at least this share of the gated cells resolves the threshold (in pairs: passes it), e.g. 90%")
}

// confidenceFlag registers -confidence, benchstat's flag: the level of
// the intervals a report shows (not of the gate's decision).
func confidenceFlag(fs *flag.FlagSet) *gate.Confidence {
	c := gate.Confidence(table.DefaultConfidence)
	fs.Var(&c, "confidence", "the level of the report's intervals: its tables', plots' and paired estimates' (not the gate's decision), e.g. 95% or 0.99")
	return &c
}

// plan is the gate's plan for these flags.
func (j *judging) plan() gate.Plan {
	return gate.Plan{Options: gate.Options{Head: rundir.Head, Threshold: float64(j.threshold), Cover: float64(j.cover)}, Alpha: j.alpha}
}

// check refuses an alpha out of range and, for commands that measure, a
// count too small for the test to reach alpha, before anything runs.
func (j *judging) check(count int) error {
	if err := gate.TableConfig(j.alpha, "").Check(); err != nil {
		return usageError{err}
	}
	if count > 0 && count < 2 {
		return usageError{fmt.Errorf("-count %d is too small: a paired test needs at least 2 pairs", count)}
	}
	if !(j.cover > 0) {
		return usageError{fmt.Errorf("-cover must be above 0%%, got %s", j.cover)}
	}
	return nil
}

// Default budgets of a compare's pairs: the quick suite's keeps make
// compare QUICK=1 within 4 minutes on 2 cores, builds included.
const (
	defaultBudget = 10 * time.Minute
	quickBudget   = 3 * time.Minute
)

// quickProcs is the quick gate's GOMAXPROCS: at one CPU a cell measures
// the code's cost without the hand-off between CPUs, whose cost moves
// with where the host runs them, so that on a shared 2-vCPU VM the pairs
// of a closed-loop cell spread a median 8% rather than 13% (5% rather
// than 11% by their middle) and the quick budget resolves a median 3.6%
// rather than 5% (docs/merge-gate.md). What two CPUs add (contention,
// cache lines moving between them, ring's shards) is left to the full
// gate, at all of them.
const quickProcs = 1

// gateFlags are the flags of the commands that make the gate's
// decisions (compare, calibrate, bisect): the cells, the runs, and what
// counts.
type gateFlags struct {
	sel     selection
	m       measuring
	j       judging
	budget  time.Duration
	layouts int
	cells   []scenarios.Cell
}

func (g *gateFlags) register(fs *flag.FlagSet) {
	g.sel.register(fs)
	g.m.register(fs, "cell before the gate's first look, in pairs")
	g.j.register(fs)
	fs.DurationVar(&g.budget, "budget", defaultBudget, "measure the cells the gate has not decided, pair after pair, for at most this long (-quick: 3m; 0: -count pairs, and -count fresh pairs more of each cell flagged)")
	fs.IntVar(&g.layouts, "layouts", gateLayouts, "link each build in this many function layouts, a pair's two runs in one (1: the linker's own alone)")
	// A gate's runs are short and in pairs; -quick leaves them so.
	for name, v := range map[string]string{"count": fmt.Sprint(gatePairs), "runtime": gateRunTime.String(), "process-runs": fmt.Sprint(gateProcessRuns)} {
		f := fs.Lookup(name)
		f.Value.Set(v)
		f.DefValue = v
	}
	fs.Lookup("count").Usage = "pairs of each cell before the gate's first look"
	fs.Lookup("cpu").Usage = "start every worker process at GOMAXPROCS `N`, as go test's -cpu does (one value; 0: the environment's, else the machine's CPUs; -quick: 1)"
	fs.Lookup("runtime").Usage = "scale closed-loop runs to last about this long (never below five batches)"
}

// A gate's defaults: many short runs in pairs carry more of the
// information a decision needs per second than a few long ones (the
// spread lives between runs, docs/merge-gate.md), and a serving worker
// spares each run a process's start.
const (
	gatePairs       = gate.DefaultMinPairs
	gateRunTime     = 20 * time.Millisecond
	gateProcessRuns = 100
	// gateLayouts is how many function layouts each build is linked in
	// (harness.Build.Layouts): a change moves the code after it, and in
	// one layout that alone moved cells by several percent.
	gateLayouts = 4
)

// parse parses args (allowing that many positional ones), applies the
// gate's defaults and -quick's, and checks every value, so that a count
// too small for the test is refused before anything is built, and
// selects the cells.
func (g *gateFlags) parse(fs *flag.FlagSet, args []string, positional int) error {
	g.sel.Gate = true
	err := parseFlags(fs, args, positional)
	if err == nil {
		err = g.m.finish(fs, &g.sel)
	}
	if err == nil {
		err = g.j.check(g.m.count)
	}
	if err == nil {
		g.cells, err = g.sel.cells(fs)
	}
	if g.sel.Quick {
		if !flagSet(fs, "budget") {
			g.budget = quickBudget
		}
		if !flagSet(fs, "cpu") {
			g.m.procs = quickProcs
		}
	}
	if err == nil && g.budget < 0 {
		err = usageError{fmt.Errorf("-budget must be >= 0, got %v", g.budget)}
	}
	if err == nil && g.layouts < 1 {
		err = usageError{fmt.Errorf("-layouts must be >= 1, got %d", g.layouts)}
	}
	return err
}

// compare is a comparison's settings, building with b and writing to
// out, the measurements logged to log.
func (g *gateFlags) compare(b harness.Build, out, ignore string, log io.Writer) compare.Options {
	p := g.j.plan()
	p.MinPairs = g.m.count
	b.Layouts = g.layouts
	return compare.Options{Build: b, Run: g.m.options(&g.sel, g.cells, out, log), Plan: p, Table: gate.TableConfig(g.j.alpha, ignore),
		Budget: g.budget}
}

// procsOfSaved measures a side against saved results at the GOMAXPROCS
// they were measured at, unless -cpu says otherwise: a saved run -quick
// ran at the machine's CPUs, and a head measured at -quick's one CPU
// could never be compared with it. Saved results it cannot read are
// left to compare.Run to refuse.
func (g *gateFlags) procsOfSaved(fs *flag.FlagSet, o *compare.Options) {
	saved := cmp.Or(o.Base.Saved, o.Head.Saved)
	if flagSet(fs, "cpu") || saved == "" || (o.Base.Saved != "" && o.Head.Saved != "") {
		return
	}
	if n, err := compare.SavedProcs(saved); err == nil && n > 0 {
		o.Run.Procs = n
	}
}

// inputList is a repeatable -in flag of benchstat's NAME=PATH inputs,
// split here, once: a path whose own name holds "=" is taken whole.
type inputList []table.Input

func (l *inputList) String() string {
	var s []string
	for _, in := range *l {
		s = append(s, in.String())
	}
	return strings.Join(s, " ")
}

func (l *inputList) Set(v string) error {
	in := table.ParseInput(v)
	if in.Label != "" && !exists(in.Path) && exists(v) {
		in = table.Input{Path: v}
	}
	*l = append(*l, in)
	return nil
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parseFlags parses args, refusing arguments beyond the flags unless
// positional allows that many.
func parseFlags(fs *flag.FlagSet, args []string, positional int) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > positional {
		return usageError{fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args()[positional:], " "))}
	}
	return nil
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
