package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/batchbench/batchbench/harness"
	"github.com/batchbench/batchbench/harness/compare"
	"github.com/batchbench/batchbench/internal/gitrepo"
	"github.com/batchbench/batchbench/internal/rundir"
	"github.com/batchbench/batchbench/reports"
	"github.com/batchbench/batchbench/reports/gate"
	"github.com/batchbench/batchbench/reports/gate/calibration"
	"github.com/batchbench/batchbench/reports/table"
	"github.com/batchbench/batchbench/scenarios"
)

func compareCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("compare", stderr)
	var g gateFlags
	g.register(fs)
	base := fs.String("base", "", "git `REF` to build and measure, or saved results (a results FILE or a run DIR) (required)")
	head := fs.String("head", "", "git `REF` or saved results (default: the working tree, uncommitted changes included)")
	profile := fs.Bool("profile", true, "profile both sides of the cells that block, for the regressions' profile diffs")
	ignore := fs.String("ignore", "", "also ignore variations in these configuration `keys` (the harness's per-run keys always are)")
	tags := fs.String("tags", "", "build tags for both builds, e.g. planted")
	out := fs.String("o", "", "write base/, head/ and the report to `DIR` (required, unless both sides are saved results)")
	force := fs.Bool("force", false, "replace DIR, and everything in it, if it holds an earlier run")
	conf := confidenceFlag(fs)
	if err := g.parse(fs, args, 2); err != nil {
		return err
	}
	if fs.NArg() > 0 { // compare OLD NEW, as benchstat OLD NEW
		if fs.NArg() != 2 || *base != "" || *head != "" {
			return usageError{errors.New("compare: give -base and -head, or two saved results OLD NEW")}
		}
		*base, *head = fs.Arg(0), fs.Arg(1)
	}
	if *base == "" {
		return usageError{errors.New("compare: -base is required")}
	}
	if err := gate.TableConfig(g.j.alpha, *ignore).Check(); err != nil {
		return usageError{err}
	}
	if compare.IsSaved(*base) && compare.IsSaved(*head) {
		// Two saved results: the gate of report -head, on the same files.
		o := reportOptions(*out, *ignore, rundir.Base, g.j.alpha)
		o.Confidence = float64(*conf)
		if o.OutDir == "" {
			o.OutDir = filepath.Dir(*head)
		}
		return report(o, []table.Input{{Label: rundir.Base, Path: *base}, {Label: rundir.Head, Path: *head}}, g.j.plan(), stdout, stderr)
	}
	if *out == "" {
		return usageError{errors.New("compare: -o DIR is required")}
	}
	ctx, stop := interruptible()
	defer stop()
	b, cleanup, err := harness.NewBuild(ctx, ".", workerMain, *tags)
	if err != nil {
		return err
	}
	defer cleanup()
	o := g.compare(b, *out, *ignore, stderr)
	o.Table.Confidence = float64(*conf)
	o.Base, o.Head, o.Profile, o.Run.Force = compare.ParseSide(*base), compare.ParseSide(*head), *profile, *force
	g.procsOfSaved(fs, &o)
	res, err := compare.Run(ctx, o)
	if res != nil {
		for _, r := range res.Runs {
			printRun(r, stdout, stderr)
		}
	}
	if err != nil {
		return forceAdvice(err)
	}
	p := reportOptions(*out, "", "", 0).Page
	p.Title = gateTitle
	s, err := reports.GenerateGate(res.Decision, p)
	return show(s, err, stdout, stderr)
}

// workerMain is the package a side's build serves workers from.
const workerMain = "./cmd/benchrun"

func calibrateCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("calibrate", stderr)
	var g gateFlags
	g.register(fs)
	n := fs.Int("n", 10, "gate decisions to make")
	var planted gate.Threshold
	fs.Var(&planted, "planted", "head's mutex carries a slowdown of this size, e.g. 3%, of its time per item in each of its selected Size and Concurrency cells (in others, of Size 1000's) (build tag plant): measure the miss rate")
	out := fs.String("o", "", "write each decision's runs and calibrate.md to `DIR` (required; must not exist)")
	replay := fs.String("replay", "", "measure nothing: simulate the decisions from the pairs a compare recorded in `DIR`, resampled (use -n 2000 or more)")
	if err := g.parse(fs, args, 0); err != nil {
		return err
	}
	switch {
	case *out == "":
		return usageError{errors.New("calibrate: -o DIR is required")}
	case *n < 1:
		return usageError{fmt.Errorf("calibrate: -n must be >= 1, got %d", *n)}
	case exists(*out):
		return usageError{fmt.Errorf("calibrate: %s exists; give a new directory", *out)}
	}
	if *replay != "" {
		var cells []scenarios.Cell
		if flagSet(fs, "impl") || flagSet(fs, "scenario") || flagSet(fs, "quick") {
			cells = g.cells
		}
		cal, err := compare.Replay(compare.ReplayOptions{Dir: *replay, Cells: cells, Plan: g.compare(harness.Build{}, *out, "", io.Discard).Plan,
			Budget: g.budget, Decisions: *n, Plant: float64(planted), Seed: g.m.seed, OutDir: *out, Command: "benchrun calibrate " + strings.Join(args, " ")})
		if err != nil {
			return err
		}
		return printCalibration(cal, planted > 0, *out, stdout)
	}
	ctx, stop := interruptible()
	defer stop()
	b, cleanup, err := harness.NewBuild(ctx, ".", workerMain, "")
	if err != nil {
		return err
	}
	defer cleanup()
	o := compare.CalibrateOptions{Decisions: *n, Compare: g.compare(b, *out, "", io.Discard), Command: "benchrun calibrate " + strings.Join(args, " "),
		Decided: func(i int, d *gate.Decision) {
			fmt.Fprintf(stdout, "decision %d/%d: exit %d: %s\n", i+1, *n, d.Status.ExitCode(), d.Headline())
		}}
	if planted > 0 {
		o.Plant = float64(planted)
		if o.PlantCell, err = scenarios.Parse("Size/impl=mutex/size=1000"); err != nil {
			return err
		}
	}
	cal, err := compare.Calibrate(ctx, o)
	if err != nil {
		return err
	}
	return printCalibration(cal, planted > 0, *out, stdout)
}

// printCalibration prints a calibration's rate and where its record is.
func printCalibration(cal *calibration.Calibration, planted bool, out string, stdout io.Writer) error {
	r, what := cal.BlockRate(), "false-block rate"
	if planted {
		r, what = cal.PassRate(), "miss rate"
	}
	_, err := fmt.Fprintf(stdout, "%s: %s\ncalibration: %s\n", what, r, filepath.Join(out, compare.CalibrationFile))
	return err
}

func bisectCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bisect", stderr)
	var g gateFlags
	g.register(fs)
	good := fs.String("good", "", "a git `REF` without the regression (required)")
	bad := fs.String("bad", "", "a git `REF` with it (required)")
	if err := g.parse(fs, args, 0); err != nil {
		return err
	}
	if *good == "" || *bad == "" {
		return usageError{errors.New("bisect: -good and -bad are required")}
	}
	ctx, stop := interruptible()
	defer stop()
	b, cleanup, err := harness.NewBuild(ctx, ".", workerMain, "")
	if err != nil {
		return err
	}
	defer cleanup()
	for _, ref := range []string{*good, *bad} {
		if _, err := gitrepo.ResolveCommit(ctx, b.Repo, ref); err != nil {
			return usageError{err}
		}
	}
	commit, err := compare.Bisect(ctx, compare.BisectOptions{Good: *good, Bad: *bad, Log: stderr, Compare: g.compare(b, "", "", stderr)})
	if err != nil {
		return err
	}
	subject, _ := gitrepo.Git(ctx, b.Repo, "log", "-1", "--format=%s", commit)
	fmt.Fprintf(stdout, "first bad commit: %s %s\n", commit, subject)
	return nil
}
