// Command benchrun runs batchbench's scenarios against the registered batcher
// implementations and renders reports from the results.
//
//	benchrun run [-impl REGEX] [-scenario REGEX] [-count N] [-quick] [-profile=true] [-report] -o DIR
//	benchrun report -in [NAME=]DIR|FILE ... [-o DIR] [-col PROJECTION] [-ignore KEYS] [-baseline VALUE] [-head VALUE [-threshold 5%]]
//	benchrun compare -base REF|DIR [-head REF|DIR] [-impl REGEX] [-scenario REGEX] [-count N] [-quick] [-threshold 5%] [-alpha 0.05] [-ignore KEYS] -o DIR
//	benchrun calibrate -n N [-planted] [-impl REGEX] [-scenario REGEX] [-count N] [-quick] -o DIR
//	benchrun history add -db DIR [-force] RESULTS|COMPARE_DIR
//	benchrun trend -db DIR -o OUT [-threshold 5%] [-alpha 0.05]
//	benchrun bisect -good REF -bad REF [-impl REGEX] [-scenario REGEX] [-count N] [-quick]
//	benchrun list [-impl REGEX] [-scenario REGEX] [-quick]
//
// Exit status: 0 success, 1 a cell failed, the run was interrupted, or
// (compare, report -head) the gate blocked the merge; 2 usage or build
// error, or a gate that could not judge (incomparable inputs, nothing
// compared, too few runs).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/batchbench/batchbench/harness"
	"github.com/batchbench/batchbench/impl/conformance"
	"github.com/batchbench/batchbench/impl/peers"
	"github.com/batchbench/batchbench/impl/registry"
	"github.com/batchbench/batchbench/internal/runconfig"
	"github.com/batchbench/batchbench/scenarios"
)

const usage = `usage:
  benchrun run [-impl REGEX] [-scenario REGEX] [-count N] [-quick] [-profile=true] [-report] -o DIR
  benchrun report -in [NAME=]DIR|FILE [-in ...] [-o DIR] [-col PROJECTION] [-ignore KEYS] [-baseline VALUE]
                  [-head VALUE [-threshold 5%]]
  benchrun compare -base REF|DIR [-head REF|DIR] [-impl REGEX] [-scenario REGEX] [-count N] [-quick]
                   [-threshold 5%] [-alpha 0.05] [-ignore KEYS] [-tags TAGS] -o DIR
  benchrun calibrate -n N [-planted] [-impl REGEX] [-scenario REGEX] [-count N] [-quick] -o DIR
  benchrun history add -db DIR [-force] RESULTS|COMPARE_DIR
  benchrun trend -db DIR -o OUT [-threshold 5%] [-alpha 0.05]
  benchrun bisect -good REF -bad REF [-impl REGEX] [-scenario REGEX] [-count N] [-quick]
  benchrun list [-impl REGEX] [-scenario REGEX] [-quick]

Run "benchrun COMMAND -h" for a command's flags.
`

// usageError marks errors that exit with status 2.
type usageError struct{ error }

func main() {
	peers.Register() // first: a worker is this binary, and runs peers' cells too
	harness.ServeWorker()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "run":
		err = runCmd(args[1:], stdout, stderr)
	case "list":
		err = listCmd(args[1:], stdout, stderr)
	case "report":
		err = reportCmd(args[1:], stdout, stderr)
	case "compare":
		err = compareCmd(args[1:], stdout, stderr)
	case "calibrate":
		err = calibrateCmd(args[1:], stdout, stderr)
	case "history":
		err = historyCmd(args[1:], stdout, stderr)
	case "trend":
		err = trendCmd(args[1:], stdout, stderr)
	case "bisect":
		err = bisectCmd(args[1:], stdout, stderr)
	case "bisect-step": // run by git bisect run; not for people
		return bisectStepCmd(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		err = usageError{fmt.Errorf("unknown command %q", args[0])}
	}
	var ue usageError
	var be buildError
	var ge gateError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ge):
		// The decision was printed with the report; only its status is left.
		return ge.Status.ExitCode()
	case errors.As(err, &be):
		fmt.Fprintf(stderr, "benchrun: %v\n", err)
		return 2
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "benchrun: %v\n(see \"benchrun help\")\n", err)
		return 2
	default:
		fmt.Fprintf(stderr, "benchrun: %v\n", err)
		return 1
	}
}

// selection holds the flags that choose cells.
type selection struct {
	impl, scenario, shard string
	quick                 bool
	runTime               time.Duration

	named   bool                  // -impl names implementations: peers run their whole grid
	gate    bool                  // a merge gate's cells: peers only when named
	skipped []conformance.Skipped // the cells cells() left out, and why
}

func (s *selection) register(fs *flag.FlagSet) {
	fs.StringVar(&s.impl, "impl", ".", "run implementations whose name matches `REGEX`")
	fs.StringVar(&s.scenario, "scenario", ".", "run cells whose Family/key=value matches `REGEX`, e.g. Size or 'size=1000$'")
	fs.BoolVar(&s.quick, "quick", false, "smaller grids, fewer items, shorter runs and count 6: a full run in about a minute")
	fs.DurationVar(&s.runTime, "runtime", harness.DefaultRunTime, "scale closed-loop runs to last at least this long; -quick halves it")
	fs.StringVar(&s.shard, "shard", "", "run only shard `i/n` of the selected cells (1-based), split deterministically and balanced by expected cost")
}

// finish applies -quick's defaults to flags the user did not set.
func (s *selection) finish(fs *flag.FlagSet) error {
	s.named = s.impl != "." // bisect passes its own -impl on, "." included
	if !flagSet(fs, "runtime") && s.quick {
		s.runTime = harness.DefaultRunTime / 2
	}
	if s.runTime < 0 {
		return usageError{fmt.Errorf("-runtime must be >= 0, got %v", s.runTime)}
	}
	return nil
}

func (s *selection) cells() ([]scenarios.Cell, error) {
	impls, err := registry.Match(s.impl)
	if err != nil {
		return nil, usageError{err}
	}
	if s.gate && !s.named {
		// Peers' code is the same on both sides of a gate, and a base
		// built before they were registered cannot run them.
		impls = slices.DeleteFunc(impls, func(e registry.Entry) bool { return e.Peer != nil })
	}
	re, err := regexp.Compile(s.scenario)
	if err != nil {
		return nil, usageError{fmt.Errorf("bad -scenario pattern: %v", err)}
	}
	matches := func(c scenarios.Cell) bool {
		return re.MatchString(c.Family.Name + "/" + c.Family.Key + "=" + c.Param.Text)
	}
	selected, skipped := scenarios.Select(scenarios.Families, impls, s.quick, !s.named)
	cells := slices.DeleteFunc(selected, func(c scenarios.Cell) bool { return !matches(c) })
	s.skipped = slices.DeleteFunc(skipped, func(sk conformance.Skipped) bool {
		c, err := scenarios.Parse(sk.Cell)
		return err != nil || !matches(c)
	})
	if len(cells) == 0 {
		return nil, usageError{fmt.Errorf("no cell matches -scenario %q", s.scenario)}
	}
	if s.shard != "" {
		sh, err := runconfig.ParseShard(s.shard)
		if err != nil {
			return nil, usageError{fmt.Errorf("-shard: %v", err)}
		}
		if cells = scenarios.ShardCells(sh, cells, s.quick, s.runTime); len(cells) == 0 {
			return nil, usageError{fmt.Errorf("-shard %s: no cell falls in this shard (%d shards for the selected cells)", sh, sh.N)}
		}
	}
	return cells, nil
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))}
	}
	return nil
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func listCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("list", stderr)
	var sel selection
	sel.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := sel.finish(fs); err != nil {
		return err
	}
	cells, err := sel.cells()
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "implementations:")
	for _, e := range registry.All() {
		note := ""
		switch {
		case e.Name == registry.Baseline:
			note = " (baseline)"
		case e.Peer != nil:
			note = " (peer: " + e.Peer.Module + ")"
		}
		fmt.Fprintf(stdout, "  %s%s\n", e.Name, note)
	}
	fmt.Fprintln(stdout, "families:")
	for _, f := range scenarios.Families {
		fmt.Fprintf(stdout, "  %-12s %s\n", f.Name, f.Measures)
	}
	fmt.Fprintf(stdout, "cells (%d):\n", len(cells))
	for _, c := range cells {
		fmt.Fprintf(stdout, "  Benchmark%s\n", c.Name())
	}
	if len(sel.skipped) > 0 {
		fmt.Fprintf(stdout, "left out (%d):\n", len(sel.skipped))
		for _, sk := range sel.skipped {
			fmt.Fprintf(stdout, "  Benchmark%s: %s\n", sk.Cell, sk.Reason)
		}
	}
	return nil
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
