package profiles

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/pprof/profile"

	"github.com/batchbench/batchbench/internal/profindex"
	"github.com/batchbench/batchbench/reports/internal/fixture"
	"github.com/batchbench/batchbench/reports/table"
)

// stack is one sample of a hand-built profile: frames leaf first; a frame
// "a<b" is function a inlined into b (one location).
type stack struct {
	frames []string
	value  int64
}

func fakeProfile(stacks ...stack) *profile.Profile {
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
	}
	funcs := map[string]*profile.Function{}
	fn := func(name string) *profile.Function {
		if f, ok := funcs[name]; ok {
			return f
		}
		f := &profile.Function{ID: uint64(len(funcs) + 1), Name: name}
		funcs[name] = f
		p.Function = append(p.Function, f)
		return f
	}
	for _, s := range stacks {
		smp := &profile.Sample{Value: []int64{s.value / 10, s.value}}
		for _, frame := range s.frames {
			loc := &profile.Location{ID: uint64(len(p.Location) + 1)}
			for _, name := range strings.Split(frame, "<") {
				loc.Line = append(loc.Line, profile.Line{Function: fn(name)})
			}
			p.Location = append(p.Location, loc)
			smp.Location = append(smp.Location, loc)
		}
		p.Sample = append(p.Sample, smp)
	}
	return p
}

const (
	ringPkg   = modulePath + "/impl/ring."
	chanPkg   = modulePath + "/impl/channel."
	harnessFn = modulePath + "/harness.run"
)

// ringLike spends 60% in its own code (50% of it in an inlined atomic).
func ringLike() *profile.Profile {
	return fakeProfile(
		stack{[]string{"sync/atomic.(*Uint64).Add<" + ringPkg + "(*Ring).push", harnessFn}, 50},
		stack{[]string{ringPkg + "(*Ring).Add", harnessFn}, 10},
		stack{[]string{"runtime.selectgo", ringPkg + "(*Ring).loop"}, 20},
		stack{[]string{"runtime.scanobject", "runtime.gcDrain", "runtime.gcBgMarkWorker"}, 10},
		stack{[]string{"runtime.mallocgc", "golang.design/x/chann.(*Chann[go.shape.int]).unboundedProcessing"}, 5},
		stack{[]string{"syscall.Syscall6", harnessFn}, 5},
	)
}

// channelLike spends 80% in the channel runtime.
func channelLike() *profile.Profile {
	return fakeProfile(
		stack{[]string{"runtime.selectgo", chanPkg + "(*Batcher).loop"}, 60},
		stack{[]string{"runtime.futex", "runtime.lock2", "runtime.chansend", chanPkg + "(*Batcher).Add", harnessFn}, 20},
		stack{[]string{chanPkg + "(*Batcher).Add", harnessFn}, 20},
	)
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestSummarizeSyntheticProfile(t *testing.T) {
	s := Summarize(ringLike(), "ring")
	if s.SampleType != "cpu" || s.Total != 100 {
		t.Fatalf("sample type %s, total %d", s.SampleType, s.Total)
	}
	// Flat follows pprof: the innermost (inlined) function.
	if f := s.Flat[0]; f.Func != "sync/atomic.(*Uint64).Add" || !near(f.Share, 0.5) {
		t.Errorf("top flat %+v", f)
	}
	if f := s.Cum[0]; f.Func != harnessFn || !near(f.Share, 0.65) {
		t.Errorf("top cum %+v", f)
	}
	// Categories: the inlined atomic counts for the ring's own code.
	want := map[string][2]float64{ // flat, cum
		"impl": {0.6, 0.8}, "shared": {0, 0}, "deps": {0, 0.05},
		"sched": {0.2, 0.2}, "gc": {0.1, 0.1}, "alloc": {0.05, 0.05},
	}
	sum := s.Other
	for _, c := range s.Categories {
		w := want[c.Name]
		if !near(c.Flat, w[0]) || !near(c.Cum, w[1]) {
			t.Errorf("%s: flat %v cum %v, want %v", c.Name, c.Flat, c.Cum, w)
		}
		sum += c.Flat
	}
	if !near(s.Other, 0.05) || !near(sum, 1) {
		t.Errorf("other %v, flat shares sum to %v, want 0.05 and 1", s.Other, sum)
	}
	if len(s.Flat) > TopN || len(s.Cum) > TopN {
		t.Errorf("top lists longer than %d", TopN)
	}
}

func TestCompare(t *testing.T) {
	d := Compare(Summarize(channelLike(), "channel"), Summarize(ringLike(), "ring"), 3)
	if len(d.Funcs) != 3 {
		t.Fatalf("%d functions, want 3", len(d.Funcs))
	}
	// Largest flat changes: the atomic appears (+50), selectgo shrinks
	// (60 → 20), and channel's Add disappears (-20) tied with futex (-20),
	// broken by the larger cum change (Add's cum 40 → 0).
	if f := d.Funcs[0]; f.Func != "sync/atomic.(*Uint64).Add" || !near(f.FlatChange(), 0.5) {
		t.Errorf("first %+v", f)
	}
	if f := d.Funcs[1]; f.Func != "runtime.selectgo" || !near(f.FlatChange(), -0.4) {
		t.Errorf("second %+v", f)
	}
	if f := d.Funcs[2]; f.Func != chanPkg+"(*Batcher).Add" || !near(f.CumChange(), -0.4) {
		t.Errorf("third %+v", f)
	}
	for _, c := range d.Categories {
		if c.Name == "sched" && (!near(c.BaseFlat, 0.8) || !near(c.HeadFlat, 0.2)) {
			t.Errorf("sched %+v", c)
		}
	}
}

func TestSummarizeRealProfiles(t *testing.T) {
	channel, ring, allocs := fixture.SharedProfiles(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "ring.cpu.pprof")
	fixture.WriteProfile(t, fixture.Renamed(ring, "ring"), path)
	r, err := SummarizeFile(path, "ring")
	if err != nil {
		t.Fatal(err)
	}
	if r.Total == 0 || len(r.Flat) == 0 || r.Command != "go tool pprof -http=: "+path {
		t.Fatalf("ring summary %+v", r)
	}
	sum := r.Other
	for _, c := range r.Categories {
		sum += c.Flat
		if c.Flat > c.Cum+1e-12 {
			t.Errorf("%s: flat %v > cum %v", c.Name, c.Flat, c.Cum)
		}
	}
	if !near(sum, 1) {
		t.Errorf("flat shares sum to %v", sum)
	}
	if impl := r.Category("impl"); impl.Cum < 0.5 {
		t.Errorf("ring's own code has %v of its CPU profile, want most", impl.Cum)
	}

	c := Summarize(fixture.Renamed(channel, "channel"), "channel")
	if sched := c.Category("sched"); sched.Cum < 0.2 || sched.Cum <= r.Category("sched").Cum {
		t.Errorf("channel ping-pong: scheduling share %v (ring %v)", sched.Cum, r.Category("sched").Cum)
	}

	h := Summarize(fixture.Renamed(allocs, "ring"), "ring")
	if h.SampleType != "alloc_space" || h.Unit != "bytes" {
		t.Errorf("heap profile summarises %s/%s, want alloc_space/bytes", h.SampleType, h.Unit)
	}
	found := false
	for _, f := range h.Flat {
		found = found || f.Func == ringPkg+"allocateBatches"
	}
	if !found {
		t.Errorf("allocateBatches not among the top allocators %v", h.Flat)
	}
}

func TestLoadProfilesPairsColumns(t *testing.T) {
	dir := t.TempDir()
	results := filepath.Join(dir, "results.txt")
	fixture.WriteResults(t, results)
	pdir := fixture.WriteProfiles(t, dir)
	res, err := table.Load(table.Input{Path: results})
	if err != nil {
		t.Fatal(err)
	}
	set, err := Load(res, []string{pdir}, table.Config{Table: ".config,.name", Col: "/impl", Baseline: "channel"})
	if err != nil || len(set.Errors) > 0 {
		t.Fatal(err, set.Errors)
	}
	if len(set.Cells) != 45 || len(set.Diffs) != 30 {
		t.Fatalf("%d cells, %d diffs; want 45, 30", len(set.Cells), len(set.Diffs))
	}
	c := set.Cells[0]
	if c.Group != "Size" || c.Row != "size=10" || c.Col != "channel" || c.CPU == nil || c.Heap == nil {
		t.Errorf("first cell %+v", c)
	}
	for _, d := range set.Diffs {
		if d.Base != "channel" || d.Head == "channel" || d.CPU == nil || d.Heap == nil {
			t.Errorf("diff %+v", d)
		}
	}

	// Base against head: the same profiles under two labels pair by cell.
	res, err = table.Load(table.Input{Label: "base", Path: results}, table.Input{Label: "head", Path: results})
	if err != nil {
		t.Fatal(err)
	}
	set, err = Load(res, []string{pdir, pdir}, table.Config{Table: ".config,.name", Col: ".file", Baseline: "base"})
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Diffs) != 45 {
		t.Fatalf("%d base/head diffs, want 45", len(set.Diffs))
	}
	if d := set.Diffs[0]; d.Base != "base" || d.Head != "head" || d.Row != "impl=channel/size=10" || len(d.CPU.Funcs) != 0 {
		t.Errorf("base/head diff %+v (identical profiles must not differ)", d)
	}
}

// An index from an untrusted artifact cannot make the report read outside
// its directory: the entry is refused with a warning naming the cell, and
// the rest of the index still loads.
func TestLoadRefusesPathsOutsideTheIndex(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "run")
	results := filepath.Join(dir, "results.txt")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	fixture.WriteResults(t, results)
	pdir := fixture.WriteProfiles(t, dir)
	idx, err := profindex.Read(pdir)
	if err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(root, "outside.cpu.pprof")
	data, err := os.ReadFile(filepath.Join(pdir, filepath.FromSlash(idx.Cells[0].CPU)))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(outside, data, 0o644); err != nil {
		t.Fatal(err)
	}
	idx.Cells[0].CPU = "../../outside.cpu.pprof"
	idx.Cells[1].CPU = outside
	if err := idx.Write(pdir); err != nil {
		t.Fatal(err)
	}
	res, err := table.Load(table.Input{Path: results})
	if err != nil {
		t.Fatal(err)
	}
	set, err := Load(res, []string{pdir}, table.Config{Table: ".config,.name", Col: "/impl"})
	if err != nil {
		t.Fatal(err)
	}
	if set.Cells[0].CPU != nil || set.Cells[1].CPU != nil || set.Cells[2].CPU == nil {
		t.Errorf("CPU profiles loaded: %v %v %v; want the two outside paths refused", set.Cells[0].CPU != nil, set.Cells[1].CPU != nil, set.Cells[2].CPU != nil)
	}
	if len(set.Errors) != 2 || !strings.HasPrefix(set.Errors[0], idx.Cells[0].Benchmark+": ") {
		t.Errorf("errors %q, want two naming their cells", set.Errors)
	}
}

// FuzzLoadIndex gives a report a fuzzed profile index beside real results
// and real profiles: Load summarises what it can and lists every entry
// it refused or could not read as an error, never panics, and opens
// nothing outside the profile directory.
func FuzzLoadIndex(f *testing.F) {
	// The results and profiles are written once; each input replaces
	// only the index.
	dir := f.TempDir()
	results := filepath.Join(dir, "results.txt")
	fixture.WriteResults(f, results)
	pdir := fixture.WriteProfiles(f, dir)
	res, err := table.Load(table.Input{Path: results})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, index []byte) {
		if err := os.WriteFile(filepath.Join(pdir, "index.json"), index, 0o644); err != nil {
			t.Fatal(err)
		}
		set, err := Load(res, []string{pdir}, table.Config{Table: ".config,.name", Col: "/impl", Baseline: "channel"})
		if err != nil {
			return
		}
		for _, c := range set.Cells {
			for _, s := range []*Summary{c.CPU, c.Heap} {
				if s != nil && !strings.Contains(s.Command, pdir) {
					t.Errorf("a summary of %s opens %q, outside %s", c.Benchmark, s.Command, pdir)
				}
			}
		}
	})
}
