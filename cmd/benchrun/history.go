package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/batchbench/batchbench/internal/atomicfile"
	"github.com/batchbench/batchbench/internal/runconfig"
	"github.com/batchbench/batchbench/reports/table"
)

// historyCmd keeps a per-commit history of results:
//
//	benchrun history add -db DIR [-force] RESULTS|COMPARE_DIR
//
// files RESULTS (a results.txt, or a run's directory) under its date and
// commit in DIR, in benchfmt as written, so the history stays readable by
// benchstat and by anything else that reads go test -bench output.
//
// COMPARE_DIR, a benchrun compare output directory (base/results.txt and
// head/results.txt, measured A B A B), is filed as a paired entry under
// head's commit and date: base's file followed by head's, told apart by
// their "source" configuration lines (benchstat -col source reads it).
// benchrun trend judges a paired entry by head/base, which the machine's
// drift cancels out of.
func historyCmd(args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "last" {
		return historyLastCmd(args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "add" {
		return usageError{errors.New("history: usage: benchrun history add -db DIR [-force] RESULTS|COMPARE_DIR | history last -db DIR")}
	}
	fs := newFlagSet("history add", stderr)
	db := fs.String("db", "", "the history `DIR` (required)")
	force := fs.Bool("force", false, "replace an entry already filed for this commit and date")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if *db == "" || fs.NArg() != 1 {
		return usageError{errors.New("history add: -db DIR and one RESULTS file, run directory or compare directory are required")}
	}
	src := fs.Arg(0)
	fi, err := os.Stat(src)
	if err != nil {
		return usageError{fmt.Errorf("history add: %v", err)}
	}
	var e *historyRecord
	switch {
	case fi.IsDir() && (exists(filepath.Join(src, "base", "results.txt")) || exists(filepath.Join(src, "head", "results.txt"))):
		e, err = pairRecord(src)
	case fi.IsDir():
		e, err = runRecord(filepath.Join(src, "results.txt"))
	default:
		e, err = runRecord(src)
	}
	if err != nil {
		return usageError{fmt.Errorf("history add: %v", err)}
	}
	if e.dirty {
		fmt.Fprintf(stderr, "history add: warning: %s was measured with uncommitted changes (dirty: true); its entry is filed under commit %s all the same\n", src, short(e.commit))
	}
	entry := filepath.Join(*db, historyEntry(e.when, e.commit), "results.txt")
	if _, err := os.Stat(entry); err == nil && !*force {
		return usageError{fmt.Errorf("history add: %s is already filed; -force replaces it", entry)}
	}
	if err := os.MkdirAll(filepath.Dir(entry), 0o755); err != nil {
		return err
	}
	if err := atomicfile.WriteFile(entry, e.data); err != nil {
		return err
	}
	if e.base != "" {
		fmt.Fprintf(stdout, "history: %s (paired: %s against %s)\n", entry, short(e.commit), short(e.base))
	} else {
		fmt.Fprintf(stdout, "history: %s\n", entry)
	}
	return nil
}

// A historyRecord is what one entry files.
type historyRecord struct {
	commit, base string // base: "" for a plain run
	when         time.Time
	dirty        bool
	data         []byte
}

// runRecord reads a plain run's results.
func runRecord(path string) (*historyRecord, error) {
	res, err := loadWhole(path)
	if err != nil {
		return nil, err
	}
	in := res.Inputs[0]
	if in.ConfigValue(runconfig.Source) == "base" {
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
	return &historyRecord{commit: commit, when: when, dirty: in.ConfigValue(runconfig.Dirty) == "true", data: data}, nil
}

// pairRecord reads a compare directory's two sides, checks that they were
// measured together, and joins them into one benchfmt file: base's, then
// head's.
func pairRecord(dir string) (*historyRecord, error) {
	paths := map[string]string{}
	res := map[string]*table.Results{}
	for _, side := range []string{"base", "head"} {
		paths[side] = filepath.Join(dir, side, "results.txt")
		if !exists(paths[side]) {
			return nil, fmt.Errorf("%s is a compare directory without %s/results.txt: a compare against saved results measures only one side, and a paired entry needs both measured together (file a side's results.txt alone to record it unpaired)", dir, side)
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
	base, head := res["base"].Inputs[0], res["head"].Inputs[0]
	// One compare writes one seed, one runner and one count for both
	// sides: that is what measuring them together leaves behind.
	for _, k := range []string{runconfig.Seed, runconfig.Runner, runconfig.Count} {
		if b, h := base.ConfigValue(k), head.ConfigValue(k); b != h {
			return nil, fmt.Errorf("%s: base and head were not measured together (%s %q and %q)", dir, k, b, h)
		}
	}
	commit, when, err := commitAndDate(paths["head"], head.ConfigValue(runconfig.Commit), head.ConfigValue(runconfig.Date))
	if err != nil {
		return nil, err
	}
	baseCommit, _, err := commitAndDate(paths["base"], base.ConfigValue(runconfig.Commit), base.ConfigValue(runconfig.Date))
	if err != nil {
		return nil, err
	}
	// A configuration line holds until the next one of its key: every key
	// base sets, head's header must set again, or head's results would
	// inherit base's value.
	for _, c := range res["base"].Configs {
		for _, l := range c.Lines {
			if !slices.ContainsFunc(head.Config, func(h table.ConfigLine) bool { return h.Key == l.Key }) {
				return nil, fmt.Errorf("%s sets %q and %s does not: the sides cannot share one file", paths["base"], l.Key, paths["head"])
			}
		}
	}
	var data []byte
	for _, side := range []string{"base", "head"} {
		b, err := os.ReadFile(paths[side])
		if err != nil {
			return nil, err
		}
		if len(data) > 0 && !strings.HasSuffix(string(data), "\n") {
			data = append(data, '\n')
		}
		data = append(data, b...)
	}
	return &historyRecord{commit: commit, base: baseCommit, when: when, dirty: head.ConfigValue(runconfig.Dirty) == "true", data: data}, nil
}

// loadWhole loads a results file that must be whole: results, and no line
// that does not parse (a file cut short).
func loadWhole(path string) (*table.Results, error) {
	res, err := table.Load(path)
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
		return "", time.Time{}, fmt.Errorf("%s must carry commit and date configuration lines, as benchrun run writes them (commit %q, date %q)", path, commit, date)
	}
	return commit, when, nil
}

func short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}

// historyEntry names an entry so that entries sort by date: e.g.
// "20261201T120000Z-0123456789ab".
func historyEntry(when time.Time, commit string) string {
	return when.UTC().Format("20060102T150405Z") + "-" + strings.ToLower(short(commit))
}
