package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/batchbench/batchbench/harness"
	"github.com/batchbench/batchbench/reports"
	"github.com/batchbench/batchbench/scenarios"
)

// compareCmd is the merge gate: it measures base and head alternately and
// exits 1 when head regresses a gated metric significantly and by more than
// the threshold.
func compareCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("compare", stderr)
	var sel selection
	sel.register(fs)
	base := fs.String("base", "", "git `REF` to build and measure, or a results DIR saved by benchrun (required)")
	head := fs.String("head", "", "git `REF` or results DIR (default: the working tree, uncommitted changes included)")
	count := fs.Int("count", 10, "measured runs per cell and side (default 6 with -quick)")
	threshold := fs.String("threshold", "5%", "smallest relative change that counts, e.g. 5% or 0.05")
	alpha := fs.Float64("alpha", 0.05, "significance level of benchmath's test")
	profile := fs.Bool("profile", true, "profile both sides, for the regressed cells' profile diffs")
	confirm := fs.Bool("confirm", true, "rerun regressed cells as many times again and judge them on all their runs")
	tags := fs.String("tags", "", "build tags for both builds, e.g. planted")
	out := fs.String("o", "", "write base/, head/ and the report to `DIR` (required)")
	seed := fs.Uint64("seed", 0, "shuffle the run order with this seed (0: random, printed)")
	timeout := fs.Duration("timeout", harness.DefaultTimeout, "fail a run that takes longer than this")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *base == "" || *out == "" {
		return usageError{errors.New("compare: -base and -o are required")}
	}
	limit, err := parseThreshold(*threshold)
	if err != nil {
		return usageError{err}
	}
	if *alpha <= 0 || *alpha >= 1 {
		return usageError{fmt.Errorf("compare: -alpha must be between 0 and 1, got %v", *alpha)}
	}
	if !flagSet(fs, "count") && sel.quick {
		*count = 6
	}
	if err := sel.finish(fs); err != nil {
		return err
	}
	if *count < 1 {
		return usageError{fmt.Errorf("compare: -count must be >= 1, got %d", *count)}
	}
	cells, err := sel.cells()
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	binDir, err := os.MkdirTemp("", "benchrun-compare-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(binDir)

	// Each side is saved results, or a build to measure.
	inputs := map[string][]string{}
	var builds []harness.Source
	for _, side := range []struct{ name, spec string }{{"base", *base}, {"head", *head}} {
		if path, ok := savedResults(side.spec); ok {
			inputs[side.name] = []string{path}
			continue
		}
		src, err := build(ctx, side.name, side.spec, binDir, *tags)
		if err != nil {
			return buildError{err}
		}
		builds = append(builds, src)
	}
	gate := reports.GateOptions{Head: "head", Threshold: limit}
	opts := harness.Options{
		Cells: cells, Count: *count, Quick: sel.quick, RunTime: sel.runTime, Profile: *profile,
		OutDir: *out, Seed: *seed, Timeout: *timeout, Sources: builds, Log: stderr,
	}
	var failed []harness.Failure
	measure := func(opts harness.Options) error {
		res, err := harness.Run(ctx, opts)
		if res == nil || res.Interrupted {
			return err
		}
		printRun(res, stdout, stderr)
		for _, o := range res.Outputs {
			inputs[o.Source] = append(inputs[o.Source], o.ResultsPath)
		}
		failed = append(failed, res.Failed...)
		return nil
	}
	if len(builds) > 0 {
		if err := measure(opts); err != nil {
			return err
		}
	}
	// A fluke rarely survives fresh runs: rerun the regressed cells, A B A B
	// again, and judge them on all their runs. Both sides must be builds.
	if *confirm && len(builds) == 2 {
		regressed, err := regressedCells(labelled(inputs), *alpha, gate)
		if err != nil {
			return err
		}
		if len(regressed) > 0 {
			fmt.Fprintf(stderr, "benchrun: confirming %d regressed cell(s) with %d more runs per side\n", len(regressed), *count)
			opts.Cells, opts.Profile, opts.OutDir, opts.Seed = regressed, false, filepath.Join(*out, "confirm"), 0
			if err := measure(opts); err != nil {
				return err
			}
		}
	}

	s, err := reports.Generate(reports.Options{
		Inputs: labelled(inputs),
		Col:    ".file", Baseline: "base", Alpha: *alpha, OutDir: *out,
		Title: "Merge gate: head against base",
		Gate:  &gate,
	})
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, s.Text())
	j := s.Judgement
	for _, f := range j.Regressed {
		fmt.Fprintf(stderr, "REGRESSION %s\n", f)
	}
	var headFailed int
	for _, f := range failed {
		if f.Source == "head" {
			headFailed++ // a head cell that fails its run or self-check blocks too
		}
	}
	if len(j.Regressed) > 0 || headFailed > 0 {
		return fmt.Errorf("compare: %d regression(s), %d failed head cell(s)", len(j.Regressed), headFailed)
	}
	return nil
}

// labelled lists every results file as "side=path"; files of one side share
// its label, so the report pools their runs in one column.
func labelled(inputs map[string][]string) []string {
	var out []string
	for _, side := range []string{"base", "head"} {
		for _, path := range inputs[side] {
			out = append(out, side+"="+path)
		}
	}
	return out
}

// regressedCells judges the inputs as the final report will and returns the
// cells with at least one regression.
func regressedCells(inputs []string, alpha float64, gate reports.GateOptions) ([]scenarios.Cell, error) {
	res, err := reports.LoadResults(inputs...)
	if err != nil {
		return nil, err
	}
	opts := reports.Options{Col: ".file", Baseline: "base", Alpha: alpha}
	ts, err := reports.BuildTables(res, opts.TableConfig(res))
	if err != nil {
		return nil, err
	}
	var cells []scenarios.Cell
	seen := map[string]bool{}
	for _, f := range reports.Judge(ts, gate).Regressed {
		name := f.Group + "/" + f.Row
		if seen[name] {
			continue
		}
		seen[name] = true
		if c, err := scenarios.Parse(name); err == nil {
			cells = append(cells, c)
		}
	}
	return cells, nil
}

// buildError marks a failure to build a side: exit status 2, like usage.
type buildError struct{ error }

// savedResults reports whether spec names a directory of saved results, or a
// results file, and returns the results file.
func savedResults(spec string) (string, bool) {
	fi, err := os.Stat(spec)
	if err != nil {
		return "", false
	}
	if !fi.IsDir() {
		return spec, true
	}
	path := filepath.Join(spec, "results.txt")
	_, err = os.Stat(path)
	return path, err == nil
}

// build builds one side: a git revision in a temporary worktree, or the
// working tree when spec is empty.
func build(ctx context.Context, name, spec, binDir, tags string) (harness.Source, error) {
	repo, err := harness.RepoRoot(ctx, ".")
	if err != nil {
		return harness.Source{}, fmt.Errorf("%s %q is neither saved results nor buildable here: %v", name, spec, err)
	}
	if spec == "" {
		return harness.BuildWorkingTree(ctx, repo, name, binDir, tags)
	}
	return harness.BuildRevision(ctx, repo, spec, name, binDir, tags)
}

// parseThreshold reads "5%" or "0.05" as 0.05.
func parseThreshold(s string) (float64, error) {
	pct := strings.HasSuffix(s, "%")
	v, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("compare: bad -threshold %q: want a percentage such as 5%% or a fraction such as 0.05", s)
	}
	if pct {
		v /= 100
	}
	return v, nil
}
