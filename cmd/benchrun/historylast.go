package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/batchbench/batchbench/reports/trend"
)

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
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *db == "" {
		return usageError{errors.New("history last: -db DIR is required")}
	}
	e, ok, err := trend.Last(*db)
	if err != nil {
		return usageError{fmt.Errorf("history last: %v", err)}
	}
	if ok {
		fmt.Fprintln(stdout, e.Commit)
	}
	return nil
}
