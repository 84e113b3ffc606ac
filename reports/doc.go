// Package reports renders benchmark results into a report a reader can act
// on: which implementation wins where, whether each difference is real or
// noise, and where the time and memory go.
//
// The input is one or more files in the Go benchmark format (the harness's
// results.txt, or any `go test -bench` output) plus, optionally, a profile
// index (profiles/index.json) written by the harness. Generate writes
// report.html (one self-contained file), report.md (for a pull-request
// comment) and plots/*.png + plots/*.svg, and returns a Summary a CLI can
// print.
//
// The statistics are benchstat's, composed from golang.org/x/perf: results
// are read with benchfmt, grouped with benchproc projections (the same
// -table/-row/-col syntax as benchstat), summarised and compared with
// benchmath under each unit's assumption from the Unit metadata, and
// formatted with benchunit. Profiles are read with
// github.com/google/pprof/profile and plots drawn with gonum.org/v1/plot.
//
// The pieces are exported separately (LoadResults, BuildTables,
// WritePlots, LoadProfiles, SummarizeProfile, DiffProfiles) so a compare
// command can reuse them, e.g. with Col ".file" and Baseline "base" over
// the inputs "base=old/results.txt" and "head=new/results.txt".
package reports
