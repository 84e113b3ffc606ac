package rundir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/batchbench/batchbench/impl/conformance"
	"github.com/batchbench/batchbench/internal/load"
)

// ErrOutputExists is wrapped by the *OutDirError Create returns when the
// directory already holds an earlier run and force is off.
var ErrOutputExists = errors.New("already holds results")

// OutDirError is the error Create returns, before anything is written,
// when a directory cannot take a run: it is not a directory, it cannot be
// created, or it already holds results (Err wraps ErrOutputExists). It is
// the caller's usage error.
type OutDirError struct {
	Dir string // OutDir as given
	Err error
}

func (e *OutDirError) Error() string {
	var pe *fs.PathError
	if errors.As(e.Err, &pe) || e.Dir == "" {
		return "output directory: " + e.Err.Error() // a PathError names the path
	}
	return "output directory " + e.Dir + ": " + e.Err.Error()
}

func (e *OutDirError) Unwrap() error { return e.Err }

// Names a report of a run adds to its directory.
const (
	ReportHTML     = "report.html"
	ReportMarkdown = "report.md"
	PlotDir        = "plots"
)

// runOutputs are what a run, or a report of it, puts in a directory: any
// of them there means the directory holds an earlier run. Sources add
// NAME/results.txt and NAME/profiles.
var runOutputs = []string{ResultsFile, ProfileDir, load.File, load.LegacyFile, conformance.File, ReportHTML, ReportMarkdown, PlotDir}

// A Stage is a run being written. The run writes into a fresh directory
// beside its destination (so on the same file system), which Install
// moves into place when the run ends: the destination only ever holds one
// run's output, and a run killed outright leaves its output in the stage,
// named .BASE.run-* where BASE is the destination's last element.
type Stage struct {
	given   string // the destination as the caller wrote it, for messages and paths
	dir     string // absolute, symbolic links resolved
	stage   string
	force   bool
	sources []string
}

// Create checks that dir can take a run of the named sources (none for a
// run of one unnamed source, which writes into the directory itself) and
// creates its stage. dir may be missing, empty, or hold other files, which
// it keeps; one that holds an earlier run is refused unless force is set,
// and then replaced by Install, with everything in it. All its errors are
// *OutDirError.
func Create(dir string, sources []string, force bool) (*Stage, error) {
	fail := func(err error) (*Stage, error) { return nil, &OutDirError{Dir: dir, Err: err} }
	if dir == "" {
		return fail(errors.New("none given"))
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fail(err)
	}
	s := &Stage{given: dir, dir: abs, force: force, sources: sources}
	switch fi, err := os.Stat(abs); {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fail(err)
	case !fi.IsDir():
		return fail(errors.New("not a directory"))
	default:
		if s.dir, err = filepath.EvalSymlinks(abs); err != nil {
			return fail(err)
		}
		if found := s.earlierRun(); len(found) > 0 {
			if !force {
				return fail(fmt.Errorf("%w (%s)", ErrOutputExists, strings.Join(found, ", ")))
			}
			if holdsWorkingDir(s.dir) {
				return fail(errors.New("holds the working directory: not replacing it"))
			}
		}
	}
	parent := filepath.Dir(s.dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fail(err)
	}
	if s.stage, err = os.MkdirTemp(parent, "."+filepath.Base(s.dir)+".run-"); err != nil {
		return fail(err)
	}
	if err := os.Chmod(s.stage, 0o755); err != nil { // MkdirTemp makes it private
		os.Remove(s.stage)
		return fail(err)
	}
	return s, nil
}

// Path is the stage: where the run is being written until Install.
func (s *Stage) Path() string { return s.stage }

// earlierRun lists what of an earlier run dir holds, as "results.txt" or
// "profiles/".
func (s *Stage) earlierRun() []string {
	names := slices.Clone(runOutputs)
	for _, src := range s.sources {
		if src != "" {
			names = append(names, src+"/"+ResultsFile, src+"/"+ProfileDir)
		}
	}
	var found []string
	for _, name := range names {
		if fi, err := os.Lstat(filepath.Join(s.dir, filepath.FromSlash(name))); err == nil {
			if fi.IsDir() {
				name += "/"
			}
			found = append(found, name)
		}
	}
	return found
}

// Install moves the run from the stage to its destination and returns
// where it now is: the destination, or the stage if the move failed. A
// missing or empty destination is replaced; with force, so is one holding
// an earlier run, with everything in it. A destination holding other
// things (and no earlier run) keeps them, and gains the run's files. A
// destination that gained an earlier run while this one ran is left
// alone, and the error says where this run's output is.
func (s *Stage) Install() (string, error) {
	found := s.earlierRun()
	switch {
	case len(found) > 0 && (!s.force || holdsWorkingDir(s.dir)):
		return s.stage, fmt.Errorf("%s gained results (%s) during the run; this run's output is in %s",
			s.given, strings.Join(found, ", "), s.stage)
	case len(found) > 0:
		return s.replace()
	case holdsWorkingDir(s.dir):
		return s.merge() // replacing it would strand the working directory
	}
	if err := os.Remove(s.dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return s.merge() // not empty
	}
	if err := os.Rename(s.stage, s.dir); err != nil {
		return s.stage, fmt.Errorf("moving the run into %s: %v; its output is in %s", s.given, err, s.stage)
	}
	return s.dir, nil
}

// replace swaps the staging directory in for dir and removes the old one.
func (s *Stage) replace() (string, error) {
	old, err := os.MkdirTemp(filepath.Dir(s.dir), "."+filepath.Base(s.dir)+".old-")
	if err == nil {
		os.Remove(old) // the name is ours; rename needs it free
		err = os.Rename(s.dir, old)
	}
	if err == nil {
		if err = os.Rename(s.stage, s.dir); err != nil {
			_ = os.Rename(old, s.dir)
		}
	}
	if err != nil {
		return s.stage, fmt.Errorf("replacing %s: %v; this run's output is in %s", s.given, err, s.stage)
	}
	return s.dir, os.RemoveAll(old)
}

// merge moves the staging directory's entries into dir one by one.
func (s *Stage) merge() (string, error) {
	entries, err := os.ReadDir(s.stage)
	for _, e := range entries {
		if err != nil {
			break
		}
		err = os.Rename(filepath.Join(s.stage, e.Name()), filepath.Join(s.dir, e.Name()))
	}
	if err != nil {
		return s.stage, fmt.Errorf("moving the run into %s: %v; what remains of it is in %s", s.given, err, s.stage)
	}
	return s.dir, os.Remove(s.stage)
}

// Discard removes the stage of a run that never started.
func (s *Stage) Discard() { os.RemoveAll(s.stage) }

// holdsWorkingDir reports whether dir is the working directory or one of
// its ancestors.
func holdsWorkingDir(dir string) bool {
	wd, err := os.Getwd()
	if err != nil {
		return false
	}
	if real, err := filepath.EvalSymlinks(wd); err == nil {
		wd = real
	}
	rel, err := filepath.Rel(dir, wd)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
