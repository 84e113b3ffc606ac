package harness

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/batchbench/batchbench/impl/conformance"
	"github.com/batchbench/batchbench/internal/noise"
)

// ErrOutputExists is wrapped by the *OutDirError Run returns when OutDir
// already holds results and Options.Force is off.
var ErrOutputExists = errors.New("already holds results")

// OutDirError is the error Run returns, before running anything, when
// Options.OutDir cannot take the run: it is not a directory, it cannot be
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

// runOutputs are what a run, or a report of it, puts in a directory: any
// of them there means the directory holds an earlier run. Sources add
// NAME/results.txt and NAME/profiles.
var runOutputs = []string{"results.txt", "profiles", noise.File, conformance.File, "report.html", "report.md", "plots"}

// staging is a run's output directory: the run writes into stage, a fresh
// directory beside dir (so on the same file system), which install moves
// to dir when the run ends.
type staging struct {
	given   string // OutDir as the caller wrote it, for messages and paths
	dir     string // absolute, symbolic links resolved
	stage   string
	force   bool
	sources []Source
}

// prepareOutput checks that dir can take a run and creates its staging
// directory. All its errors are *OutDirError.
func prepareOutput(dir string, sources []Source, force bool) (*staging, error) {
	fail := func(err error) (*staging, error) { return nil, &OutDirError{Dir: dir, Err: err} }
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fail(err)
	}
	s := &staging{given: dir, dir: abs, force: force, sources: sources}
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

// earlierRun lists what of an earlier run dir holds, as "results.txt" or
// "profiles/".
func (s *staging) earlierRun() []string {
	names := slices.Clone(runOutputs)
	for _, src := range s.sources {
		if src.Name != "" {
			names = append(names, src.Name+"/results.txt", src.Name+"/profiles")
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

// install moves the run from the staging directory to dir and returns
// where it now is: dir, or the staging directory if the move failed. A
// missing or empty dir is replaced; with force, so is one holding an
// earlier run, with everything in it. A dir holding other things (and no
// earlier run) keeps them, and gains the run's files.
func (s *staging) install() (string, error) {
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
func (s *staging) replace() (string, error) {
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
func (s *staging) merge() (string, error) {
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

// discard removes the staging directory of a run that never started.
func (s *staging) discard() { os.RemoveAll(s.stage) }

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
