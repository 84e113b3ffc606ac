package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/batchbench/batchbench/internal/history"
	"github.com/batchbench/batchbench/reports/gate"
	"github.com/batchbench/batchbench/reports/trend"
)

// historyCmd files a run or a compare in a history (see package history),
// or names the commit it ends at:
//
//	benchrun history add -db DIR [-force] RESULTS|COMPARE_DIR
//	benchrun history last -db DIR
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
	if err := parseFlags(fs, args[1:], 1); err != nil {
		return err
	}
	if *db == "" || fs.NArg() != 1 {
		return usageError{errors.New("history add: -db DIR and one RESULTS file, run directory or compare directory are required")}
	}
	e, err := history.Add(*db, fs.Arg(0), *force)
	switch {
	case errors.Is(err, history.ErrExists):
		return fmt.Errorf("history add: %w; -force replaces it", err)
	case err != nil:
		return fmt.Errorf("history add: %w", err)
	}
	if e.Dirty {
		fmt.Fprintf(stderr, "history add: warning: %s was measured with uncommitted changes (dirty: true); its entry is filed under commit %s all the same\n", fs.Arg(0), history.Short(e.Commit))
	}
	if e.Paired() {
		fmt.Fprintf(stdout, "history: %s (paired: %s against %s)\n", e.Path, history.Short(e.Commit), history.Short(e.Base))
	} else {
		fmt.Fprintf(stdout, "history: %s\n", e.Path)
	}
	return nil
}

// trendCmd renders a history's series and flags its change points:
//
//	benchrun trend -db DIR -o OUT [-threshold 5%] [-alpha 0.05]
//
// stdout gets one line per suspect (cell and commit) and nothing else, so
// a script can act on it; the report's path goes to stderr.
func trendCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("trend", stderr)
	db := fs.String("db", "", "the history `DIR` that benchrun history add fills (required)")
	out := fs.String("o", "", "write trend.md and plots/ to `DIR` (required)")
	threshold := gate.Threshold(0.05)
	fs.Var(&threshold, "threshold", "smallest relative change flagged, e.g. 5% or 0.05")
	alpha := fs.Float64("alpha", trend.DefaultAlpha, "paired entries: the probability that identical builds flag a cell, shared among its judged metrics")
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	if *db == "" || *out == "" {
		return usageError{errors.New("trend: -db and -o are required")}
	}
	if !(*alpha > 0 && *alpha < 1) {
		return usageError{fmt.Errorf("trend: -alpha must be between 0 and 1, got %v", *alpha)}
	}
	// The commits a pair measures, from the repository holding the
	// history (a worktree of bench-history, or a directory in a clone).
	o := trend.Options{Threshold: float64(threshold), Alpha: *alpha, Commits: trend.GitCommits(*db)}
	entries, err := history.Read(*db)
	var series []*trend.Series
	if err == nil {
		series, err = trend.Load(entries, o)
	}
	var damaged *history.DamagedError
	switch {
	case errors.As(err, &damaged):
		return fmt.Errorf("trend: %w; refile it with benchrun history add -force", err)
	case err != nil:
		return usageError{fmt.Errorf("trend: %v", err)}
	}
	tr := trend.Analyze(entries, series, o)
	path, err := trend.Write(tr, *out)
	if err != nil {
		return err
	}
	for _, line := range trend.Lines(tr.Suspects) {
		fmt.Fprintf(stdout, "SUSPECT %s\n", line)
	}
	fmt.Fprintf(stderr, "trend: %s (%s)\n", path, tr)
	for _, l := range tr.Chain {
		if l.Gap() || l.Span() {
			fmt.Fprintf(stderr, "trend: %s\n", l)
		}
	}
	return nil
}

// historyLastCmd prints the commit of the history's newest entry (a
// paired entry's head), what the next paired entry is measured against
// for a chain without a gap:
//
//	benchrun history last -db DIR
//
// It prints nothing for a history that holds no entry yet.
func historyLastCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("history last", stderr)
	db := fs.String("db", "", "the history `DIR` (required)")
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	if *db == "" {
		return usageError{errors.New("history last: -db DIR is required")}
	}
	e, ok, err := history.Last(*db)
	if err != nil {
		return usageError{fmt.Errorf("history last: %v", err)}
	}
	if ok {
		fmt.Fprintln(stdout, e.Commit)
	}
	return nil
}
