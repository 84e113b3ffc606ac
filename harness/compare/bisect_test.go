package compare

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/batchbench/batchbench/reports/gate"
	"github.com/batchbench/batchbench/reports/table"
)

// Bisect's steps judge against half the regression measured between good
// and bad, never below the gate's threshold.
func TestBisectStepThresholdIsHalfTheRegression(t *testing.T) {
	dir := t.TempDir()
	write := func(side string, ringNs, pooledNs float64) string {
		var b strings.Builder
		b.WriteString("harness: batchbench test\n")
		for i := range 12 {
			jitter := float64(i%3) * 0.05
			fmt.Fprintf(&b, "BenchmarkSize/impl=ring/size=1000-2 1000 %g ns/op\n", ringNs+jitter)
			fmt.Fprintf(&b, "BenchmarkSize/impl=pooled/size=1000-2 1000 %g ns/op\n", pooledNs+jitter)
		}
		path := filepath.Join(dir, side+".txt")
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	base, head := write("base", 10, 100), write("head", 13, 108) // +30% and +8%
	j, err := gate.JudgeFiles(gate.TableConfig(0.05, ""), gate.Options{Head: "head", Threshold: 0.05},
		table.Input{Label: "base", Path: base}, table.Input{Label: "head", Path: head})
	if err != nil {
		t.Fatal(err)
	}
	if len(j.Regressed) != 2 {
		t.Fatalf("regressed = %v, want ring and pooled", j.Regressed)
	}
	limit, worst := stepThreshold(j.Regressed, 0.05)
	if worst == nil || worst.Name() != "Size/impl=ring/size=1000" || math.Abs(limit-worst.Delta/2) > 1e-9 || math.Abs(limit-0.15) > 0.01 {
		t.Errorf("stepThreshold = %v from %v, want half of ring's +30%%", limit, worst)
	}
	if limit, _ := stepThreshold(j.Regressed, 0.2); limit != 0.2 {
		t.Errorf("with a 20%% floor, stepThreshold = %v, want the floor", limit)
	}
	if limit, worst := stepThreshold(nil, 0.05); limit != 0.05 || worst != nil {
		t.Errorf("without regressions, stepThreshold = %v, %v; want the floor and no cell", limit, worst)
	}
}
