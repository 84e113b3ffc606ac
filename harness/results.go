package harness

import (
	"bytes"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchunit"

	"github.com/batchbench/batchbench/internal/atomicfile"
	"github.com/batchbench/batchbench/internal/runconfig"
	"github.com/batchbench/batchbench/scenarios"
)

// resultsFile accumulates one source's results and rewrites the whole file
// atomically on every change, so readers and interrupted runs only ever see a
// valid file.
type resultsFile struct {
	path     string
	env      []benchfmt.Config
	cells    []scenarios.Cell
	runs     map[scenarios.Cell][]*benchfmt.Result // in run order
	failures map[scenarios.Cell]string
}

func newResultsFile(path string, env []benchfmt.Config, cells []scenarios.Cell) *resultsFile {
	return &resultsFile{path: path, env: env, cells: cells,
		runs: map[scenarios.Cell][]*benchfmt.Result{}, failures: map[scenarios.Cell]string{}}
}

// add records one run of c over items items, of the pair named pair
// ("" for a run that is not half of a pair).
func (f *resultsFile) add(c scenarios.Cell, items int, vals []value, pair string) error {
	r := &benchfmt.Result{Config: f.env, Name: benchfmt.Name(benchmarkName(c)), Iters: items}
	if pair != "" {
		r.Config = append(slices.Clip(f.env), benchfmt.Config{Key: runconfig.Pair, Value: []byte(pair), File: true})
	}
	for _, v := range vals {
		r.Values = append(r.Values, benchfmt.Value{Value: roundSignificant(v.Value, 6), Unit: v.Unit})
	}
	f.runs[c] = append(f.runs[c], r)
	return f.flush()
}

// fail marks c failed. Its runs are dropped: a cell that failed its
// self-check, hung or crashed has no numbers worth comparing.
func (f *resultsFile) fail(c scenarios.Cell, reason string) error {
	f.failures[c] = reason
	delete(f.runs, c)
	return f.flush()
}

// benchmarkName is c's name as go test prints it, without "Benchmark":
// with the -GOMAXPROCS suffix unless GOMAXPROCS is 1.
func benchmarkName(c scenarios.Cell) string {
	if p := runtime.GOMAXPROCS(0); p != 1 {
		return fmt.Sprintf("%s-%d", c.Name(), p)
	}
	return c.Name()
}

func (f *resultsFile) flush() error {
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
	for _, c := range f.cells {
		for _, r := range f.runs[c] {
			if err := w.Write(r); err != nil {
				return err
			}
		}
	}
	// Failures as go test prints them; benchfmt readers skip these lines.
	for _, c := range f.cells {
		if reason, ok := f.failures[c]; ok {
			fmt.Fprintf(&buf, "--- FAIL: Benchmark%s\n", benchmarkName(c))
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
