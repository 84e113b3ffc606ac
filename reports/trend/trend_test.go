package trend

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeHistory writes one entry per commit: the cell's runs around its
// level at that commit, ±2% noise, deterministic.
func writeHistory(t *testing.T, levels []float64) string {
	t.Helper()
	db := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	for i, level := range levels {
		var b strings.Builder
		fmt.Fprintf(&b, "commit: %012d%028d\ndate: 2026-12-0%dT00:00:00Z\nharness: batchbench test\n", i+1, 0, i+1)
		for range 10 {
			for _, cell := range []string{"impl=ring/size=1000", "impl=mutex/size=1000"} {
				v := 13.0
				if strings.Contains(cell, "ring") {
					v = level
				}
				fmt.Fprintf(&b, "BenchmarkSize/%s-2 100000 %.4f ns/op\n", cell, v*(1+0.02*(2*rng.Float64()-1)))
			}
		}
		dir := filepath.Join(db, fmt.Sprintf("2026120%dT000000Z-%012d", i+1, i+1))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "results.txt"), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// A shift at commit 4 of 6 is flagged there and nowhere else, for the
// cell that shifted only; noise alone flags nothing.
func TestDetectFlagsTheShift(t *testing.T) {
	db := writeHistory(t, []float64{10, 10, 10, 11.5, 11.5, 11.5})
	entries, err := Entries(db)
	if err != nil {
		t.Fatal(err)
	}
	series, err := Load(entries)
	if err != nil {
		t.Fatal(err)
	}
	suspects := Detect(series)
	if len(suspects) != 1 {
		t.Fatalf("suspects %v, want exactly one", suspects)
	}
	s := suspects[0]
	if s.At.Entry != 3 || s.Series.Cell != "Size/impl=ring/size=1000" || s.Series.Unit != "sec/op" || s.Change < 0.1 || s.Change > 0.2 {
		t.Errorf("suspect %s, want ring at commit 4, about +15%%", s)
	}
	if !strings.HasPrefix(s.String(), "Size/impl=ring/size=1000 sec/op at 000000000004 (2026-12-04T00:00:00Z): +") {
		t.Errorf("suspect line %q", s)
	}
	path, err := Write(entries, series, suspects, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	md, _ := os.ReadFile(path)
	if !strings.Contains(string(md), "| `000000000004` |") || !strings.Contains(string(md), "plots/size-sec-op.png") {
		t.Errorf("trend.md:\n%s", md)
	}

	quiet := writeHistory(t, []float64{10, 10, 10, 10, 10, 10})
	entries, _ = Entries(quiet)
	series, _ = Load(entries)
	if s := Detect(series); len(s) != 0 {
		t.Errorf("noise flagged %v", s)
	}
}

// A history entry cut short is an error naming it; an empty history too.
func TestBadHistory(t *testing.T) {
	if _, err := Entries(t.TempDir()); err == nil || !strings.Contains(err.Error(), "holds no history entries") {
		t.Errorf("empty history: %v", err)
	}
	db := writeHistory(t, []float64{10, 10, 10})
	entries, err := Entries(db)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(entries[1].Path)
	cut := strings.LastIndex(string(data), "ns/op")
	if err := os.WriteFile(entries[1].Path, data[:cut-3], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(entries); err == nil || !strings.Contains(err.Error(), entries[1].Name+" is damaged") {
		t.Errorf("cut-short entry: %v", err)
	}
}

// One cell's units that place one shift a commit apart are one suspect
// commit, not two.
func TestDetectPlacesACellsShiftOnce(t *testing.T) {
	series := func(unit string, levels []float64) *Series {
		s := &Series{Section: "Size", Group: "Size", Cell: "Size/impl=ring/size=1000", Unit: unit}
		for i, l := range levels {
			var vs []float64
			for k := range 10 {
				vs = append(vs, l*(1+0.002*float64(k-5)))
			}
			s.Points = append(s.Points, Point{Entry: i, Values: vs, Commit: fmt.Sprint(i)})
		}
		return s
	}
	got := Detect([]*Series{
		series("sec/op", []float64{10, 10, 10, 12, 12, 12}),
		series("items/s", []float64{10, 10, 12, 12, 12, 12}),
	})
	if len(got) == 0 {
		t.Fatal("no suspect")
	}
	for _, s := range got {
		if s.At.Entry != got[0].At.Entry {
			t.Errorf("suspects at commits %d and %d: one cell's shift reported twice", got[0].At.Entry, s.At.Entry)
		}
	}
	if lines := Lines(got); len(lines) != 1 {
		t.Errorf("lines %q, want one for the cell", lines)
	}
}
