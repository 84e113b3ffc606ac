package gate

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/batchbench/batchbench/reports/table"
)

// sides are a cell's base and head samples.
type sides [2][]float64

// writeSides writes base.txt and head.txt in dir with one benchmark per
// cell (name -> samples in unit), headed by meta, and returns the
// labelled inputs. extra is appended to head (e.g. a failure block).
func writeSides(t *testing.T, dir, unit, meta, extra string, cells map[string]sides) []table.Input {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(cells))
	for n := range cells {
		names = append(names, n)
	}
	sort.Strings(names)
	var inputs []table.Input
	for side, label := range []string{"base", "head"} {
		var b strings.Builder
		b.WriteString(meta)
		for _, name := range names {
			for _, v := range cells[name][side] {
				fmt.Fprintf(&b, "Benchmark%s 1000 %g %s\n", name, v, unit)
			}
		}
		if side == 1 {
			b.WriteString(extra)
		}
		path := filepath.Join(dir, label+".txt")
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, table.Input{Label: label, Path: path})
	}
	return inputs
}

func judge(t *testing.T, unit, meta string, threshold float64, cells map[string]sides) *Judgement {
	t.Helper()
	return judgeFiles(t, threshold, writeSides(t, t.TempDir(), unit, meta, "", cells)...)
}

func judgeFiles(t *testing.T, threshold float64, inputs ...table.Input) *Judgement {
	t.Helper()
	j, err := JudgeFiles(TableConfig(0.05, ""), Options{Head: "head", Threshold: threshold}, inputs...)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// spread returns n samples around center, ±1%, deterministic.
func spread(center float64, n int) []float64 {
	return jitter(center, n, 0.01)
}

// jitter returns n samples spread evenly over center·(1±frac).
func jitter(center float64, n int, frac float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = center * (1 + frac*(2*float64(i)/float64(max(n-1, 1))-1))
	}
	return out
}

func names(cs []Cell) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name())
	}
	return out
}

func TestSignificantAndWorseIsARegression(t *testing.T) {
	j := judge(t, "ns/op", "", 0.05, map[string]sides{"Size/size=1000": {spread(100, 10), spread(115, 10)}})
	if len(j.Regressed) != 1 || j.Regressed[0].Name() != "Size/size=1000" {
		t.Fatalf("regressed = %v, want Size/size=1000", names(j.Regressed))
	}
	f := j.Regressed[0]
	if f.Delta < 0.14 || f.Delta > 0.16 || f.P >= 0.05 || f.N != 10 {
		t.Errorf("finding = %+v, want about +15%% with p < 0.05, n=10", f)
	}
	d := Decide(j)
	if d.Status != Block || d.Status.ExitCode() != 1 || !strings.HasPrefix(d.Headline(), "Merge blocked: 1 regression") ||
		!strings.Contains(d.Details(), "+15") || !strings.Contains(d.Details(), "Judged on unpaired runs") {
		t.Errorf("decision %v: %q", d.Status, d.Details())
	}
}

func TestSignificantButUnderThresholdPasses(t *testing.T) {
	j := judge(t, "ns/op", "", 0.05, map[string]sides{"Size/size=1000": {spread(100, 10), spread(103, 10)}})
	if len(j.Regressed)+len(j.Noisy)+len(j.Improved) != 0 || len(j.Cells) != 1 {
		t.Fatalf("judgement = %+v, want a pass with one compared cell", j)
	}
	if d := Decide(j); d.Status != Pass || d.Headline() != "No regression ≥ 5% in 1 cell." {
		t.Errorf("decision %v %q", d.Status, d.Headline())
	}
}

func TestInsignificantButLargeIsNoisy(t *testing.T) {
	// Wildly overlapping samples with medians 20% apart: not significant.
	j := judge(t, "ns/op", "", 0.05, map[string]sides{
		"Size/size=1000": {{100, 60, 140, 100, 90, 130}, {120, 60, 150, 120, 100, 140}},
	})
	if len(j.Regressed) != 0 || len(j.Noisy) != 1 {
		t.Fatalf("regressed %v, noisy %v; want one noisy cell and no regression", names(j.Regressed), names(j.Noisy))
	}
	if p := Decide(j).Details(); !strings.Contains(p, "noisy") {
		t.Errorf("paragraph does not warn about noise: %q", p)
	}
}

func TestFollowsEachUnitsDirection(t *testing.T) {
	j2 := judge(t, "ns/op", "", 0.05, map[string]sides{"Size/size=10": {spread(1000, 10), spread(800, 10)}})
	// items/s is not a gated unit by default; judge it explicitly.
	inputs := writeSides(t, t.TempDir(), "items/s", "Unit items/s better=higher\n", "", map[string]sides{
		"Size/size=10":   {spread(1000, 10), spread(800, 10)},  // fewer items/s: worse
		"Size/size=1000": {spread(1000, 10), spread(1300, 10)}, // more items/s: better
	})
	j, err := JudgeFiles(TableConfig(0.05, ""), Options{Head: "head", Threshold: 0.05, Units: []string{"items/s"}}, inputs...)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(j.Regressed); len(got) != 1 || got[0] != "Size/size=10" {
		t.Errorf("regressed = %v, want Size/size=10", got)
	}
	if got := names(j.Improved); len(got) != 1 || got[0] != "Size/size=1000" {
		t.Errorf("improved = %v, want Size/size=1000", got)
	}
	// The same shift in a lower-is-better unit is an improvement.
	if len(j2.Improved) != 1 || len(j2.Regressed) != 0 {
		t.Errorf("ns/op 1000 → 800: improved %v, regressed %v", names(j2.Improved), names(j2.Regressed))
	}
}

func TestGatesOnlyPrimaryUnitsByDefault(t *testing.T) {
	cells := map[string]sides{"Size/size=10": {spread(1, 10), spread(2, 10)}}
	if j := judge(t, "batches/op", "Unit batches/op better=lower\n", 0.05, cells); len(j.Cells) != 0 {
		t.Errorf("batches/op was gated: %+v", j.Cells)
	}
	if j := judge(t, "B/op", "", 0.05, cells); len(j.Regressed) != 1 {
		t.Errorf("B/op doubling was not a regression: %+v", j.Regressed)
	}
}

func TestFailedHeadCellBlocks(t *testing.T) {
	fail := "--- FAIL: BenchmarkSize/size=10\n    self-check: 3 items lost\nFAIL\n"
	inputs := writeSides(t, t.TempDir(), "ns/op", "", fail, map[string]sides{"Size/size=1000": {spread(100, 10), spread(100, 10)}})
	d := Decide(judgeFiles(t, 0.05, inputs...))
	if d.Status != Block || len(d.FailedHead) != 1 || !strings.Contains(d.FailedHead[0], "3 items lost") {
		t.Fatalf("decision %v, failed head %q", d.Status, d.FailedHead)
	}
	if d.Headline() != "Merge blocked: 1 failed head cell." {
		t.Errorf("headline %q", d.Headline())
	}
}

func TestInconclusiveDecisions(t *testing.T) {
	dir := t.TempDir()
	mk := func(sub string) string {
		d := filepath.Join(dir, sub)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	write := func(d, name, content string) string {
		p := filepath.Join(d, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	lines := func(name string, n int, ns float64) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "Benchmark%s 1 %g ns/op\n", name, ns+float64(i))
		}
		return b.String()
	}
	platforms := mk("platforms")
	noisy := map[string]sides{}
	for i := range 3 {
		noisy[fmt.Sprintf("Size/size=%d", i)] = sides{jitter(100, 6, 0.4), jitter(100, 6, 0.4)}
	}
	for _, tc := range []struct {
		name   string
		inputs []table.Input
		want   string
	}{
		{"platforms", []table.Input{
			{Label: "base", Path: write(platforms, "base.txt", "goos: linux\n"+lines("X", 10, 100))},
			{Label: "head", Path: write(platforms, "head.txt", "goos: darwin\n"+lines("X", 10, 100))},
		}, "not comparable: they differ in goos (base: linux; head: darwin)"},
		{"nothing shared", []table.Input{
			{Label: "base", Path: write(mk("shared"), "base.txt", lines("X", 10, 100))},
			{Label: "head", Path: write(mk("shared"), "head.txt", lines("Y", 10, 100))},
		}, "compared nothing"},
		{"empty base", []table.Input{
			{Label: "base", Path: write(mk("empty"), "base.txt", "")},
			{Label: "head", Path: write(mk("empty"), "head.txt", lines("X", 10, 100))},
		}, "compared nothing"},
		{"count 1", []table.Input{
			{Label: "base", Path: write(mk("one"), "base.txt", lines("X", 1, 100))},
			{Label: "head", Path: write(mk("one"), "head.txt", lines("X", 1, 200))},
		}, "count 1 is too small"},
		{"too noisy", writeSides(t, mk("noisy"), "ns/op", "", "", noisy), "can resolve a 5% change"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := Decide(judgeFiles(t, 0.05, tc.inputs...))
			if d.Status != Inconclusive || d.Status.ExitCode() != 2 || !strings.Contains(d.Headline(), tc.want) {
				t.Errorf("decision %v: %q, want inconclusive with %q", d.Status, d.Headline(), tc.want)
			}
		})
	}
	// -ignore makes a difference the user accepts comparable.
	j, err := JudgeFiles(TableConfig(0.05, "goos"), Options{Head: "head", Threshold: 0.05},
		table.Input{Label: "base", Path: filepath.Join(platforms, "base.txt")}, table.Input{Label: "head", Path: filepath.Join(platforms, "head.txt")})
	if err != nil {
		t.Fatal(err)
	}
	if d := Decide(j); d.Status != Pass {
		t.Errorf("with -ignore goos: %v %q", d.Status, d.Headline())
	}
}

// The gate states its power: a quiet cell resolves 5% at count 6, a cell
// with a 15% spread does not, is listed with the count it would need, and
// does not count towards "no regression": a pass covers every cell, or
// the share Cover says.
func TestPowerIsStatedPerCell(t *testing.T) {
	j := judge(t, "ns/op", "", 0.05, map[string]sides{
		"Size/size=10":   {jitter(100, 6, 0.15), jitter(100, 6, 0.15)},
		"Size/size=1000": {jitter(100, 6, 0.005), jitter(100, 6, 0.005)},
	})
	byName := map[string]Cell{}
	for _, c := range j.Cells {
		byName[c.Name()] = c
	}
	quiet, noisy := byName["Size/size=1000"], byName["Size/size=10"]
	if !quiet.Resolves(0.05) || quiet.Resolution > 0.02 {
		t.Errorf("quiet cell resolves %v, want under 2%%", quiet.Resolution)
	}
	if noisy.Resolves(0.05) || noisy.NeedCount <= 6 || math.IsInf(noisy.Resolution, 1) {
		t.Errorf("noisy cell resolves %v, needs count %d; want over 5%% and more than 6 runs", noisy.Resolution, noisy.NeedCount)
	}
	d := Decide(j)
	want := fmt.Sprintf("Gate inconclusive: 1 cell of 2 cannot resolve a 5%% change: Size/size=10; need about count %d.", noisy.NeedCount)
	if d.Status != Inconclusive || d.Headline() != want {
		t.Errorf("headline %q, want %q", d.Headline(), want)
	}
	j.Cover = 0.5
	d = Decide(j)
	want = fmt.Sprintf("No regression ≥ 5%% in 1 cell; 1 cell cannot resolve 5%% at count 6 (need about count %d): Size/size=10.", noisy.NeedCount)
	if d.Status != Pass || d.Headline() != want {
		t.Errorf("cover 50%%: headline %q, want %q", d.Headline(), want)
	}
	if !strings.Contains(d.Details(), "Size/size=10 sec/op (resolves ") {
		t.Errorf("paragraph does not list the underpowered cell: %q", d.Details())
	}
	// Deterministic: the same samples give the same figures.
	again := judge(t, "ns/op", "", 0.05, map[string]sides{"Size/size=10": {jitter(100, 6, 0.15), jitter(100, 6, 0.15)}})
	if again.Cells[0].Resolution != noisy.Resolution || again.Cells[0].NeedCount != noisy.NeedCount {
		t.Errorf("resolution %v/%d then %v/%d", noisy.Resolution, noisy.NeedCount, again.Cells[0].Resolution, again.Cells[0].NeedCount)
	}
}

func TestMinCount(t *testing.T) {
	// benchmath's U test: 4 runs per side reach p = 0.029 <= 0.05, 3 only 0.1.
	if got := MinCount(0.05); got != 4 {
		t.Errorf("MinCount(0.05) = %d, want 4", got)
	}
	if got := MinCount(0.01); got <= 4 {
		t.Errorf("MinCount(0.01) = %d, want more than at 0.05", got)
	}
}
