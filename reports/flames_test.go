package reports

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/pprof/profile"

	"github.com/batchbench/batchbench/internal/profindex"
	"github.com/batchbench/batchbench/reports/flame"
	"github.com/batchbench/batchbench/reports/gate"
	"github.com/batchbench/batchbench/reports/internal/fixture"
)

// TestGateShowsTheDifferenceOfARegression is the unit-level proof of the
// differential flame graph: head's ring spends as long again in a planted
// function and is 16% slower at size=1000, in wall and CPU time; the gate
// blocks, and the report opens with the flame graph of head against base,
// drawn once from the real profiles, in which the planted function is the
// frame that grew most.
//
// The profiles lie beside each side's results, or, as a compare writes
// them, in the side's confirmation (confirm/SIDE/profiles), which is where
// the compare profiles the cells that block.
func TestGateShowsTheDifferenceOfARegression(t *testing.T) {
	for _, root := range []string{".", "confirm"} {
		t.Run(root, func(t *testing.T) { gateShowsTheDifference(t, root) })
	}
}

func gateShowsTheDifference(t *testing.T, profileRoot string) {
	t.Chdir(t.TempDir())
	_, ring, allocs := fixture.SharedProfiles(t)
	const cell = "Size/impl=ring/size=1000"
	sides := []struct {
		name   string
		center float64 // ns/op
		cpu    *profile.Profile
	}{{"base", 13.1, ring}, {"head", 15.2, fixture.PlantedProfile(t)}}
	for _, side := range sides {
		var b strings.Builder
		b.WriteString("goos: linux\ngoarch: amd64\ncpu: Test CPU\nUnit cpu-ns/op better=lower\n")
		for i := range 6 {
			x := side.center * (1 + 0.001*float64(i))
			fmt.Fprintf(&b, "Benchmark%s-2 100000 %.4g ns/op %.4g cpu-ns/op\n", cell, x, x)
		}
		dir := filepath.Join(profileRoot, side.name, "profiles")
		fixture.WriteProfile(t, fixture.Renamed(side.cpu, "ring"), filepath.Join(dir, cell+".cpu.pprof"))
		fixture.WriteProfile(t, fixture.Renamed(allocs, "ring"), filepath.Join(dir, cell+".heap.pprof"))
		idx := profindex.Index{Cells: []profindex.Entry{{Benchmark: cell, Family: "Size", Impl: "ring",
			CPU: cell + ".cpu.pprof", Heap: cell + ".heap.pprof"}}}
		if err := idx.Write(dir); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(side.name, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(side.name, "results.txt"), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	o := Options{Inputs: fixture.Inputs("base=base/results.txt", "head=head/results.txt"), Baseline: "base", Page: Page{OutDir: "out"}}
	d, err := Judge(o, gate.Plan{Options: gate.Options{Head: "head", Threshold: 0.05}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := GenerateGate(d, o.Page)
	if err != nil {
		t.Fatal(err)
	}
	if s.Decision.Status != gate.Block {
		t.Fatalf("the gate says %q, want it blocked", s.Decision.Headline())
	}
	html := readString(t, s.HTML)
	const id = "flame-diff-size-impl-ring-size-1000-cpu"
	graphs, err := flame.Graphs([]byte(html))
	if err != nil {
		t.Fatal(err)
	}
	frames, err := flame.Frames(graphs[id])
	if err != nil {
		t.Fatalf("graph %s: %v (graphs: %d)", id, err, len(graphs))
	}
	slices.SortFunc(frames, func(a, b flame.Frame) int { return int(b.Self - a.Self) })
	if want := "github.com/batchbench/batchbench/impl/ring.plantedSpin"; frames[0].Func != want || frames[0].Self <= 0 {
		t.Errorf("the frame that grew most is %s (%+d), want %s", frames[0].Func, frames[0].Self, want)
	}
	// The picture opens with the answer, beside the functions whose share
	// grew, and is drawn without a click.
	decision := html[:strings.Index(html, `<h2 id="gate">`)]
	mustContain(t, "report.html's opening", decision, `<details class="flame" id="`+id+`" open>`,
		"<code>github.com/batchbench/batchbench/impl/ring.plantedSpin</code>", `<a href="#`+id+`">flame graph above</a>`)
	if n := strings.Count(html, `<details class="flame" id="flame-diff-`); n != 1 {
		t.Errorf("%d flame graphs of the difference for one cell's two regressions, want 1", n)
	}
	if n := strings.Count(readString(t, s.Markdown), "[flame graph of the difference](report.html#"+id+")"); n != 2 {
		t.Errorf("report.md links the flame graph of the difference %d times, want once per regression (2)", n)
	}
}

// TestFlameGraphThatCannotBeDrawnIsAWarning: an allocation profile that
// holds CPU samples (a wrong file in the index) has no alloc_space to
// draw; the report says so and draws the rest.
func TestFlameGraphThatCannotBeDrawnIsAWarning(t *testing.T) {
	dir := harnessDir(t)
	_, ring, _ := fixture.SharedProfiles(t)
	for _, size := range []string{"10", "100", "1000", "10000", "100000"} {
		fixture.WriteProfile(t, fixture.Renamed(ring, "ring"), filepath.Join(dir, "profiles", "Size", "impl=ring", "size="+size+".heap.pprof"))
	}
	s, err := Generate(Options{Inputs: fixture.Inputs(filepath.Join(dir, "results.txt")), Impls: testImpls, Page: Page{OutDir: filepath.Join(t.TempDir(), "report")}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(s.Warnings.Other, func(w string) bool { return strings.HasPrefix(w, "flame graph flame-size-ring-alloc_space: ") }) {
		t.Errorf("no warning about ring's allocation flame graph of Size: %q", s.Warnings.Other)
	}
	graphs, err := flame.Graphs([]byte(readString(t, s.HTML)))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := graphs["flame-size-ring-cpu"]; !ok {
		t.Error("ring's CPU flame graph of Size is missing too")
	}
	if _, ok := graphs["flame-size-ring-alloc_space"]; ok {
		t.Error("a flame graph of alloc_space drawn from CPU samples")
	}
}
