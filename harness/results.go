package harness

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchunit"

	"github.com/batchbench/batchbench/scenarios"
)

// resultsFile accumulates results and rewrites the whole file atomically on
// every change, so readers and interrupted runs only ever see a valid file.
type resultsFile struct {
	path     string
	env      map[string][]benchfmt.Config // config lines by source name
	sources  []Source
	cells    []scenarios.Cell
	runs     map[runKey][]*benchfmt.Result // in run order
	failures map[runKey]string
}

func newResultsFile(path string, opts Options) *resultsFile {
	f := &resultsFile{path: path, env: map[string][]benchfmt.Config{}, sources: opts.Sources, cells: opts.Cells,
		runs: map[runKey][]*benchfmt.Result{}, failures: map[runKey]string{}}
	for _, s := range opts.Sources {
		f.env[s.Name] = Environment(s, opts.Seed, opts.Count, opts.Quick)
	}
	return f
}

// add records one run over items items.
func (f *resultsFile) add(k runKey, items int, vals []value) error {
	r := &benchfmt.Result{Config: f.env[k.source], Name: benchfmt.Name(BenchmarkName(k.cell)), Iters: items}
	for _, v := range vals {
		r.Values = append(r.Values, benchfmt.Value{Value: roundSignificant(v.Value, 6), Unit: v.Unit})
	}
	f.runs[k] = append(f.runs[k], r)
	return f.flush()
}

// fail marks a cell failed. Its runs are dropped: a cell that failed its
// self-check, hung or crashed has no numbers worth comparing.
func (f *resultsFile) fail(k runKey, reason string) error {
	f.failures[k] = reason
	delete(f.runs, k)
	return f.flush()
}

// BenchmarkName is c's name as go test prints it, without "Benchmark":
// with the -GOMAXPROCS suffix unless GOMAXPROCS is 1.
func BenchmarkName(c scenarios.Cell) string {
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
		for _, c := range f.env[f.sources[0].Name] {
			fmt.Fprintf(&buf, "%s: %s\n", c.Key, c.Value)
		}
	}
	for _, s := range f.sources {
		for _, c := range f.cells {
			for _, r := range f.runs[runKey{s.Name, c}] {
				if err := w.Write(r); err != nil {
					return err
				}
			}
		}
	}
	// Failures as go test prints them; benchfmt readers skip these lines.
	for _, s := range f.sources {
		for _, c := range f.cells {
			reason, ok := f.failures[runKey{s.Name, c}]
			if !ok {
				continue
			}
			fmt.Fprintf(&buf, "--- FAIL: Benchmark%s", BenchmarkName(c))
			if s.Name != "" {
				fmt.Fprintf(&buf, " (%s)", s.Name)
			}
			buf.WriteByte('\n')
			for _, line := range strings.Split(strings.TrimRight(reason, "\n"), "\n") {
				fmt.Fprintf(&buf, "    %s\n", line)
			}
		}
	}
	if len(f.failures) > 0 {
		buf.WriteString("FAIL\n")
	}
	return WriteFileAtomic(f.path, buf.Bytes())
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

// WriteFileAtomic writes data to a temporary file beside path and renames it
// over path, so path always holds either the old or the new content.
func WriteFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
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
