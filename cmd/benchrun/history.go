package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/batchbench/batchbench/internal/atomicfile"
	"github.com/batchbench/batchbench/internal/runconfig"
	"github.com/batchbench/batchbench/reports/table"
)

// historyCmd keeps a per-commit history of results:
//
//	benchrun history add -db DIR [-force] RESULTS
//
// files RESULTS (a results.txt, or a run's directory) under its date and
// commit in DIR, in benchfmt as written, so the history stays readable by
// benchstat and by anything else that reads go test -bench output.
func historyCmd(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return usageError{errors.New("history: usage: benchrun history add -db DIR [-force] RESULTS")}
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
		return usageError{errors.New("history add: -db DIR and one RESULTS file or directory are required")}
	}
	path := fs.Arg(0)
	if fi, err := os.Stat(path); err != nil {
		return usageError{fmt.Errorf("history add: %v", err)}
	} else if fi.IsDir() {
		path = filepath.Join(path, "results.txt")
	}
	res, err := table.Load(path)
	if err != nil {
		return usageError{fmt.Errorf("history add: %v", err)}
	}
	if res.Count == 0 {
		return usageError{fmt.Errorf("history add: %s holds no benchmark results", path)}
	}
	in := res.Inputs[0]
	commit, date := in.ConfigValue(runconfig.Commit), in.ConfigValue(runconfig.Date)
	when, err := time.Parse(time.RFC3339, date)
	if commit == "" || commit == "unknown" || err != nil {
		return usageError{fmt.Errorf("history add: %s must carry commit and date configuration lines, as benchrun run writes them (commit %q, date %q)", path, commit, date)}
	}
	entry := filepath.Join(*db, historyEntry(when, commit), "results.txt")
	if _, err := os.Stat(entry); err == nil && !*force {
		return usageError{fmt.Errorf("history add: %s is already filed; -force replaces it", entry)}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(entry), 0o755); err != nil {
		return err
	}
	if err := atomicfile.WriteFile(entry, data); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "history: %s\n", entry)
	return nil
}

// historyEntry names an entry so that entries sort by date: e.g.
// "20261201T120000Z-0123456789ab".
func historyEntry(when time.Time, commit string) string {
	c := commit
	if len(c) > 12 {
		c = c[:12]
	}
	return when.UTC().Format("20060102T150405Z") + "-" + strings.ToLower(c)
}
