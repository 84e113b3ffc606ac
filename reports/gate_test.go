package reports

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// judgeSamples writes base and head files with one benchmark per entry of
// cells (name -> base and head samples in unit) and judges head on unit.
func judgeSamples(t *testing.T, unit, meta string, threshold float64, cells map[string][2][]float64) *Judgement {
	t.Helper()
	return Judge(sampleTables(t, unit, meta, cells), GateOptions{Head: "head", Threshold: threshold, Units: []string{unitTidied(unit)}})
}

func sampleTables(t *testing.T, unit, meta string, cells map[string][2][]float64) *Tables {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for side, label := range []string{"base", "head"} {
		var b strings.Builder
		b.WriteString(meta)
		for name, samples := range cells {
			for _, v := range samples[side] {
				fmt.Fprintf(&b, "Benchmark%s 1000 %g %s\n", name, v, unit)
			}
		}
		path := filepath.Join(dir, label+".txt")
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, label+"="+path)
	}
	res, err := LoadResults(paths...)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := BuildTables(res, TableConfig{Col: ".file", Baseline: "base"})
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func unitTidied(u string) string {
	if u == "ns/op" {
		return "sec/op"
	}
	return u
}

// spread returns n samples around center, ±1%, deterministic.
func spread(center float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = center * (1 + 0.01*float64(i%5-2)/2)
	}
	return out
}

func names(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Group+"/"+f.Row)
	}
	return out
}

func TestJudgeSignificantAndWorseIsARegression(t *testing.T) {
	j := judgeSamples(t, "ns/op", "", 0.05, map[string][2][]float64{
		"Size/size=1000": {spread(100, 10), spread(115, 10)},
	})
	if len(j.Regressed) != 1 || j.Regressed[0].Row != "size=1000" {
		t.Fatalf("regressed = %v, want size=1000", names(j.Regressed))
	}
	f := j.Regressed[0]
	if f.Delta < 0.14 || f.Delta > 0.16 || f.P >= 0.05 || f.N != 10 {
		t.Errorf("finding = %+v, want about +15%% with p < 0.05, n=10", f)
	}
	if !strings.Contains(j.Paragraph("base", "head"), "Merge blocked") || !strings.Contains(f.String(), "+15") {
		t.Errorf("paragraph %q / finding %q do not name the regression", j.Paragraph("base", "head"), f)
	}
}

func TestJudgeSignificantButUnderThresholdPasses(t *testing.T) {
	j := judgeSamples(t, "ns/op", "", 0.05, map[string][2][]float64{
		"Size/size=1000": {spread(100, 10), spread(103, 10)}, // significant, +3%
	})
	if len(j.Regressed)+len(j.Noisy)+len(j.Improved) != 0 || j.Compared != 1 {
		t.Fatalf("judgement = %+v, want a pass with one compared cell", j)
	}
	if !strings.Contains(j.Paragraph("base", "head"), "No regression") {
		t.Errorf("paragraph = %q", j.Paragraph("base", "head"))
	}
}

func TestJudgeInsignificantButLargeIsNoisy(t *testing.T) {
	// Wildly overlapping samples with medians 20% apart, n=4: not significant.
	j := judgeSamples(t, "ns/op", "", 0.05, map[string][2][]float64{
		"Size/size=1000": {{100, 60, 140, 100}, {120, 60, 150, 120}},
	})
	if len(j.Regressed) != 0 || len(j.Noisy) != 1 {
		t.Fatalf("regressed %v, noisy %v; want one noisy cell and no regression", names(j.Regressed), names(j.Noisy))
	}
	if !strings.Contains(j.Paragraph("base", "head"), "noisy") {
		t.Errorf("paragraph does not warn about noise: %q", j.Paragraph("base", "head"))
	}
}

func TestJudgeFollowsEachUnitsDirection(t *testing.T) {
	meta := "Unit items/s better=higher\n"
	j := judgeSamples(t, "items/s", meta, 0.05, map[string][2][]float64{
		"Size/size=10":   {spread(1000, 10), spread(800, 10)},  // fewer items/s: worse
		"Size/size=1000": {spread(1000, 10), spread(1300, 10)}, // more items/s: better
	})
	if got := names(j.Regressed); len(got) != 1 || got[0] != "Size/size=10" {
		t.Errorf("regressed = %v, want Size/size=10", got)
	}
	if got := names(j.Improved); len(got) != 1 || got[0] != "Size/size=1000" {
		t.Errorf("improved = %v, want Size/size=1000", got)
	}
	// The same shift in a lower-is-better unit flips the verdicts.
	j = judgeSamples(t, "ns/op", "", 0.05, map[string][2][]float64{
		"Size/size=10": {spread(1000, 10), spread(800, 10)},
	})
	if len(j.Improved) != 1 || len(j.Regressed) != 0 {
		t.Errorf("ns/op 1000 → 800: improved %v, regressed %v; want an improvement", names(j.Improved), names(j.Regressed))
	}
}

func TestJudgeGatesOnlyPrimaryUnitsByDefault(t *testing.T) {
	cells := map[string][2][]float64{"Size/size=10": {spread(1, 10), spread(2, 10)}}
	ts := sampleTables(t, "batches/op", "Unit batches/op better=lower\n", cells)
	if j := Judge(ts, GateOptions{Head: "head", Threshold: 0.05}); j.Compared != 0 || len(j.Regressed) != 0 {
		t.Errorf("batches/op was gated: %+v", j)
	}
	ts = sampleTables(t, "B/op", "", cells)
	if j := Judge(ts, GateOptions{Head: "head", Threshold: 0.05}); len(j.Regressed) != 1 {
		t.Errorf("B/op doubling was not a regression: %+v", j)
	}
}
