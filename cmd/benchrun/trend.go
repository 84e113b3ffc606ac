package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/batchbench/batchbench/reports/trend"
)

// trendCmd renders a history's series and flags its change points:
//
//	benchrun trend -db DIR -o OUT
//
// stdout gets one line per suspect (cell and commit) and nothing else, so
// a script can act on it; the report's path goes to stderr.
func trendCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("trend", stderr)
	db := fs.String("db", "", "the history `DIR` that benchrun history add fills (required)")
	out := fs.String("o", "", "write trend.md and plots/ to `DIR` (required)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *db == "" || *out == "" {
		return usageError{errors.New("trend: -db and -o are required")}
	}
	entries, err := trend.Entries(*db)
	if err != nil {
		return usageError{fmt.Errorf("trend: %v", err)}
	}
	series, err := trend.Load(entries)
	if err != nil {
		return err
	}
	suspects := trend.Detect(series)
	path, err := trend.Write(entries, series, suspects, *out)
	if err != nil {
		return err
	}
	for _, line := range trend.Lines(suspects) {
		fmt.Fprintf(stdout, "SUSPECT %s\n", line)
	}
	fmt.Fprintf(stderr, "trend: %s (%d commits, %d series, %d suspect(s))\n", path, len(entries), len(series), len(suspects))
	return nil
}
