package load

import (
	"errors"
	"io/fs"
	"math"
	"runtime"
	"slices"
	"testing"
)

func TestParseStat(t *testing.T) {
	const stat = "cpu  9596 5 3380 108435 140 3 38 7 11 2\n" +
		"cpu0 4653 0 1607 54469 26 0 10 2 0 0\n" +
		"intr 1 2 3\n"
	got, err := parseStat([]byte(stat))
	want := Sample{Busy: 9596 + 5 + 3380 + 3 + 38, Steal: 7, Total: 9596 + 5 + 3380 + 3 + 38 + 108435 + 140 + 7}
	if err != nil || got != want {
		t.Errorf("parseStat = %+v, %v; want %+v (guest columns left out)", got, err, want)
	}

	// Before 2.6.11: no steal column, and no irq columns before 2.6.0.
	got, err = parseStat([]byte("cpu 10 0 5 100\n"))
	if want := (Sample{Busy: 15, Total: 115}); err != nil || got != want {
		t.Errorf("parseStat(4 columns) = %+v, %v; want %+v", got, err, want)
	}

	for _, bad := range []string{"", "cpu0 1 2 3 4\n", "cpu 1 2 3\n", "cpu 1 x 3 4\n"} {
		if got, err := parseStat([]byte(bad)); err == nil {
			t.Errorf("parseStat(%q) = %+v, want an error", bad, got)
		}
	}
}

func TestParseSelfStat(t *testing.T) {
	// A command name with spaces and parentheses; utime 50, stime 7,
	// cutime 300, cstime 40.
	const stat = "4242 (bench (x) run) S 1 4242 9174 0 -1 4194304 103 0 0 0 50 7 300 40 20 0 1 0 61055 3133440 384\n"
	if got, err := parseSelfStat([]byte(stat)); err != nil || got != 397 {
		t.Errorf("parseSelfStat = %d, %v; want 397", got, err)
	}
	for _, bad := range []string{"", "4242 (x) S 1 2 3", "4242 (x) S 1 4242 9174 0 -1 4194304 103 0 0 0 50 z 300 40"} {
		if got, err := parseSelfStat([]byte(bad)); err == nil {
			t.Errorf("parseSelfStat(%q) = %d, want an error", bad, got)
		}
	}
}

func TestParseLoadAvg(t *testing.T) {
	if got, err := parseAverage([]byte("1.25 0.17 0.13 1/81 11362\n")); err != nil || got != 1.25 {
		t.Errorf("parseAverage = %v, %v; want 1.25", got, err)
	}
	if _, err := parseAverage(nil); err == nil {
		t.Error("parseAverage(empty) succeeded")
	}
}

func TestBetween(t *testing.T) {
	a := Sample{Busy: 1000, Steal: 10, Total: 5000, Self: 200}
	// 400 ticks of capacity: the machine was busy for 250 of them, 150 of
	// which were this process's and its worker's; 20 were stolen. Two
	// ticks of others and one of steal are rounding.
	b := Sample{Busy: 1250, Steal: 30, Total: 5400, Self: 350}
	got := Between(a, b)
	if math.Abs(got.Others-98.0/400) > 1e-12 || math.Abs(got.Steal-19.0/400) > 1e-12 {
		t.Errorf("Between = %+v, want Others 98/400, Steal 19/400", got)
	}
	// A short run, 7 ticks of capacity: one stray tick is rounding, not a
	// busy machine (it was 14%); three ticks are.
	short := Sample{Busy: 1000, Total: 5000, Self: 200}
	if got := Between(short, Sample{Busy: 1005, Total: 5007, Self: 204}); got.Busy(DefaultThreshold) {
		t.Errorf("one stray tick in a short run = %+v, called busy", got)
	}
	if got := Between(short, Sample{Busy: 1007, Total: 5007, Self: 204}); !got.Busy(DefaultThreshold) {
		t.Errorf("three ticks of others in a short run = %+v, not called busy", got)
	}
	// Self's accounting rounds apart from the machine's: never negative.
	if got := Between(a, Sample{Busy: 1100, Steal: 10, Total: 5400, Self: 320}); got.Others != 0 {
		t.Errorf("Between with Self ahead of Busy = %+v, want Others 0", got)
	}
	if got := Between(a, a); got != (Usage{}) {
		t.Errorf("Between over no time = %+v, want zero", got)
	}
}

func TestBusy(t *testing.T) {
	records := []Record{
		{Cell: "Size/impl=ring/size=10-2", Round: 0, Others: 0.02},
		{Cell: "Size/impl=ring/size=10-2", Source: "head", Round: 1, Others: 0.30},
		{Cell: "Size/impl=channel/size=10-2", Round: 1, Others: 0.06, Steal: 0.05}, // busy: others and steal together
		{Cell: "Size/impl=ring/size=10-2", Source: "head", Round: 2, Others: 0.10}, // at the threshold: not busy
		{Cell: "Size/impl=ring/size=10-2", Source: "head", Round: 3, Others: 0.5},
	}
	busy := Busy(records, DefaultThreshold)
	if want := []Record{records[1], records[2], records[4]}; !slices.Equal(busy, want) {
		t.Errorf("Busy = %+v, want %+v", busy, want)
	}
	if got, want := Cells(busy), []string{"Size/impl=ring/size=10-2 (head)", "Size/impl=channel/size=10-2"}; !slices.Equal(got, want) {
		t.Errorf("Cells = %q, want %q", got, want)
	}
}

func TestWriteRead(t *testing.T) {
	dir := t.TempDir()
	if _, err := Read(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Read of a directory without %s: %v, want fs.ErrNotExist", File, err)
	}
	records := []Record{{Cell: "Size/impl=ring/size=10-2", Source: "base", Round: 3, Others: 0.125, Load1: 1.5, Steal: 0.01}}
	if err := Write(dir, records); err != nil {
		t.Fatal(err)
	}
	got, err := Read(dir)
	if err != nil || !slices.Equal(got, records) {
		t.Errorf("Read = %+v, %v; want %+v", got, err, records)
	}
}

// TestTake reads the running kernel's counters: on Linux they parse and
// move forward.
func TestTake(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("no /proc")
	}
	a, err := Take()
	if err != nil {
		t.Fatal(err)
	}
	if a.Total <= 0 || a.Busy <= 0 || a.Busy > a.Total {
		t.Errorf("Take = %+v: implausible counters", a)
	}
	if _, err := Average(); err != nil {
		t.Error(err)
	}
}
