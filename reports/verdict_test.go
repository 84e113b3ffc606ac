package reports

import (
	"fmt"
	"strings"
	"testing"

	"github.com/batchbench/batchbench/reports/internal/fixture"
	"github.com/batchbench/batchbench/reports/table"
)

func TestVerdicts(t *testing.T) {
	ts := fixture.Tables(t, table.Config{Table: ".config,.name", Col: "/impl", Baseline: "channel"}, fixture.ResultsFile(t))
	byGroup := map[string]Verdict{}
	for _, v := range verdicts(ts, "") {
		byGroup[v.Title] = v
	}
	size := byGroup["Size"]
	if size.Unit != "sec/op" || len(size.Rows) != 5 {
		t.Fatalf("Size verdict %+v", size)
	}
	for _, r := range size.Rows {
		if r.Winner != "ring" || !r.Significant || r.Delta > -0.55 || r.Delta < -0.65 {
			t.Errorf("Size %s: %+v, want ring about -60%%", r.Row, r)
		}
	}
	if !strings.HasPrefix(size.Text, "ring is fastest at every size") {
		t.Errorf("Size verdict text %q", size.Text)
	}
	// Three runs cannot show a difference; the verdict must say why.
	mem := byGroup["Memory"]
	if mem.Unit != "peak-heap-B" || !strings.Contains(mem.Text, "need >= 4 samples") {
		t.Errorf("Memory verdict %q (%s)", mem.Text, mem.Unit)
	}
	for _, r := range mem.Rows {
		if r.Significant {
			t.Errorf("Memory %s significant with n=3", r.Row)
		}
	}
}

// Every verdict also says how each column compares with the reference
// design: in the fixture ring costs 0.4 of channel.
func TestVerdictsAgainstReference(t *testing.T) {
	ts := fixture.Tables(t, table.Config{Table: ".config,.name", Col: "/impl", Baseline: "channel"}, fixture.ResultsFile(t))
	for _, v := range verdicts(ts, "ring") {
		if v.Title != "Size" {
			continue
		}
		want := "vs ring: channel 2.5× slower (5 of 5 rows significant); pooled 2.49× slower (4 of 4 rows significant)"
		if v.Versus != want {
			t.Errorf("Size versus %q, want %q", v.Versus, want)
		}
		return
	}
	t.Fatal("no Size verdict")
}

// A verdict that finds no winner among the best two must not claim that
// nothing differs: with three or more columns the others may well (the
// Size line of `make report QUICK=1` said "no significant difference in
// sec/op anywhere" above "channel 73× slower (3 of 3 rows significant)").
func TestVerdictWithoutAWinnerAmongMoreColumns(t *testing.T) {
	v := ringTiesMutex(t)
	for _, r := range v.Rows {
		if r.Significant {
			t.Fatalf("row %s: the best two differ significantly, want a tie: %+v", r.Row, r)
		}
	}
	if strings.Contains(v.Text, "no significant difference") {
		t.Errorf("verdict %q claims nothing differs; channel is 70× slower (%s)", v.Text, v.Versus)
	}
	if want := "no significant winner"; !strings.HasPrefix(v.Text, want) {
		t.Errorf("verdict %q, want it to start %q", v.Text, want)
	}
}

// A column that no row tells apart from the reference gets no direction:
// "ring 1.07× faster (0 of 3 rows significant)", as `make report QUICK=1`
// and the README said, is a gain claimed from noise.
func TestVersusClaimsNoDirectionFromNoise(t *testing.T) {
	v := ringTiesMutex(t)
	want := "vs mutex: channel 65× slower (2 of 2 rows significant); ring within noise (0 of 2 rows significant; geomean 1.04× faster)"
	if v.Versus != want {
		t.Errorf("versus %q, want %q", v.Versus, want)
	}
}

// ringTiesMutex is the verdict, against mutex, of a family where ring and
// mutex are within noise in every row and channel is 70× slower.
func ringTiesMutex(t *testing.T) Verdict {
	t.Helper()
	var b strings.Builder
	for i := range 8 {
		for _, size := range []int{10, 100} {
			jitter := float64(i%4) * 0.5
			fmt.Fprintf(&b, "BenchmarkSize/impl=ring/size=%d-2 1000 %g ns/op\n", size, 10-0.4+jitter)
			fmt.Fprintf(&b, "BenchmarkSize/impl=mutex/size=%d-2 1000 %g ns/op\n", size, 10+1.5-jitter)
			fmt.Fprintf(&b, "BenchmarkSize/impl=channel/size=%d-2 1000 %g ns/op\n", size, 700+jitter)
		}
	}
	file := fixture.WriteFile(t, t.TempDir(), "results.txt", b.String())
	ts := fixture.Tables(t, table.Config{Table: ".config,.name", Col: "/impl", Baseline: "channel"}, file)
	vs := verdicts(ts, "mutex")
	if len(vs) != 1 {
		t.Fatalf("%d verdicts, want 1", len(vs))
	}
	return vs[0]
}
