// Package reports renders benchmark results into a report a reader can act
// on: which implementation wins where, whether each difference is real or
// noise, where the time and memory go, and, for a merge gate, the one
// decision and its evidence.
//
// The input is one or more files in the Go benchmark format (the harness's
// results.txt, or any `go test -bench` output) plus, optionally, a profile
// index (profiles/index.json) and a machine-load record (load.json) written by
// the harness. Generate writes report.html (one self-contained file),
// report.md (for a pull-request comment) and plots/*.png + plots/*.svg, and
// returns a Summary a CLI can print.
//
// It composes packages with one job each: table (benchstat's model, read
// and grouped exactly as benchstat does, configuration included), gate
// (the merge gate's judgement and Decision), profiles (pprof summaries and
// diffs), plots (gonum charts) and trend (series over commits). Templates
// and Markdown read view structs built here, never the data types.
package reports
