package reports

import (
	"strings"
	"testing"
)

func TestScanFailures(t *testing.T) {
	in := `goos: linux
BenchmarkA/impl=ring-2 10 100 ns/op
--- FAIL: BenchmarkSize/impl=ring/size=1000
    harness.go:88: self-check: observed mean batch fill 500.0, want 1000
    items lost: 3
--- BENCH: BenchmarkA/impl=ring-2
    a_test.go:10: just a log line
--- FAIL: BenchmarkHang/impl=hang
	timeout: cell did not finish within 1m0s
--- FAIL: TestSomething (0.01s)
FAIL
`
	fails, err := ScanFailures(writeFile(t, t.TempDir(), "r.txt", in))
	if err != nil {
		t.Fatal(err)
	}
	if len(fails) != 3 {
		t.Fatalf("got %d failures, want 3: %+v", len(fails), fails)
	}
	if f := fails[0]; f.Benchmark != "BenchmarkSize/impl=ring/size=1000" || !f.SelfCheck ||
		f.Reason != "self-check: observed mean batch fill 500.0, want 1000; items lost: 3" {
		t.Errorf("first failure %+v", f)
	}
	if f := fails[1]; f.SelfCheck || f.Reason != "timeout: cell did not finish within 1m0s" {
		t.Errorf("second failure %+v", f)
	}
	if f := fails[2]; f.Benchmark != "TestSomething" || f.Reason != "" {
		t.Errorf("third failure %+v", f)
	}
}

func TestFailedCellsAreWarnings(t *testing.T) {
	res, err := LoadResults(syntheticFile(t))
	if err != nil {
		t.Fatal(err)
	}
	w := collectWarnings(res, mustBuild(t, res, TableConfig{Col: "/impl"}))
	if len(w.SelfCheck) != 1 || w.SelfCheck[0].Benchmark != "BenchmarkSize/impl=pooled/size=100000" {
		t.Errorf("self-check failures %+v", w.SelfCheck)
	}
	if len(w.Failed) != 1 || !strings.HasPrefix(w.Failed[0].Reason, "timeout:") {
		t.Errorf("failed cells %+v", w.Failed)
	}
}

func TestNoisyCells(t *testing.T) {
	ts := mustTables(t, TableConfig{Col: "/impl"}, syntheticFile(t))
	noisy := NoisyCells(ts, NoiseThreshold)
	// Only Size/impl=pooled/size=1000 was generated with ±15% noise; the
	// rest have at most ±5% uniform noise (CV < 3%).
	if len(noisy) != 1 {
		t.Fatalf("noisy cells %v, want exactly one", noisy)
	}
	n := noisy[0]
	if n.Group != "Size" || n.Row != "size=1000" || n.Col != "pooled" {
		t.Errorf("noisy cell %s", n)
	}
	var units []string
	for _, u := range n.Units {
		units = append(units, u.Unit)
		if u.CV <= NoiseThreshold || u.N != 10 {
			t.Errorf("unit %+v", u)
		}
	}
	if !strings.Contains(strings.Join(units, " "), "sec/op") {
		t.Errorf("noisy units %v lack sec/op", units)
	}
}

func mustBuild(t *testing.T, res *Results, cfg TableConfig) *Tables {
	t.Helper()
	ts, err := BuildTables(res, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}
