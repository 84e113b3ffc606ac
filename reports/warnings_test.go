package reports

import (
	"strings"
	"testing"

	"github.com/batchbench/batchbench/reports/internal/fixture"
	"github.com/batchbench/batchbench/reports/table"
)

func TestFailedCellsAreWarnings(t *testing.T) {
	res, err := table.Load(table.Input{Path: fixture.ResultsFile(t)})
	if err != nil {
		t.Fatal(err)
	}
	w := collectWarnings(res, mustBuild(t, res, table.Config{Table: ".config,.name", Col: "/impl"}))
	if len(w.SelfCheck) != 1 || w.SelfCheck[0].Benchmark != "BenchmarkSize/impl=pooled/size=100000" {
		t.Errorf("self-check failures %+v", w.SelfCheck)
	}
	if len(w.Failed) != 1 || !strings.HasPrefix(w.Failed[0].Reason, "timeout:") {
		t.Errorf("failed cells %+v", w.Failed)
	}
}

func TestNoisyCells(t *testing.T) {
	ts := fixture.Tables(t, table.Config{Table: ".config,.name", Col: "/impl"}, fixture.ResultsFile(t))
	noisy := noisyCells(ts, NoiseThreshold)
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

func mustBuild(t *testing.T, res *table.Results, cfg table.Config) *table.Tables {
	t.Helper()
	ts, err := table.Build(res, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}
