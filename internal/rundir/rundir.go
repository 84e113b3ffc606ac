// Package rundir is what batchbench's output looks like on disk, written
// and opened in one place:
//
//   - a run's directory holds results.txt (benchfmt), profiles/ (the
//     profiles and their index.json) and load.json (what else used the
//     machine during each run); a run of several sources puts each
//     source's results.txt and profiles/ in a directory named after it;
//   - a compare's directory is a run of the sources "base" and "head",
//     measured in pairs, and may hold confirm/, another compare of the
//     cells it measured again;
//   - a directory of shards holds one run or compare directory per shard
//     of a split suite, each of whose results records its shard ("shard:
//     i/n").
//
// The harness writes runs through Stage; reports, the history and the
// command line find them with Find. A path given by a user may name any of
// these, or a results file alone (any go test -bench output).
package rundir

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// Names inside a run's directory.
const (
	ResultsFile = "results.txt"
	ProfileDir  = "profiles"
	// Base and Head name a compare's two sides, their directories and
	// their results' "source" configuration.
	Base = "base"
	Head = "head"
	// ConfirmDir is the compare of the cells a compare measured again.
	ConfirmDir = "confirm"
)

// IsRun reports whether dir holds a run's results.
func IsRun(dir string) bool { return exists(filepath.Join(dir, ResultsFile)) }

// IsCompare reports whether dir holds a compare's two sides.
func IsCompare(dir string) bool {
	return exists(filepath.Join(dir, Base, ResultsFile)) && exists(filepath.Join(dir, Head, ResultsFile))
}

// SideResults is the results file of a compare's side.
func SideResults(dir, side string) string { return filepath.Join(dir, side, ResultsFile) }

// ConfirmedSide is, for the results file of a compare's side
// (DIR/SIDE/results.txt), the same side's results file in the compare's
// confirmation (DIR/confirm/SIDE/results.txt), where the compare profiles
// the cells that block; "" for any other path. The file need not exist.
func ConfirmedSide(resultsPath string) string {
	sideDir := filepath.Dir(resultsPath)
	side := filepath.Base(sideDir)
	if filepath.Base(resultsPath) != ResultsFile || (side != Base && side != Head) {
		return ""
	}
	return SideResults(filepath.Join(filepath.Dir(sideDir), ConfirmDir), side)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// Found is what a path names.
type Found struct {
	// Runs are results files: the file named, a run's results, or one
	// per shard of a directory of run shards, in directory order.
	Runs []string
	// Compares are compare directories: the one named, or one per shard
	// of a directory of compare shards.
	Compares []string
	// Shards reports whether the path is a directory of shards.
	Shards bool
}

// Find says what path names: a results file, a run's directory, a
// compare's, or a directory of either kind of shard. It does not read
// the results. A directory holding none of these is an error that says
// what it looked for; a directory of shards mixing runs and compares is
// one too.
func Find(path string) (Found, error) {
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return Found{}, err
	case !fi.IsDir():
		return Found{Runs: []string{path}}, nil
	case IsCompare(path):
		return Found{Compares: []string{path}}, nil
	case IsRun(path):
		return Found{Runs: []string{filepath.Join(path, ResultsFile)}}, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return Found{}, err
	}
	f := Found{Shards: true}
	for _, e := range entries {
		d := filepath.Join(path, e.Name())
		switch {
		case !e.IsDir():
		case IsCompare(d):
			f.Compares = append(f.Compares, d)
		case IsRun(d):
			f.Runs = append(f.Runs, filepath.Join(d, ResultsFile))
		}
	}
	switch {
	case len(f.Runs) == 0 && len(f.Compares) == 0:
		return Found{}, fmt.Errorf("%s holds no %s, no compare output (%s/ and %s/) and no directory of either", path, ResultsFile, Base, Head)
	case len(f.Runs) > 0 && len(f.Compares) > 0:
		return Found{}, fmt.Errorf("%s holds both run outputs (%s) and compare outputs (%s): give them separately", path, f.Runs[0], f.Compares[0])
	}
	slices.Sort(f.Runs)
	slices.Sort(f.Compares)
	return f, nil
}
