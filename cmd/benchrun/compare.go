package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/batchbench/batchbench/harness"
	"github.com/batchbench/batchbench/harness/compare"
	"github.com/batchbench/batchbench/internal/atomicfile"
	"github.com/batchbench/batchbench/internal/gitrepo"
	"github.com/batchbench/batchbench/internal/rundir"
	"github.com/batchbench/batchbench/reports"
	"github.com/batchbench/batchbench/reports/gate"
	"github.com/batchbench/batchbench/reports/table"
)

// workerMain is the package a side's build serves workers from.
const workerMain = "./cmd/benchrun"

func compareCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("compare", stderr)
	var sel selection
	sel.register(fs)
	var m measuring
	m.register(fs, "cell and side")
	var j judging
	j.register(fs)
	base := fs.String("base", "", "git `REF` to build and measure, or saved results (a results FILE or a run DIR) (required)")
	head := fs.String("head", "", "git `REF` or saved results (default: the working tree, uncommitted changes included)")
	profile := fs.Bool("profile", true, "profile both sides of the cells the first test flags (of every cell when nothing is confirmed), for the regressions' profile diffs")
	confirm := fs.Bool("confirm", true, "rerun flagged cells as many times again and judge them on the fresh runs alone")
	ignore := fs.String("ignore", "", "also ignore variations in these configuration `keys` (the harness's per-run keys always are)")
	tags := fs.String("tags", "", "build tags for both builds, e.g. planted")
	out := fs.String("o", "", "write base/, head/ and the report to `DIR` (required, unless both sides are saved results)")
	force := fs.Bool("force", false, "replace DIR, and everything in it, if it holds an earlier run")
	if err := parseFlags(fs, args, 2); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		// compare OLD NEW, as benchstat OLD NEW.
		if fs.NArg() != 2 || *base != "" || *head != "" {
			return usageError{errors.New("compare: give -base and -head, or two saved results OLD NEW")}
		}
		*base, *head = fs.Arg(0), fs.Arg(1)
	}
	if *base == "" {
		return usageError{errors.New("compare: -base is required")}
	}
	if err := m.finish(fs, &sel); err != nil {
		return err
	}
	if err := j.check(m.count); err != nil {
		return err
	}
	if err := gate.TableConfig(j.alpha, *ignore).Check(); err != nil {
		return usageError{err}
	}
	if compare.IsSaved(*base) && compare.IsSaved(*head) {
		// Two saved results: the gate of report -head, on the same files.
		o := reportOptions()
		o.Inputs = []table.Input{{Label: rundir.Base, Path: *base}, {Label: rundir.Head, Path: *head}}
		o.Baseline, o.Ignore, o.Alpha, o.OutDir = rundir.Base, *ignore, j.alpha, *out
		if o.OutDir == "" {
			o.OutDir = filepath.Dir(*head)
		}
		x, err := reports.Expand(o.Inputs)
		if err != nil {
			return usageError{err}
		}
		o.Inputs = x.Inputs
		return gateSaved(o, gate.Options{Head: rundir.Head, Threshold: float64(j.threshold)}, stdout, stderr)
	}
	if *out == "" {
		return usageError{errors.New("compare: -o DIR is required")}
	}
	cells, err := sel.cells(fs)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	b, cleanup, err := build(ctx, *tags)
	if err != nil && !compare.IsSaved(*base) {
		return err
	}
	defer cleanup()
	o := compare.Options{Base: side(*base), Head: side(*head), Build: b, Run: m.options(&sel, cells, *out, stderr),
		Judge: gate.Options{Head: rundir.Head, Threshold: float64(j.threshold)}, Table: gate.TableConfig(j.alpha, *ignore),
		Confirm: *confirm, Profile: *profile}
	o.Run.Force = *force
	res, err := compare.Run(ctx, o)
	if res != nil {
		for _, r := range res.Runs {
			printRun(r, stdout, stderr)
		}
	}
	if err != nil {
		return forceAdvice(err)
	}
	s, err := reports.GenerateGate(res.Decision, gatePage(*out))
	return show(s, err, stdout, stderr)
}

// side is what a -base or -head value names: saved results, a revision,
// or ("") the working tree.
func side(spec string) compare.Side {
	if compare.IsSaved(spec) {
		return compare.Side{Saved: spec}
	}
	return compare.Side{Rev: spec}
}

// build says how to build sides from the git checkout around the working
// directory, into a temporary directory that cleanup removes.
func build(ctx context.Context, tags string) (harness.Build, func(), error) {
	repo, err := gitrepo.Root(ctx, ".")
	if err != nil {
		return harness.Build{}, func() {}, usageError{fmt.Errorf("not in a git checkout, so nothing can be built: %v", err)}
	}
	bin, err := os.MkdirTemp("", "benchrun-build-")
	if err != nil {
		return harness.Build{}, func() {}, err
	}
	return harness.Build{Repo: repo, Main: workerMain, Tags: tags, BinDir: bin}, func() { os.RemoveAll(bin) }, nil
}

func calibrateCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("calibrate", stderr)
	var sel selection
	sel.register(fs)
	var m measuring
	m.register(fs, "cell and side")
	var j judging
	j.register(fs)
	n := fs.Int("n", 10, "gate decisions to make")
	planted := fs.Bool("planted", false, "head's ring carries a planted slowdown (build tag plantedring; measure its size with compare): measure the miss rate")
	confirm := fs.Bool("confirm", true, "confirm flagged cells on fresh runs, as compare does")
	out := fs.String("o", "", "write each decision's runs and calibrate.md to `DIR` (required; must not exist)")
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	if *out == "" {
		return usageError{errors.New("calibrate: -o DIR is required")}
	}
	if err := m.finish(fs, &sel); err != nil {
		return err
	}
	if err := j.check(m.count); err != nil {
		return err
	}
	if *n < 1 {
		return usageError{fmt.Errorf("calibrate: -n must be >= 1, got %d", *n)}
	}
	cells, err := sel.cells(fs)
	if err != nil {
		return err
	}
	if exists(*out) {
		return usageError{fmt.Errorf("calibrate: %s exists; give a new directory", *out)}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	b, cleanup, err := build(ctx, "")
	if err != nil {
		return err
	}
	defer cleanup()
	o := compare.CalibrateOptions{Decisions: *n, Compare: compare.Options{Build: b, Run: m.options(&sel, cells, *out, io.Discard),
		Judge: gate.Options{Head: rundir.Head, Threshold: float64(j.threshold)}, Table: gate.TableConfig(j.alpha, ""), Confirm: *confirm},
		Decided: func(i int, d *gate.Decision) {
			fmt.Fprintf(stdout, "decision %d/%d: exit %d: %s\n", i+1, *n, d.Status.ExitCode(), d.Headline())
		}}
	if *planted {
		o.HeadTags = "plantedring"
	}
	start := time.Now()
	cal, err := compare.Calibrate(ctx, o)
	if err != nil {
		return err
	}
	setup := fmt.Sprintf("`benchrun calibrate %s` · %d cells · count %d · threshold %s · α = %v · %d decisions in %v",
		strings.Join(args, " "), len(cells), m.count, j.threshold.String(), j.alpha, *n, time.Since(start).Round(time.Second))
	path := filepath.Join(*out, "calibrate.md")
	if err := atomicfile.WriteFile(path, []byte(cal.Markdown(*planted, float64(j.threshold), setup))); err != nil {
		return err
	}
	r, what := cal.BlockRate(), "false-block rate"
	if *planted {
		r, what = cal.PassRate(), "miss rate"
	}
	fmt.Fprintf(stdout, "%s: %s\ncalibration: %s\n", what, r, path)
	return nil
}

func bisectCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bisect", stderr)
	var sel selection
	sel.register(fs)
	var m measuring
	m.register(fs, "cell and side")
	var j judging
	j.register(fs)
	good := fs.String("good", "", "a git `REF` without the regression (required)")
	bad := fs.String("bad", "", "a git `REF` with it (required)")
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	if *good == "" || *bad == "" {
		return usageError{errors.New("bisect: -good and -bad are required")}
	}
	if err := m.finish(fs, &sel); err != nil {
		return err
	}
	if err := j.check(m.count); err != nil {
		return err
	}
	cells, err := sel.cells(fs)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	b, cleanup, err := build(ctx, "")
	if err != nil {
		return err
	}
	defer cleanup()
	for _, ref := range []string{*good, *bad} {
		if _, err := gitrepo.ResolveCommit(ctx, b.Repo, ref); err != nil {
			return usageError{err}
		}
	}
	commit, err := compare.Bisect(ctx, compare.BisectOptions{Good: *good, Bad: *bad, Log: stderr,
		Compare: compare.Options{Build: b, Run: m.options(&sel, cells, "", stderr),
			Judge: gate.Options{Head: rundir.Head, Threshold: float64(j.threshold)}, Table: gate.TableConfig(j.alpha, "")}})
	if err != nil {
		return err
	}
	subject, _ := gitrepo.Git(ctx, b.Repo, "log", "-1", "--format=%s", commit)
	fmt.Fprintf(stdout, "first bad commit: %s %s\n", commit, subject)
	return nil
}
