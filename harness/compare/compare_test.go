package compare

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/batchbench/batchbench/reports/gate"
	"github.com/batchbench/batchbench/reports/table"
	"github.com/batchbench/batchbench/scenarios"
)

// The cells that block are named so the harness can parse them
// back into the scenarios that flagged them.
func TestFlaggedCellsParseIntoScenarios(t *testing.T) {
	dir := t.TempDir()
	write := func(side string, ringNs float64) string {
		var b strings.Builder
		b.WriteString("harness: batchbench test\n")
		for i := range 10 {
			jitter := float64(i%3) * 0.1
			b.WriteString(fmt.Sprintf("BenchmarkSize/impl=ring/size=1000-2 1000 %g ns/op\n", ringNs+jitter))
			b.WriteString(fmt.Sprintf("BenchmarkSize/impl=pooled/size=1000-2 1000 %g ns/op\n", 200+jitter))
		}
		path := filepath.Join(dir, side+".txt")
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	inputs := labelled(map[string][]string{"base": {write("base", 13)}, "head": {write("head", 16)}})
	if want := []table.Input{{Label: "base", Path: filepath.Join(dir, "base.txt")}, {Label: "head", Path: filepath.Join(dir, "head.txt")}}; !slices.EqualFunc(inputs, want, func(a, b table.Input) bool { return a.String() == b.String() }) {
		t.Fatalf("labelled = %v, want %v", inputs, want)
	}
	j, err := gate.JudgeFiles(gate.TableConfig(0.05, ""), gate.Options{Head: "head", Threshold: 0.05}, inputs...)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range j.Regressed {
		names = append(names, c.Name())
	}
	if len(names) != 1 || names[0] != "Size/impl=ring/size=1000" {
		t.Fatalf("regressed cells = %v, want only Size/impl=ring/size=1000", names)
	}
	if c, err := scenarios.Parse(names[0]); err != nil || c.Name() != names[0] {
		t.Errorf("scenarios.Parse(%q) = %v, %v", names[0], c.Name(), err)
	}
}
