package reports

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/batchbench/batchbench/reports/gate"
	"github.com/batchbench/batchbench/reports/internal/fixture"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenClock is the injected clock of every golden report.
func goldenClock() time.Time { return time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC) }

// samples writes count runs of each benchmark at its center, spread by
// ±spread (a fraction), deterministically.
func samples(b *strings.Builder, count int, cells map[string][2]float64, order []string) {
	for i := range count {
		for _, name := range order {
			c := cells[name]
			x := c[0] * (1 + c[1]*(2*float64(i)/float64(count-1)-1))
			fmt.Fprintf(b, "Benchmark%s-2 100000 %.4g ns/op\n", name, x)
		}
	}
}

// TestGoldenReports renders report.md for foreign and gate inputs with
// relative paths and a fixed clock, and compares it with testdata/golden.
// Run with -update to rewrite them after an intended change.
func TestGoldenReports(t *testing.T) {
	nsx, err := os.ReadFile(fixture.Nsxbet)
	if err != nil {
		t.Fatal(err)
	}
	golden, err := filepath.Abs(filepath.Join("testdata", "golden"))
	if err != nil {
		t.Fatal(err)
	}
	cells := []string{"Size/impl=ring/size=10", "Size/impl=ring/size=1000", "Size/impl=ring/size=10000"}
	gateSide := func(ring1000 float64, extra string) string {
		var b strings.Builder
		b.WriteString("goos: linux\ngoarch: amd64\ncpu: Test CPU\n")
		samples(&b, 6, map[string][2]float64{
			cells[0]: {22, 0.15}, // too noisy to resolve 5% at count 6
			cells[1]: {ring1000, 0.004},
			cells[2]: {13.3, 0.004},
		}, cells)
		return b.String() + extra
	}
	twoPkg := func(slow float64) string {
		var b strings.Builder
		for _, pkg := range []string{"example.com/a", "example.com/b"} {
			b.WriteString("pkg: " + pkg + "\n")
			c := map[string][2]float64{"Encode": {100, 0.01}, "Decode": {200, 0.01}}
			if pkg == "example.com/b" {
				c["Encode"] = [2]float64{100 * slow, 0.01}
			}
			samples(&b, 6, c, []string{"Encode", "Decode"})
		}
		return b.String()
	}
	// A compare's pairs: real A/A pairs of four cells (reports/gate's
	// testdata), with pooled made 30% slower in head.
	aaBase, err1 := os.ReadFile(filepath.Join("gate", "testdata", "aa", "base.txt"))
	aaHead, err2 := os.ReadFile(filepath.Join("gate", "testdata", "aa", "head.txt"))
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	slowed := regexp.MustCompile(`(?m)^(BenchmarkSize/impl=pooled/size=1000-2 \d+ )(\S+)`).ReplaceAllStringFunc(string(aaHead), func(line string) string {
		f := strings.Fields(line)
		v, _ := strconv.ParseFloat(f[2], 64)
		return f[0] + " " + f[1] + " " + strconv.FormatFloat(v*1.3, 'g', 6, 64)
	})
	for _, tc := range []struct {
		name   string
		files  map[string]string
		inputs []string
		opts   Options
		gate   *gate.Options // judge head against the baseline, as report -head
	}{
		{name: "nsxbet", files: map[string]string{"nsxbet.txt": string(nsx)}, inputs: []string{"nsxbet.txt"}},
		{name: "pair", files: map[string]string{
			"old.txt": string(nsx),
			"new.txt": strings.ReplaceAll(string(nsx), "BenchmarkBatcherEnqueueParallel/batch_size=10-12\t", "BenchmarkBatcherEnqueueParallel/batch_size=10-12\t 1"),
		}, inputs: []string{"old.txt", "new.txt"}},
		{name: "two-packages", files: map[string]string{"base.txt": twoPkg(1), "head.txt": twoPkg(1.12)}, inputs: []string{"base.txt", "head.txt"}},
		{name: "gate", files: map[string]string{
			"base.txt": gateSide(13.1, ""),
			"head.txt": gateSide(15.2, "--- FAIL: BenchmarkSize/impl=ring/size=100000\n    self-check: observed mean batch fill 50000.0, want 100000\nFAIL\n"),
		}, inputs: []string{"base=base.txt", "head=head.txt"},
			opts: Options{Baseline: "base", Page: Page{Title: "Merge gate: head against base"}}, gate: &gate.Options{Head: "head", Threshold: 0.05}},
		{name: "paired-gate", files: map[string]string{"base.txt": string(aaBase), "head.txt": slowed},
			inputs: []string{"base=base.txt", "head=head.txt"},
			opts:   Options{Baseline: "base", Page: Page{Title: "Merge gate: head against base"}}, gate: &gate.Options{Head: "head", Threshold: 0.05}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			for name, content := range tc.files {
				if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			opts := tc.opts
			opts.Inputs, opts.OutDir, opts.Now = fixture.Inputs(tc.inputs...), "out", goldenClock
			var err error
			if tc.gate == nil {
				_, err = Generate(opts)
			} else if d, jerr := Judge(opts, gate.Plan{Options: *tc.gate}); jerr != nil {
				err = jerr
			} else {
				_, err = GenerateGate(d, opts.Page)
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join("out", "report.md"))
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(golden, tc.name+".md")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if string(got) != string(want) {
				t.Errorf("report.md differs from %s (run with -update after an intended change):\n%s", path, diffLines(string(want), string(got)))
			}
		})
	}
}

// diffLines shows the first lines that differ.
func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var out []string
	for i := 0; i < max(len(w), len(g)) && len(out) < 10; i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			out = append(out, fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, a, b))
		}
	}
	return strings.Join(out, "\n")
}
