package harness

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"

	"github.com/batchbench/batchbench/internal/runconfig"
	"github.com/batchbench/batchbench/scenarios"
)

// run is a results file's run as a reader sees it.
type run struct{ name, pair, commit string }

func readBack(t *testing.T, path string) ([]run, string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var runs []run
	r := benchfmt.NewReader(strings.NewReader(string(data)), path)
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.Result:
			runs = append(runs, run{rec.Name.String(), rec.GetConfig(runconfig.Pair), rec.GetConfig(runconfig.Commit)})
		case *benchfmt.SyntaxError:
			t.Errorf("%v", rec)
		}
	}
	return runs, string(data)
}

func TestResultsFileAppendsEveryRunAsWritten(t *testing.T) {
	a, err := scenarios.Parse("Size/impl=ring/size=1000")
	if err != nil {
		t.Fatal(err)
	}
	b, err := scenarios.Parse("Size/impl=mutex/size=1000")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "results.txt")
	env := []benchfmt.Config{{Key: runconfig.Commit, Value: []byte("abc"), File: true}}
	f, err := newResultsFile(path, env, 2, []scenarios.Cell{a, b})
	if err != nil {
		t.Fatal(err)
	}
	vals := []value{{"sec/op", 1e-8}}
	if got, text := readBack(t, path); len(got) != 0 || !strings.Contains(text, "commit: abc") {
		t.Fatalf("a new file holds %v and reads\n%s\nwant no runs and the header", got, text)
	}
	name := func(c scenarios.Cell) string { return c.Name() + "-2" } // go test's suffix at GOMAXPROCS 2
	want := []run{
		{name(a), "0 base-first", "abc"},
		{name(b), "0 head-first", "abc"},
		{name(a), "", "abc"}, // a run outside any pair, after paired ones
		{name(a), "1 head-first", "abc"},
	}
	for _, w := range want {
		c := a
		if w.name == name(b) {
			c = b
		}
		if err := f.add(c, 100, vals, origin{pair: w.pair}); err != nil {
			t.Fatal(err)
		}
		got, _ := readBack(t, path)
		if fmt.Sprint(got) != fmt.Sprint(want[:len(got)]) || len(got) == 0 || got[len(got)-1] != w {
			t.Fatalf("after adding %v the file holds\n%v\nwant\n%v", w, got, want[:len(got)])
		}
	}
	if _, text := readBack(t, path); strings.Count(text, "commit: abc") != 1 {
		t.Errorf("the header is written %d times, want once:\n%s", strings.Count(text, "commit: abc"), text)
	}

	// A failure drops the cell's runs and stays at the end of the file,
	// however many runs follow it.
	if err := f.fail(b, "self-check: lost items\nsecond line"); err != nil {
		t.Fatal(err)
	}
	if err := f.add(a, 100, vals, origin{pair: "2 base-first"}); err != nil {
		t.Fatal(err)
	}
	if err := f.close(); err != nil {
		t.Fatal(err)
	}
	got, text := readBack(t, path)
	want = []run{want[0], want[2], want[3], {name(a), "2 base-first", "abc"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after the failure the file holds\n%v\nwant\n%v", got, want)
	}
	if !strings.HasSuffix(text, "--- FAIL: Benchmark"+name(b)+"\n    self-check: lost items\n    second line\nFAIL\n") {
		t.Errorf("the file does not end with the failure:\n%s", text)
	}
}

// BenchmarkResultsFileAdd measures adding one run to a results file that
// already holds b.N runs' worth of a decision: it should not grow with
// the file (it did, when every run rewrote the whole file).
func BenchmarkResultsFileAdd(b *testing.B) {
	for _, held := range []int{100, 2000} {
		b.Run(fmt.Sprintf("held=%d", held), func(b *testing.B) {
			c, err := scenarios.Parse("Size/impl=ring/size=1000")
			if err != nil {
				b.Fatal(err)
			}
			f, err := newResultsFile(filepath.Join(b.TempDir(), "results.txt"), nil, 2, []scenarios.Cell{c})
			if err != nil {
				b.Fatal(err)
			}
			defer f.close()
			vals := []value{{"sec/op", 1.2345e-8}, {"cpu-sec/op", 2.3e-8}, {"B/op", 12}, {"allocs/op", 0.01}}
			for i := range held {
				if err := f.add(c, 1000, vals, origin{pair: fmt.Sprintf("%d base-first", i), worker: 1}); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			for i := range b.N {
				if err := f.add(c, 1000, vals, origin{pair: fmt.Sprintf("%d base-first", held+i), worker: 1}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
