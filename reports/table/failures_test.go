package table_test

import (
	"testing"

	"github.com/batchbench/batchbench/reports/internal/fixture"
	"github.com/batchbench/batchbench/reports/table"
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
	res, err := table.Load(table.Input{Path: fixture.WriteFile(t, t.TempDir(), "r.txt", in)})
	if err != nil {
		t.Fatal(err)
	}
	fails := res.Failures
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
