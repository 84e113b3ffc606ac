package table_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/batchbench/batchbench/reports/internal/fixture"
	"github.com/batchbench/batchbench/reports/table"
)

func TestGeomean(t *testing.T) {
	// Two rows: b is 4× a at x=1 and a quarter of a at x=2, so the
	// geomean ratio is exactly 1 while the per-row changes are large.
	var lines []string
	for i := 0; i < 6; i++ {
		lines = append(lines,
			"BenchmarkF/impl=a/x=1 1 1 ns/op", "BenchmarkF/impl=b/x=1 1 4 ns/op",
			"BenchmarkF/impl=a/x=2 1 16 ns/op", "BenchmarkF/impl=b/x=2 1 4 ns/op")
	}
	path := fixture.WriteFile(t, t.TempDir(), "r.txt", strings.Join(lines, "\n")+"\n")
	tb := fixture.FindTable(t, fixture.Tables(t, table.Config{Table: ".name", Col: "/impl"}, path), "F", "sec/op")

	ga, gb := tb.Geomean[0], tb.Geomean[1]
	if !ga.HasCenter || math.Abs(ga.Center-4e-9) > 1e-18 { // sqrt(1·16) ns
		t.Errorf("geomean a = %v, want 4ns", ga.Center)
	}
	if !gb.HasRatio || math.Abs(gb.Ratio-1) > 1e-12 || gb.RatioText() != "+0.00%" {
		t.Errorf("geomean ratio b = %v (%s), want 1 (+0.00%%)", gb.Ratio, gb.RatioText())
	}
	if gb.CenterText(tb.Unit) != "4.000n" {
		t.Errorf("geomean b text = %q", gb.CenterText(tb.Unit))
	}
	if d := tb.Rows[0].Cells[1].DeltaText(); d != "+300.00%" {
		t.Errorf("x=1 delta = %q, want +300.00%%", d)
	}
}

func TestBaselineAndColumnsConfigurable(t *testing.T) {
	dir := t.TempDir()
	base := fixture.WriteFile(t, dir, "base.txt", "commit: aaa\nBenchmarkX/size=1 1 10 ns/op\nBenchmarkX/size=2 1 20 ns/op\n")
	head := fixture.WriteFile(t, dir, "head.txt", "commit: bbb\nBenchmarkX/size=1 1 5 ns/op\nBenchmarkX/size=2 1 10 ns/op\n")

	for _, tc := range []struct {
		name   string
		cfg    table.Config
		inputs []string
		cols   []string
	}{
		{"file labels, default baseline", table.Config{Col: ".file", Ignore: "commit"}, []string{"base=" + base, "head=" + head}, []string{"base", "head"}},
		{"file labels, head as baseline", table.Config{Col: ".file", Baseline: "head", Ignore: "commit"}, []string{"base=" + base, "head=" + head}, []string{"head", "base"}},
		// A file configuration key as the column: the tables are not
		// split by it (Table defaults to .name, not .config).
		{"config key", table.Config{Col: "commit", Baseline: "bbb"}, []string{base, head}, []string{"bbb", "aaa"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := fixture.Tables(t, tc.cfg, tc.inputs...)
			if len(ts.Tables) != 1 {
				t.Fatalf("%d tables, want 1", len(ts.Tables))
			}
			tb := ts.Tables[0]
			if !slices.Equal(tb.Cols, tc.cols) {
				t.Errorf("columns %q, want %q", tb.Cols, tc.cols)
			}
			for _, r := range tb.Rows {
				if r.Cells[0].HasComparison || !r.Cells[1].HasComparison || r.Cells[1].Base != r.Cells[0] {
					t.Errorf("row %s: comparisons not against column %q", r.Label, tb.Cols[0])
				}
			}
		})
	}

	ts := fixture.Tables(t, table.Config{Col: ".file", Baseline: "nope", Ignore: "commit"}, "base="+base, "head="+head)
	if w := ts.Tables[0].Warnings; len(w) != 1 || !strings.Contains(w[0], `baseline "nope"`) {
		t.Errorf("missing baseline warning, got %q", w)
	}
}

func TestRowsSortedByParam(t *testing.T) {
	// Run order (as the harness interleaves) is not numeric order.
	in := "BenchmarkS/size=10k-2 1 3 ns/op\nBenchmarkS/size=1k-2 1 2 ns/op\nBenchmarkS/size=100-2 1 1 ns/op\nBenchmarkS/size=1M-2 1 4 ns/op\n"
	tb := fixture.Tables(t, table.Config{Table: ".name"}, fixture.WriteFile(t, t.TempDir(), "r.txt", in)).Tables[0]
	var labels []string
	for _, r := range tb.Rows {
		labels = append(labels, r.Label)
	}
	if want := []string{"size=100", "size=1k", "size=10k", "size=1M"}; !slices.Equal(labels, want) {
		t.Errorf("rows %q, want %q (GOMAXPROCS suffix dropped, numeric order)", labels, want)
	}
}

func TestParseParam(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1000", 1000, true}, {"0.5", 0.5, true}, {"10k", 1e4, true}, {"100k", 1e5, true},
		{"2M", 2e6, true}, {"1Ki", 1024, true}, {"4Mi", 4 << 20, true},
		{"10ms", 0.01, true}, {"1.5s", 1.5, true}, {"100µs", 1e-4, true},
		{"fast", 0, false}, {"", 0, false}, {"k", 0, false},
	} {
		got, ok := table.ParseParam(tc.in)
		if ok != tc.ok || (ok && math.Abs(got-tc.want) > 1e-12*tc.want) {
			t.Errorf("table.ParseParam(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestBenchstatWarningsInCells(t *testing.T) {
	ts := fixture.Tables(t, table.Config{Table: ".config,.name", Col: "/impl"}, fixture.ResultsFile(t))
	want := map[string]string{
		"Interval p50-sec":   "need >= 6 samples for confidence interval at level 0.95",
		"Memory B/op":        "need >= 4 samples to detect a difference at alpha level 0.05",
		"Size batches/op":    "all samples are equal",
		"Size allocs/op":     "exact distribution expected, but values range from",
		"Concurrency sec/op": "benchmark set differs from baseline; geomeans may not be comparable",
	}
	found := map[string]bool{}
	for _, w := range ts.BenchstatWarnings() {
		for key, text := range want {
			if !strings.HasPrefix(w.Text, text) {
				continue
			}
			for _, c := range w.Cells {
				if strings.HasPrefix(c, key+" ") {
					found[key] = true
				}
			}
		}
	}
	for key, text := range want {
		if !found[key] {
			t.Errorf("%s: warning %q not reported", key, text)
		}
	}
}

// Results that differ in a configuration key are never pooled into one
// row or compared, as in benchstat: one benchmark name in two packages
// makes two tables, and a key named by -ignore joins them again.
func TestConfigurationsAreNeverPooled(t *testing.T) {
	var in strings.Builder
	for _, pkg := range []string{"example.com/a", "example.com/b"} {
		in.WriteString("pkg: " + pkg + "\n")
		for range 6 {
			in.WriteString("BenchmarkX-2 1 100 ns/op\n")
		}
	}
	path := fixture.WriteFile(t, t.TempDir(), "two.txt", in.String())
	res, err := table.Load(table.Input{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Configs) != 2 || res.Configs[1].Value("pkg") != "example.com/b" || res.Configs[1].Results != 6 {
		t.Errorf("configurations %+v, want one per package", res.Configs)
	}
	ts := fixture.Tables(t, table.Config{}, path)
	if len(ts.Tables) != 2 {
		t.Fatalf("%d tables, want one per package", len(ts.Tables))
	}
	for i, tb := range ts.Tables {
		if len(tb.Rows) != 1 || len(tb.Rows[0].Cells[0].Sample.Values) != 6 {
			t.Errorf("table %d pools %d values, want 6", i, len(tb.Rows[0].Cells[0].Sample.Values))
		}
		if got := ts.SectionTitle(tb); !strings.Contains(got, "pkg: example.com/") {
			t.Errorf("section title %q does not name the package", got)
		}
	}
	if ts := fixture.Tables(t, table.Config{Ignore: "pkg"}, path); len(ts.Tables) != 1 || len(ts.Tables[0].Rows[0].Cells[0].Sample.Values) != 12 {
		t.Errorf("-ignore pkg: %d tables, want the packages pooled in one", len(ts.Tables))
	}

	// Base and head from different commits without -ignore: benchstat
	// makes a table per commit and compares nothing.
	dir := t.TempDir()
	base := fixture.WriteFile(t, dir, "base.txt", "commit: aaa\nBenchmarkX 1 10 ns/op\n")
	head := fixture.WriteFile(t, dir, "head.txt", "commit: bbb\nBenchmarkX 1 5 ns/op\n")
	ts = fixture.Tables(t, table.Config{}, "base="+base, "head="+head)
	if len(ts.Tables) != 2 || len(ts.Tables[0].Cols) != 1 || len(ts.Tables[1].Cols) != 1 {
		t.Errorf("different commits: %d tables; want two single-column tables", len(ts.Tables))
	}
}

// A value no benchmark can measure is excluded with its file and line,
// not averaged into a verdict.
func TestImpossibleValuesAreExcluded(t *testing.T) {
	in := "BenchmarkX/impl=ring 1 5 ns/op\nBenchmarkX/impl=ring 1 -5 ns/op\nBenchmarkX/impl=ring 1 NaN ns/op\nBenchmarkX/impl=ring 1 3 items/s 2 B/op\nBenchmarkX/impl=ring 1 Inf ns/op\n"
	path := fixture.WriteFile(t, t.TempDir(), "bad.txt", in)
	res, err := table.Load(table.Input{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	if res.Count != 2 || len(res.Excluded) != 3 {
		t.Fatalf("%d results, excluded %q; want 2 kept and 3 excluded", res.Count, res.Excluded)
	}
	if !strings.HasPrefix(res.Excluded[0], path+":2: BenchmarkX/impl=ring: -5 ns/op is negative") {
		t.Errorf("excluded[0] = %q", res.Excluded[0])
	}
}
