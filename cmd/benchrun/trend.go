package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/batchbench/batchbench/reports/trend"
)

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
	threshold := fs.String("threshold", "5%", "smallest relative change flagged, e.g. 5% or 0.05")
	alpha := fs.Float64("alpha", trend.DefaultAlpha, "paired entries: the probability that identical builds flag a cell, shared among its judged metrics")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *db == "" || *out == "" {
		return usageError{errors.New("trend: -db and -o are required")}
	}
	limit, err := parseThreshold(*threshold)
	if err != nil {
		return usageError{fmt.Errorf("trend: %v", err)}
	}
	if !(*alpha > 0 && *alpha < 1) {
		return usageError{fmt.Errorf("trend: -alpha must be between 0 and 1, got %v", *alpha)}
	}
	// The commits a pair measures, from the repository holding the
	// history (a worktree of bench-history, or a directory in a clone).
	o := trend.Options{Threshold: limit, Alpha: *alpha, Commits: trend.GitCommits(*db)}
	entries, err := trend.Entries(*db)
	if err != nil {
		return usageError{fmt.Errorf("trend: %v", err)}
	}
	series, err := trend.Load(entries, o)
	if err != nil {
		return err
	}
	tr := trend.Analyze(entries, series, o)
	path, err := trend.Write(tr, *out)
	if err != nil {
		return err
	}
	lines := trend.Lines(tr.Suspects)
	for _, line := range lines {
		fmt.Fprintf(stdout, "SUSPECT %s\n", line)
	}
	paired := 0
	for _, e := range entries {
		if e.Paired() {
			paired++
		}
	}
	fmt.Fprintf(stderr, "trend: %s (%d commits, %d paired; %d series; %d suspect(s), %d creep(s))\n",
		path, len(entries), paired, len(series), len(lines), len(tr.Creeps))
	for _, l := range tr.Chain {
		if l.Gap() || l.Span() {
			fmt.Fprintf(stderr, "trend: %s\n", l)
		}
	}
	return nil
}
