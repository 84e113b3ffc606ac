// Package history keeps a per-commit history of results: one benchfmt
// file per commit, DB/DATE-COMMIT/results.txt, in the Go benchmark format
// as the harness wrote it, so a history stays readable by benchstat and
// by anything else that reads go test -bench output.
//
// An entry is one of two kinds:
//
//   - a plain run: one commit's runs alone (a benchrun run's results);
//   - a paired entry: a compare's two sides, measured together on one
//     machine, in one file: base's results followed by head's, told apart
//     by their "source" configuration (benchstat -col source reads it),
//     filed under head's commit and date.
//
// Add files entries and never replaces one unless asked; Read lists and
// loads them, refusing an entry damaged on disk.
package history

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/batchbench/batchbench/internal/atomicfile"
	"github.com/batchbench/batchbench/internal/runconfig"
	"github.com/batchbench/batchbench/internal/rundir"
	"github.com/batchbench/batchbench/reports/table"
)

// An Entry is one commit's results in a history.
type Entry struct {
	Name   string // the entry's directory, e.g. "20261201T120000Z-0123456789ab"
	Path   string // its results file
	Commit string // the commit measured (a paired entry's head)
	Date   string // when it was measured, RFC 3339
	// Base is the commit a paired entry's head was measured against; ""
	// for a plain run.
	Base string
	// Dirty reports that the commit was measured with uncommitted
	// changes: the entry is filed under it all the same.
	Dirty bool
	// Commits are the commits a paired entry measures together, newest
	// first: Commit and those between Base and it; more than one is a
	// span. They are not in the entry: a reader that can ask git fills
	// them in (see package trend), and nil means unknown.
	Commits []string
	// Results are the entry's results, as Read loaded them (nil from Add).
	Results *table.Results
}

// Paired reports whether the entry holds a commit measured with a
// reference.
func (e Entry) Paired() bool { return e.Base != "" }

// ErrExists is wrapped by Add's error when an entry is already filed for
// the commit and date.
var ErrExists = errors.New("already filed")

// A SourceError says why what Add was given cannot be filed.
type SourceError struct {
	Source string
	Err    error
}

func (e *SourceError) Error() string { return e.Err.Error() }
func (e *SourceError) Unwrap() error { return e.Err }

// A DamagedError names an entry Read cannot use.
type DamagedError struct {
	Entry string // the entry's name
	Why   string
}

func (e *DamagedError) Error() string {
	return fmt.Sprintf("history entry %s is damaged (%s)", e.Entry, e.Why)
}

// Add files src in db: a results file or a run's directory as a plain run,
// a compare's directory as a paired entry. It checks that src is whole (no
// line cut short, results, commit and date), and for a pair that both
// sides were measured together (one seed, runner and count), then writes
// the entry atomically. An entry already filed for the commit and date is
// replaced only with force; otherwise the error wraps ErrExists. Problems
// with src are *SourceError; the history is then left as it was.
func Add(db, src string, force bool) (Entry, error) {
	bad := func(err error) (Entry, error) { return Entry{}, &SourceError{Source: src, Err: err} }
	fi, err := os.Stat(src)
	if err != nil {
		return bad(err)
	}
	var rec *record
	switch {
	case fi.IsDir() && (exists(rundir.SideResults(src, rundir.Base)) || exists(rundir.SideResults(src, rundir.Head))):
		rec, err = pairRecord(src)
	case fi.IsDir():
		rec, err = runRecord(filepath.Join(src, rundir.ResultsFile))
	default:
		rec, err = runRecord(src)
	}
	if err != nil {
		return bad(err)
	}
	e := rec.entry
	e.Name = entryName(rec.when, e.Commit)
	e.Path = filepath.Join(db, e.Name, rundir.ResultsFile)
	if _, err := os.Stat(e.Path); err == nil && !force {
		return e, fmt.Errorf("%s is %w", e.Path, ErrExists)
	}
	if err := os.MkdirAll(filepath.Dir(e.Path), 0o755); err != nil {
		return e, err
	}
	return e, atomicfile.WriteFile(e.Path, rec.data)
}

// record is what one entry files.
type record struct {
	entry Entry
	when  time.Time
	data  []byte
}

// runRecord reads a plain run's results.
func runRecord(path string) (*record, error) {
	res, err := loadWhole(path)
	if err != nil {
		return nil, err
	}
	in := res.Inputs[0]
	if in.ConfigValue(runconfig.Source) == rundir.Base {
		return nil, fmt.Errorf("%s is the base side of a compare: file the compare directory (a paired entry) or its head/results.txt", path)
	}
	commit, when, err := commitAndDate(path, in.ConfigValue(runconfig.Commit), in.ConfigValue(runconfig.Date))
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return &record{entry: Entry{Commit: commit, Date: when.Format(time.RFC3339), Dirty: in.ConfigValue(runconfig.Dirty) == "true"},
		when: when, data: data}, nil
}

// pairRecord reads a compare directory's two sides, checks that they were
// measured together, and joins them into one benchfmt file: base's, then
// head's.
func pairRecord(dir string) (*record, error) {
	paths := map[string]string{}
	res := map[string]*table.Results{}
	for _, side := range []string{rundir.Base, rundir.Head} {
		paths[side] = rundir.SideResults(dir, side)
		if !exists(paths[side]) {
			return nil, fmt.Errorf("%s is a compare directory without %s/%s: a compare against saved results measures only one side, and a paired entry needs both measured together (file a side's %s alone to record it unpaired)",
				dir, side, rundir.ResultsFile, rundir.ResultsFile)
		}
		r, err := loadWhole(paths[side])
		if err != nil {
			return nil, err
		}
		for _, c := range r.Configs {
			if v := c.Value(runconfig.Source); v != side {
				return nil, fmt.Errorf("%s holds results of source %q, not %q: not a benchrun compare side", paths[side], v, side)
			}
		}
		res[side] = r
	}
	base, head := res[rundir.Base].Inputs[0], res[rundir.Head].Inputs[0]
	// One compare writes one seed, one runner and one count for both
	// sides: that is what measuring them together leaves behind.
	for _, k := range []string{runconfig.Seed, runconfig.Runner, runconfig.Count} {
		if b, h := base.ConfigValue(k), head.ConfigValue(k); b != h {
			return nil, fmt.Errorf("%s: base and head were not measured together (%s %q and %q)", dir, k, b, h)
		}
	}
	commit, when, err := commitAndDate(paths[rundir.Head], head.ConfigValue(runconfig.Commit), head.ConfigValue(runconfig.Date))
	if err != nil {
		return nil, err
	}
	baseCommit, _, err := commitAndDate(paths[rundir.Base], base.ConfigValue(runconfig.Commit), base.ConfigValue(runconfig.Date))
	if err != nil {
		return nil, err
	}
	// A configuration line holds until the next one of its key: every key
	// base sets, head's header must set again, or head's results would
	// inherit base's value.
	for _, c := range res[rundir.Base].Configs {
		for _, l := range c.Lines {
			if !slices.ContainsFunc(head.Config, func(h table.ConfigLine) bool { return h.Key == l.Key }) {
				return nil, fmt.Errorf("%s sets %q and %s does not: the sides cannot share one file", paths[rundir.Base], l.Key, paths[rundir.Head])
			}
		}
	}
	var data []byte
	for _, side := range []string{rundir.Base, rundir.Head} {
		b, err := os.ReadFile(paths[side])
		if err != nil {
			return nil, err
		}
		if len(data) > 0 && !strings.HasSuffix(string(data), "\n") {
			data = append(data, '\n')
		}
		data = append(data, b...)
	}
	e := Entry{Commit: commit, Base: baseCommit, Date: when.Format(time.RFC3339), Dirty: head.ConfigValue(runconfig.Dirty) == "true"}
	return &record{entry: e, when: when, data: data}, nil
}

// loadWhole loads a results file that must be whole: results, and no line
// that does not parse (a file cut short).
func loadWhole(path string) (*table.Results, error) {
	res, err := table.Load(table.Input{Path: path})
	if err != nil {
		return nil, err
	}
	if len(res.SyntaxErrors) > 0 {
		return nil, fmt.Errorf("%s is damaged or cut short (%s)", path, res.SyntaxErrors[0])
	}
	if res.Count == 0 {
		return nil, fmt.Errorf("%s holds no benchmark results", path)
	}
	return res, nil
}

func commitAndDate(path, commit, date string) (string, time.Time, error) {
	when, err := time.Parse(time.RFC3339, date)
	if commit == "" || commit == "unknown" || err != nil {
		return "", time.Time{}, fmt.Errorf("%s must carry commit and date configuration lines, as the harness writes them (commit %q, date %q)", path, commit, date)
	}
	return commit, when, nil
}

// Short is a commit's first 12 characters, as entries name it.
func Short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}

// entryName names an entry so that entries sort by date: e.g.
// "20261201T120000Z-0123456789ab".
func entryName(when time.Time, commit string) string {
	return when.UTC().Format("20060102T150405Z") + "-" + strings.ToLower(Short(commit))
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
