package reports

import (
	"strings"
	"testing"

	"github.com/batchbench/batchbench/reports/internal/fixture"
	"github.com/batchbench/batchbench/reports/table"
)

func TestVerdicts(t *testing.T) {
	ts := fixture.Tables(t, table.Config{Table: ".config,.name", Col: "/impl", Baseline: "channel"}, fixture.ResultsFile(t))
	byGroup := map[string]Verdict{}
	for _, v := range Verdicts(ts, "") {
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
	for _, v := range Verdicts(ts, "ring") {
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
