package harness

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchunit"

	"github.com/batchbench/batchbench/internal/atomicfile"
	"github.com/batchbench/batchbench/internal/runconfig"
	"github.com/batchbench/batchbench/scenarios"
)

// resultsFile accumulates one source's results in results.txt, in run
// order. It appends each run as it comes, one write per run, so readers
// and interrupted runs only ever see whole lines; a failure rewrites the
// file atomically, without the failed cell's runs, and every later run
// rewrites it again so that the failures stay at its end, as go test
// prints them. (Rewriting the whole file after every run cost a decision
// of the quick gate 3–4 s a side of its budget, growing with the square
// of its runs.)
type resultsFile struct {
	path     string
	env      []benchfmt.Config
	procs    int // the workers' GOMAXPROCS, for the names' suffix
	cells    []scenarios.Cell
	runs     []cellRun // in run order
	failures map[scenarios.Cell]string
	file     *os.File         // open for appending; nil once a failure has rewritten the file
	w        *benchfmt.Writer // writes to file, remembering the config it has written
}

// switchWriter writes to whatever Writer it holds now.
type switchWriter struct{ io.Writer }

type cellRun struct {
	cell scenarios.Cell
	res  *benchfmt.Result
}

// newResultsFile writes path's header: the units' metadata and env, so
// that even a file without runs says where it came from; then opens it
// for appending. procs is the workers' GOMAXPROCS.
func newResultsFile(path string, env []benchfmt.Config, procs int, cells []scenarios.Cell) (*resultsFile, error) {
	f := &resultsFile{path: path, env: env, procs: procs, cells: cells, failures: map[scenarios.Cell]string{}}
	if err := f.rewrite(); err != nil {
		return nil, err
	}
	file, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil, err
	}
	// The writer writes only the config lines that change: tell it the
	// header's, by writing a result with them to nowhere first.
	sink := &switchWriter{io.Discard}
	f.file, f.w = file, benchfmt.NewWriter(sink)
	if err := f.w.Write(&benchfmt.Result{Config: env, Name: benchfmt.Name("Primer"), Iters: 1}); err != nil {
		f.close()
		return nil, err
	}
	sink.Writer = file
	return f, nil
}

// An origin is where a run was measured: the pair it is half of ("" for
// a run that is not), the worker process's number (0: unknown), and the
// function layout of its executable ("" for a side linked in one).
type origin struct {
	pair   string
	worker int
	layout string
}

// add records one run of c over items items, measured where from says.
func (f *resultsFile) add(c scenarios.Cell, items int, vals []value, from origin) error {
	r := &benchfmt.Result{Config: f.env, Name: benchfmt.Name(benchmarkName(c, f.procs)), Iters: items}
	worker := ""
	if from.worker > 0 {
		worker = strconv.Itoa(from.worker)
	}
	for _, kv := range [][2]string{{runconfig.Worker, worker}, {runconfig.Layout, from.layout}, {runconfig.Pair, from.pair}} {
		if kv[1] != "" {
			r.Config = append(slices.Clip(r.Config), benchfmt.Config{Key: kv[0], Value: []byte(kv[1]), File: true})
		}
	}
	for _, v := range vals {
		r.Values = append(r.Values, benchfmt.Value{Value: roundSignificant(v.Value, 6), Unit: v.Unit})
	}
	f.runs = append(f.runs, cellRun{c, r})
	if f.file == nil { // a failure rewrote the file: keep the failures at its end
		return f.rewrite()
	}
	return f.w.Write(r)
}

// fail marks c failed. Its runs are dropped: a cell that failed its
// self-check, hung or crashed has no numbers worth comparing.
func (f *resultsFile) fail(c scenarios.Cell, reason string) error {
	f.failures[c] = reason
	f.runs = slices.DeleteFunc(f.runs, func(r cellRun) bool { return r.cell == c })
	return f.rewrite()
}

// close syncs and closes the file; the session calls it before it moves
// the run into place.
func (f *resultsFile) close() error {
	if f.file == nil {
		return nil
	}
	err := f.file.Sync()
	if cerr := f.file.Close(); err == nil {
		err = cerr
	}
	f.file, f.w = nil, nil
	return err
}

// benchmarkName is c's name as go test prints it, without "Benchmark",
// run at GOMAXPROCS procs: with the -procs suffix unless procs is 1.
func benchmarkName(c scenarios.Cell, procs int) string {
	if procs != 1 {
		return fmt.Sprintf("%s-%d", c.Name(), procs)
	}
	return c.Name()
}

// rewrite replaces the whole file atomically: header, runs, failures.
func (f *resultsFile) rewrite() error {
	if err := f.close(); err != nil {
		return err
	}
	var buf bytes.Buffer
	w := benchfmt.NewWriter(&buf)
	for _, u := range unitMetadata() {
		if err := w.Write(u); err != nil {
			return err
		}
	}
	if len(f.runs) == 0 {
		// No result carries the header yet; write it by hand so that even
		// an empty file says where it came from.
		for _, c := range f.env {
			fmt.Fprintf(&buf, "%s: %s\n", c.Key, c.Value)
		}
	}
	for _, r := range f.runs {
		if err := w.Write(r.res); err != nil {
			return err
		}
	}
	// Failures as go test prints them; benchfmt readers skip these lines.
	for _, c := range f.cells {
		if reason, ok := f.failures[c]; ok {
			fmt.Fprintf(&buf, "--- FAIL: Benchmark%s\n", benchmarkName(c, f.procs))
			for _, line := range strings.Split(strings.TrimRight(reason, "\n"), "\n") {
				fmt.Fprintf(&buf, "    %s\n", line)
			}
		}
	}
	if len(f.failures) > 0 {
		buf.WriteString("FAIL\n")
	}
	return atomicfile.WriteFile(f.path, buf.Bytes())
}

// unitMetadata tells benchstat which way each custom unit improves. No unit
// is marked assume=exact: per-item allocation counts are fractions that vary
// between runs for the channel designs, and an exact assumption would call
// that noise significant.
func unitMetadata() []*benchfmt.UnitMetadata {
	var out []*benchfmt.UnitMetadata
	seen := map[string]bool{}
	for _, fam := range scenarios.Families {
		for _, m := range fam.Metrics {
			if seen[m.Unit] {
				continue
			}
			seen[m.Unit] = true
			_, tidied := benchunit.Tidy(1, m.Unit)
			if better := map[scenarios.Direction]string{scenarios.Lower: "lower", scenarios.Higher: "higher"}[m.Better]; better != "" {
				out = append(out, &benchfmt.UnitMetadata{
					UnitMetadataKey: benchfmt.UnitMetadataKey{Unit: tidied, Key: "better"}, OrigUnit: m.Unit, Value: better})
			}
		}
	}
	return out
}

// roundSignificant keeps n significant digits: more is noise, and it keeps
// the file readable.
func roundSignificant(x float64, n int) float64 {
	if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	v, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', n, 64), 64)
	return v
}
