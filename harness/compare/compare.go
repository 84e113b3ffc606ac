// Package compare is the merge gate's measuring loop. Run builds base and
// head, measures the selected cells on both, A B A B on one machine,
// judges them with package gate, measures the cells the first judgement
// flags again, fresh, profiles them, and returns the gate's one Decision.
// benchrun's compare, calibrate and bisect all call it; a directory it
// wrote (see package rundir) can be judged again with Saved.
package compare

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/batchbench/batchbench/harness"
	"github.com/batchbench/batchbench/internal/rundir"
	"github.com/batchbench/batchbench/reports/gate"
	"github.com/batchbench/batchbench/reports/table"
	"github.com/batchbench/batchbench/scenarios"
)

// A Side is what one side of a comparison is: saved results, a build
// already made, or a git revision to build. The zero Side is the
// repository's working tree, uncommitted changes included.
type Side struct {
	// Saved is a results file, or a run's directory, judged as it is.
	Saved string
	// Source is a build already made: calibrate builds once and decides
	// many times.
	Source *harness.Source
	// Rev is the git revision to build.
	Rev string
}

// Options say what to compare and how.
type Options struct {
	Base, Head Side
	// Build says how to build a side given by revision or working tree.
	Build harness.Build
	// Run are the measurements' settings: cells, count, quick, shard, run
	// time, timeout, waits, seed, log, and OutDir, which receives base/,
	// head/, load.json and, for a confirmation, confirm/. Run sets the
	// sources and the profiling itself.
	Run harness.Options
	// Judge says which column is head and the threshold; Table how each
	// stage's tables are built (gate.TableConfig).
	Judge gate.Options
	Table table.Config
	// Confirm measures the cells the first stage flags again, as many
	// times, and judges the fresh runs alone; only when both sides are
	// builds.
	Confirm bool
	// Profile profiles the confirmed cells on their fresh runs, or every
	// cell when nothing is confirmed.
	Profile bool
}

// Outcome is what Run measured and decided.
type Outcome struct {
	Decision *gate.Decision
	// Runs are the harness's results: the first stage's, then the
	// confirmation's, when there was one.
	Runs []*harness.Result
}

// A BuildError is a side that did not build.
type BuildError struct{ Err error }

func (e *BuildError) Error() string { return e.Err.Error() }
func (e *BuildError) Unwrap() error { return e.Err }

// A SavedError is saved results that cannot be compared with anything.
type SavedError struct{ Err error }

func (e *SavedError) Error() string { return e.Err.Error() }
func (e *SavedError) Unwrap() error { return e.Err }

// Run makes the gate's decision on base and head. Sides that are builds
// are measured together in one harness run; saved sides are read. It
// refuses saved base results that hold none of the selected cells before
// building anything (*SavedError), and returns a *BuildError for a side
// that does not build and the harness's *rundir.OutDirError for an
// unusable OutDir. An interrupted run returns ctx's error and the runs
// made so far.
func Run(ctx context.Context, o Options) (*Outcome, error) {
	inputs := map[string][]string{}
	var builds []harness.Source
	for _, side := range []struct {
		name string
		side Side
	}{{rundir.Base, o.Base}, {rundir.Head, o.Head}} {
		if side.side.Saved != "" {
			path, err := resultsOf(side.side.Saved)
			if err == nil && side.name == rundir.Base {
				err = usableBase(path, o.Run.Cells)
			}
			if err != nil {
				return nil, &SavedError{err}
			}
			inputs[side.name] = []string{path}
		}
	}
	if err := o.guardSaved(); err != nil {
		return nil, err
	}
	for _, side := range []struct {
		name string
		side Side
	}{{rundir.Base, o.Base}, {rundir.Head, o.Head}} {
		if side.side.Saved != "" {
			continue
		}
		src, err := o.build(ctx, side.name, side.side)
		if err != nil {
			return nil, &BuildError{err}
		}
		builds = append(builds, src)
	}
	out := &Outcome{}
	// With confirmation, only the flagged cells are profiled, on their
	// fresh runs: a profile explains a regression, and profiling every
	// cell would cost more than the timing pass.
	confirming := o.Confirm && len(builds) == 2
	if len(builds) > 0 {
		opts := o.Run
		opts.Sources, opts.Profile = builds, o.Profile && !confirming
		files, err := out.measure(ctx, opts)
		if err != nil {
			return out, err
		}
		for side, paths := range files {
			inputs[side] = append(inputs[side], paths...)
		}
	}
	var confirm gate.Measure
	if confirming {
		confirm = func(ctx context.Context, names []string) ([]table.Input, error) {
			opts := o.Run
			opts.Sources, opts.Profile, opts.OutDir, opts.Seed = builds, o.Profile, filepath.Join(o.Run.OutDir, rundir.ConfirmDir), 0
			opts.Cells = nil
			for _, name := range names {
				c, err := scenarios.Parse(name)
				if err != nil {
					return nil, fmt.Errorf("confirming %s: %v", name, err)
				}
				opts.Cells = append(opts.Cells, c)
			}
			fmt.Fprintf(opts.Log, "benchrun: confirming %d flagged cell(s) with %d fresh runs per side\n", len(names), opts.Count)
			files, err := out.measure(ctx, opts)
			if err != nil {
				return nil, err
			}
			return labelled(files), nil
		}
	}
	d, err := gate.Run(ctx, o.Table, o.Judge, labelled(inputs), confirm)
	out.Decision = d
	return out, err
}

// guardSaved refuses a Force that would delete a saved side inside OutDir.
func (o Options) guardSaved() error {
	if !o.Run.Force {
		return nil
	}
	for _, s := range []Side{o.Base, o.Head} {
		if s.Saved == "" {
			continue
		}
		if rel, err := filepath.Rel(o.Run.OutDir, s.Saved); err == nil && !strings.HasPrefix(rel, "..") {
			return &SavedError{fmt.Errorf("replacing %s would delete %s, which is inside it", o.Run.OutDir, s.Saved)}
		}
	}
	return nil
}

// build makes a side's source.
func (o Options) build(ctx context.Context, name string, s Side) (harness.Source, error) {
	switch {
	case s.Source != nil:
		src := *s.Source
		src.Name = name
		return src, nil
	case s.Rev != "":
		return o.Build.Revision(ctx, s.Rev, name)
	}
	return o.Build.WorkingTree(ctx, name)
}

// measure runs the harness and returns the results files by side.
func (out *Outcome) measure(ctx context.Context, opts harness.Options) (map[string][]string, error) {
	res, err := harness.Run(ctx, opts)
	if res == nil {
		return nil, err
	}
	out.Runs = append(out.Runs, res)
	if res.Interrupted {
		return nil, cmp.Or(err, errors.New("interrupted"))
	}
	files := map[string][]string{}
	for _, o := range res.Outputs {
		files[o.Source] = append(files[o.Source], o.ResultsPath)
	}
	return files, nil
}

// labelled lists every results file labelled by its side; files of one
// side share its label, so a report pools their runs in one column.
func labelled(inputs map[string][]string) []table.Input {
	var out []table.Input
	for _, side := range []string{rundir.Base, rundir.Head} {
		for _, path := range inputs[side] {
			out = append(out, table.Input{Label: side, Path: path})
		}
	}
	return out
}

// resultsOf is the results file saved results name: the file, or a run
// directory's results.txt.
func resultsOf(saved string) (string, error) {
	f, err := rundir.Find(saved)
	switch {
	case err != nil:
		return "", err
	case len(f.Runs) != 1 || f.Shards:
		return "", fmt.Errorf("%s is not one run's results (a results file or a run's directory)", saved)
	}
	return f.Runs[0], nil
}

// ParseSide reads what a user names a side by: saved results (a
// results file or a run's directory), a git revision, or "" for the
// working tree.
func ParseSide(spec string) Side {
	if IsSaved(spec) {
		return Side{Saved: spec}
	}
	return Side{Rev: spec}
}

// IsSaved reports whether spec names saved results (a file or a run's
// directory) rather than a revision.
func IsSaved(spec string) bool {
	if _, err := os.Stat(spec); err != nil {
		return false
	}
	_, err := resultsOf(spec)
	return err == nil
}

// procsSuffix is go test's -GOMAXPROCS suffix of a benchmark name.
var procsSuffix = regexp.MustCompile(`-\d+$`)

// usableBase refuses saved base results that cannot be compared with
// anything before head is measured: no results at all, or none of the
// selected cells.
func usableBase(path string, cells []scenarios.Cell) error {
	res, err := table.Load(table.Input{Path: path})
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

// Saved makes one decision from compare directories a compare wrote, one
// per shard of a split suite, as the compare would have: their first
// runs judged together, and their confirmations together. Shards that are
// not whole (a missing or repeated shard) are an error naming them.
func Saved(dirs []string, cfg table.Config, o gate.Options) (*gate.Decision, error) {
	var first, confirmed []table.Input
	for _, d := range dirs {
		for _, side := range []string{rundir.Base, rundir.Head} {
			first = append(first, table.Input{Label: side, Path: rundir.SideResults(d, side)})
		}
		if c := filepath.Join(d, rundir.ConfirmDir); rundir.IsCompare(c) {
			for _, side := range []string{rundir.Base, rundir.Head} {
				confirmed = append(confirmed, table.Input{Label: side, Path: rundir.SideResults(c, side)})
			}
		}
	}
	for _, side := range []string{rundir.Base, rundir.Head} {
		var files []string
		for _, in := range first {
			if in.Label == side {
				files = append(files, in.Path)
			}
		}
		if err := rundir.CheckShards(side, files); err != nil {
			return nil, &SavedError{err}
		}
	}
	var confirm gate.Measure
	if len(confirmed) > 0 {
		confirm = func(context.Context, []string) ([]table.Input, error) { return confirmed, nil }
	}
	return gate.Run(context.Background(), cfg, o, first, confirm)
}
