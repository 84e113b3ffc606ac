// Command benchrun runs batchbench's scenarios against the registered batcher
// implementations and renders reports from the results.
//
//	benchrun run [-impl REGEX] [-scenario REGEX] [-count N] [-quick] [-profile=true] [-report] -o DIR
//	benchrun report -in DIR|FILE [-o DIR] [-col PROJECTION] [-baseline VALUE] [-head VALUE [-threshold 5%]]
//	benchrun compare -base REF|DIR [-head REF|DIR] [-impl REGEX] [-scenario REGEX] [-count N] [-quick] [-threshold 5%] [-alpha 0.05] -o DIR
//	benchrun list [-impl REGEX] [-scenario REGEX] [-quick]
//
// Exit status: 0 success, 1 a cell failed, the run was interrupted, or
// (compare) head regressed; 2 usage or build error.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/batchbench/batchbench/harness"
	"github.com/batchbench/batchbench/impl/registry"
	"github.com/batchbench/batchbench/reports"
	"github.com/batchbench/batchbench/scenarios"
)

const usage = `usage:
  benchrun run [-impl REGEX] [-scenario REGEX] [-count N] [-quick] [-profile=true] [-report] -o DIR
  benchrun report -in DIR|FILE [-o DIR] [-col PROJECTION] [-baseline VALUE] [-head VALUE [-threshold 5%]]
  benchrun compare -base REF|DIR [-head REF|DIR] [-impl REGEX] [-scenario REGEX] [-count N] [-quick]
                   [-threshold 5%] [-alpha 0.05] [-tags TAGS] -o DIR
  benchrun list [-impl REGEX] [-scenario REGEX] [-quick]

Run "benchrun COMMAND -h" for a command's flags.
`

// usageError marks errors that exit with status 2.
type usageError struct{ error }

func main() {
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
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		err = usageError{fmt.Errorf("unknown command %q", args[0])}
	}
	var ue usageError
	var be buildError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
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
	impl, scenario string
	quick          bool
	runTime        time.Duration
}

func (s *selection) register(fs *flag.FlagSet) {
	fs.StringVar(&s.impl, "impl", ".", "run implementations whose name matches `REGEX`")
	fs.StringVar(&s.scenario, "scenario", ".", "run cells whose Family/key=value matches `REGEX`, e.g. Size or 'size=1000$'")
	fs.BoolVar(&s.quick, "quick", false, "smaller grids, fewer items, shorter runs and count 6: a full run in about a minute")
	fs.DurationVar(&s.runTime, "runtime", harness.DefaultRunTime, "scale closed-loop runs to last at least this long (default 100ms with -quick)")
}

// finish applies -quick's defaults to flags the user did not set.
func (s *selection) finish(fs *flag.FlagSet) error {
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
	re, err := regexp.Compile(s.scenario)
	if err != nil {
		return nil, usageError{fmt.Errorf("bad -scenario pattern: %v", err)}
	}
	var cells []scenarios.Cell
	for _, c := range scenarios.Cells(scenarios.Families, impls, s.quick) {
		if re.MatchString(c.Family.Name + "/" + c.Family.Key + "=" + c.Param.Text) {
			cells = append(cells, c)
		}
	}
	if len(cells) == 0 {
		return nil, usageError{fmt.Errorf("no cell matches -scenario %q", s.scenario)}
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
	cells, err := sel.cells()
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "implementations:")
	for _, e := range registry.All() {
		note := ""
		if e.Name == registry.Baseline {
			note = " (baseline)"
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
	return nil
}

func reportCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("report", stderr)
	in := fs.String("in", "", "a results `DIR` written by benchrun run, or any go test -bench output FILE (required)")
	out := fs.String("o", "", "write report.html, report.md and plots/ to `DIR` (default: the -in directory)")
	col := fs.String("col", "", "benchproc `projection` for columns (default /impl, or .file without an impl key)")
	baseline := fs.String("baseline", "", "column `value` to compare against (default channel, else the first column)")
	head := fs.String("head", "", "judge column `value` against the baseline as the merge gate does; exit 1 on a regression")
	threshold := fs.String("threshold", "5%", "with -head: smallest relative change that counts")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *in == "" {
		return usageError{errors.New("report: -in is required")}
	}
	opts := reports.Options{OutDir: *out, Col: *col, Baseline: *baseline}
	if *head != "" {
		limit, err := parseThreshold(*threshold)
		if err != nil {
			return usageError{err}
		}
		opts.Gate = &reports.GateOptions{Head: *head, Threshold: limit}
	}
	fi, err := os.Stat(*in)
	if err != nil {
		return usageError{fmt.Errorf("report: %v", err)}
	}
	input, dir := *in, filepath.Dir(*in)
	if fi.IsDir() {
		input, dir = filepath.Join(*in, "results.txt"), *in
	}
	opts.Inputs = []string{input}
	if opts.OutDir == "" {
		opts.OutDir = dir
	}
	return render(opts, stdout)
}

// render writes the report and prints its summary; with a gate, a
// regression is an error.
func render(opts reports.Options, stdout io.Writer) error {
	s, err := reports.Generate(opts)
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, s.Text())
	if j := s.Judgement; j != nil && len(j.Regressed) > 0 {
		return fmt.Errorf("%d regression(s): %s", len(j.Regressed), j.Regressed[0])
	}
	return nil
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
