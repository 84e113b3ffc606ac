package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/batchbench/batchbench/harness"
	"github.com/batchbench/batchbench/internal/gitrepo"
	"github.com/batchbench/batchbench/reports"
	"github.com/batchbench/batchbench/reports/gate"
	"github.com/batchbench/batchbench/reports/table"
	"github.com/batchbench/batchbench/scenarios"
)

// compareCmd is the merge gate: it measures base and head alternately,
// confirms what the first test flags on fresh runs, and exits with the
// gate's decision: 1 when head regresses a gated metric significantly and
// by more than the threshold (or a head cell fails), 2 when nothing
// could be judged.
func compareCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("compare", stderr)
	var sel selection
	sel.register(fs)
	base := fs.String("base", "", "git `REF` to build and measure, or a results DIR saved by benchrun (required)")
	head := fs.String("head", "", "git `REF` or results DIR (default: the working tree, uncommitted changes included)")
	var g gateFlags
	g.register(fs)
	profile := fs.Bool("profile", true, "profile both sides of the cells the first test flags (of every cell when nothing is confirmed), for the regressions' profile diffs")
	doConfirm := fs.Bool("confirm", true, "rerun flagged cells as many times again and judge them on the fresh runs alone")
	ignore := fs.String("ignore", "", "also ignore variations in these configuration `keys` (the harness's per-run keys always are)")
	tags := fs.String("tags", "", "build tags for both builds, e.g. planted")
	out := fs.String("o", "", "write base/, head/ and the report to `DIR` (required; refused if it holds an earlier run)")
	force := fs.Bool("force", false, "replace DIR, and everything in it, if it holds an earlier run")
	seed := fs.Uint64("seed", 0, "shuffle the run order with this seed (0: random, printed)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *base == "" || *out == "" {
		return usageError{errors.New("compare: -base and -o are required")}
	}
	if err := g.finish(fs, &sel, "compare"); err != nil {
		return err
	}
	cells, err := sel.cells()
	if err != nil {
		return err
	}
	gcfg := gate.TableConfig(g.alpha, *ignore)
	gopts := gate.Options{Head: "head", Threshold: g.limit}
	if err := gcfg.Check(); err != nil {
		return usageError{fmt.Errorf("compare: %v", err)}
	}
	for _, spec := range []string{*base, *head} {
		path, ok := savedResults(spec)
		if !ok {
			continue
		}
		if spec == *base {
			if err := usableBase(path, cells); err != nil {
				return usageError{fmt.Errorf("compare: %v", err)}
			}
		}
		if rel, err := filepath.Rel(*out, path); *force && err == nil && !strings.HasPrefix(rel, "..") {
			return usageError{fmt.Errorf("compare: -force would delete %s, which is inside -o %s", spec, *out)}
		}
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
	// With confirmation, only the flagged cells are profiled, on their
	// fresh runs: a profile explains a regression, and profiling every
	// cell would cost more than the timing pass.
	confirming := *doConfirm && len(builds) == 2
	m := &measurer{ctx: ctx, stdout: stdout, stderr: stderr, profile: *profile, opts: harness.Options{
		Cells: cells, Count: g.count, Quick: sel.quick, Shard: sel.shard, RunTime: sel.runTime, Profile: *profile && !confirming,
		OutDir: *out, Force: *force, WaitIdle: g.waitIdle, Seed: *seed, Timeout: g.timeout, Sources: builds, Log: stderr,
	}}
	if len(builds) > 0 {
		files, err := m.measure(m.opts)
		if err != nil {
			return err
		}
		for side, paths := range files {
			inputs[side] = append(inputs[side], paths...)
		}
	}
	var confirm gate.Measure
	if confirming {
		confirm = m.confirm
	}
	d, err := gate.Run(ctx, gcfg, gopts, labelled(inputs), confirm)
	if err != nil {
		return err
	}
	_, err = render(reports.Options{Decision: d, OutDir: *out, Title: gateTitle}, stdout, stderr)
	return err
}

// measurer runs the harness for a compare: both sides, A B A B.
type measurer struct {
	ctx            context.Context
	stdout, stderr io.Writer
	opts           harness.Options
	profile        bool // profile the confirmation's cells
}

// measure runs opts and returns the results files by side.
func (m *measurer) measure(opts harness.Options) (map[string][]string, error) {
	res, err := harness.Run(m.ctx, opts)
	if res == nil {
		return nil, outDirUsage("compare", err)
	}
	if res.Interrupted {
		return nil, cmp.Or(err, errors.New("interrupted"))
	}
	printRun(res, m.stdout, m.stderr)
	files := map[string][]string{}
	for _, o := range res.Outputs {
		files[o.Source] = append(files[o.Source], o.ResultsPath)
	}
	return files, nil
}

// confirm is the gate's Measure: fresh runs of the flagged cells, and
// their profiles if asked for, into DIR/confirm.
func (m *measurer) confirm(_ context.Context, names []string) ([]string, error) {
	fmt.Fprintf(m.stderr, "benchrun: confirming %d flagged cell(s) with %d fresh runs per side\n", len(names), m.opts.Count)
	opts := m.opts
	opts.Cells, opts.Profile, opts.OutDir, opts.Seed = nil, m.profile, filepath.Join(m.opts.OutDir, "confirm"), 0
	for _, name := range names {
		c, err := scenarios.Parse(name)
		if err != nil {
			return nil, fmt.Errorf("confirming %s: %v", name, err)
		}
		opts.Cells = append(opts.Cells, c)
	}
	files, err := m.measure(opts)
	if err != nil {
		return nil, err
	}
	return labelled(files), nil
}

// procsSuffix is go test's -GOMAXPROCS suffix of a benchmark name.
var procsSuffix = regexp.MustCompile(`-\d+$`)

// usableBase refuses saved base results that cannot be compared with
// anything before head is measured: no results at all, or none of the
// selected cells.
func usableBase(path string, cells []scenarios.Cell) error {
	res, err := table.Load(path)
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
	repo, err := gitrepo.Root(ctx, ".")
	if err != nil {
		return harness.Source{}, fmt.Errorf("%s %q is neither saved results nor buildable here: %v", name, spec, err)
	}
	if spec == "" {
		return harness.BuildWorkingTree(ctx, repo, name, binDir, tags)
	}
	return harness.BuildRevision(ctx, repo, spec, name, binDir, tags)
}
