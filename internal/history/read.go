package history

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/batchbench/batchbench/internal/runconfig"
	"github.com/batchbench/batchbench/internal/rundir"
	"github.com/batchbench/batchbench/reports/table"
)

// Read lists the history in db, oldest first, and loads every entry: its
// results, commit, date and, for a paired entry, base. A directory that
// is not a history, or holds no entry, is an error; an entry that does
// not parse, holds no results, or whose sides are not a pair's is a
// *DamagedError naming it.
func Read(db string) ([]Entry, error) {
	out, err := list(db)
	if err == nil && len(out) == 0 {
		err = fmt.Errorf("%s holds no history entries (DIR/DATE-COMMIT/%s)", db, rundir.ResultsFile)
	}
	if err != nil {
		return nil, err
	}
	for i := range out {
		if err := out[i].load(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Last returns the newest entry of the history in db, loaded: its Commit
// (a paired entry's head) is what the next paired entry is to be measured
// against, for a chain of pairs without a gap. ok is false when db holds
// no entry yet; an entry that cannot be read is an error naming it.
func Last(db string) (e Entry, ok bool, err error) {
	entries, err := list(db)
	if err != nil || len(entries) == 0 {
		return Entry{}, false, err
	}
	e = entries[len(entries)-1]
	if err := e.load(); err != nil {
		return Entry{}, false, err
	}
	return e, true, nil
}

// list lists the entries in db, oldest first, without reading them.
func list(db string) ([]Entry, error) {
	dirs, err := os.ReadDir(db)
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, d := range dirs {
		path := filepath.Join(db, d.Name(), rundir.ResultsFile)
		if !d.IsDir() || strings.HasPrefix(d.Name(), ".") || !exists(path) {
			continue
		}
		out = append(out, Entry{Name: d.Name(), Path: path})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// load reads the entry's results and fills in what they say of it.
func (e *Entry) load() error {
	res, err := table.Load(table.Input{Path: e.Path})
	if err != nil {
		return err
	}
	damaged := func(why string) error { return &DamagedError{Entry: e.Name, Why: why} }
	if len(res.SyntaxErrors) > 0 {
		return damaged(res.SyntaxErrors[0])
	}
	if res.Count == 0 {
		return damaged("no results")
	}
	base, head, err := sides(res)
	if err != nil {
		return damaged(err.Error())
	}
	e.Results = res
	if head == nil {
		in := res.Inputs[0]
		e.Commit, e.Date, e.Dirty = in.ConfigValue(runconfig.Commit), in.ConfigValue(runconfig.Date), in.ConfigValue(runconfig.Dirty) == "true"
		return nil
	}
	if len(res.Excluded) > 0 {
		return damaged("a value no benchmark can measure: " + res.Excluded[0])
	}
	e.Commit, e.Date, e.Base = head.Value(runconfig.Commit), head.Value(runconfig.Date), base.Value(runconfig.Commit)
	e.Dirty = head.Value(runconfig.Dirty) == "true"
	if e.Base == "" || e.Base == "unknown" || e.Commit == "" || e.Commit == "unknown" {
		return damaged("a side without its commit")
	}
	return nil
}

// sides returns the configurations of a paired entry's base and head (the
// first of each), or nils for a plain run: results of no side, or of
// head alone (a compare side filed as a run), are a plain run.
func sides(res *table.Results) (base, head *table.Configuration, err error) {
	var other []string
	for i := range res.Configs {
		c := &res.Configs[i]
		switch v := c.Value(runconfig.Source); v {
		case rundir.Base:
			if base == nil {
				base = c
			}
		case rundir.Head:
			if head == nil {
				head = c
			}
		default:
			other = append(other, fmt.Sprintf("%q", v))
		}
	}
	switch {
	case base != nil && head == nil:
		// A paired entry is written base first: base alone is one cut
		// short, never a plain run.
		return nil, nil, errors.New("base results without head's: a paired entry cut short")
	case head == nil, base == nil:
		return nil, nil, nil // base == nil: one compare side filed alone, a plain run
	}
	if len(other) > 0 {
		return nil, nil, fmt.Errorf("base and head results, and results of source %s", strings.Join(other, ", "))
	}
	return base, head, nil
}
