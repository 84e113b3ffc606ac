package harness

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/batchbench/batchbench/internal/runconfig"
	"github.com/batchbench/batchbench/scenarios"
	"golang.org/x/perf/benchfmt"
)

// watchedCell is the cell the copies tests run, on a system whose /proc
// shows what each worker process runs; it skips the test elsewhere.
func watchedCell(t *testing.T) scenarios.Cell {
	t.Helper()
	if _, err := os.Readlink("/proc/self/exe"); err != nil {
		t.Skip("needs /proc to see what a process runs")
	}
	c, err := scenarios.Parse("Size/impl=mutex/size=1000")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestEveryWorkerRunsACopyOfItsSourcesExecutable(t *testing.T) {
	c := watchedCell(t)
	sources := []Source{{Name: "base", Command: []string{os.Args[0]}}, {Name: "head", Command: []string{os.Args[0]}}}
	s, err := Start(Options{Cells: []scenarios.Cell{c}, Count: 1, Items: 2_000, Quick: true, OutDir: t.TempDir(),
		Sources: sources, ProcessRuns: 100, CellRuns: 1, Copies: 3, Seed: 7, Log: &bytes.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}
	dir := s.copies.dir
	ran := map[string]map[string]bool{} // copy by source's prefix
	for range 8 {
		// CellRuns 1: every round starts a fresh worker per source, which
		// serves until the next.
		if err := s.Measure(context.Background(), []scenarios.Cell{c}, 1); err != nil {
			t.Fatal(err)
		}
		for _, pid := range s.workers() {
			exe, err := os.Readlink(filepath.Join("/proc", strconv.Itoa(pid), "exe"))
			if err != nil {
				t.Fatal(err)
			}
			if filepath.Dir(exe) != dir {
				t.Fatalf("a worker runs %s, want a copy in %s", exe, dir)
			}
			prefix, _, _ := strings.Cut(filepath.Base(exe), "-")
			if ran[prefix] == nil {
				ran[prefix] = map[string]bool{}
			}
			ran[prefix][exe] = true
		}
	}
	// Sources are s00 and s01; each started 8 workers from its 3 copies.
	if len(ran) != 2 || len(ran["s00"]) < 2 || len(ran["s01"]) < 2 {
		t.Errorf("copies run by each source's workers: %v; want two sources, each drawing from several copies", ran)
	}
	want, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, copies := range ran {
		for exe := range copies {
			if got, err := os.ReadFile(exe); err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s is not a copy of %s (%v)", exe, os.Args[0], err)
			}
		}
	}
	if _, err := s.Close(nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("after Close, %s: %v; want it removed", dir, err)
	}
}

func TestCopiesOfAMissingExecutableAreAnErrorNamingItsSource(t *testing.T) {
	c, err := scenarios.Parse("Size/impl=mutex/size=1000")
	if err != nil {
		t.Fatal(err)
	}
	out, tmp := t.TempDir(), t.TempDir()
	t.Setenv("TMPDIR", tmp) // where the copies go
	_, err = Start(Options{Cells: []scenarios.Cell{c}, Count: 1, OutDir: filepath.Join(out, "run"), Copies: 2, Log: &bytes.Buffer{},
		Sources: []Source{{Name: "base", Command: []string{os.Args[0]}}, {Name: "head", Command: []string{filepath.Join(out, "missing")}}}})
	if err == nil || !strings.Contains(err.Error(), "head's worker executable") {
		t.Fatalf("Start: %v; want an error naming head's executable", err)
	}
	for _, dir := range []string{out, tmp} {
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("a failed Start left %v in %s", entries, dir)
		}
	}
}

// A source's copies are of its layouts in turn, and a pair's two runs
// are of one layout: in every round, base's and head's worker processes
// run the same copy number, drawn afresh with each process.
func TestAPairsTwoRunsAreOfOneLayout(t *testing.T) {
	c := watchedCell(t)
	exe, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	// Another layout: the test binary with bytes appended, which runs
	// the same and reads differently.
	layout := filepath.Join(t.TempDir(), "layout1")
	if err := os.WriteFile(layout, append(slices.Clip(exe), "layout1"...), 0o755); err != nil {
		t.Fatal(err)
	}
	sources := []Source{{Name: "base", Command: []string{os.Args[0]}, Layouts: []string{layout}},
		{Name: "head", Command: []string{os.Args[0]}, Layouts: []string{layout}}}
	s, err := Start(Options{Cells: []scenarios.Cell{c}, Count: 1, Items: 2_000, Quick: true, OutDir: t.TempDir(),
		Sources: sources, ProcessRuns: 100, CellRuns: 1, Copies: 4, Seed: 7, Log: &bytes.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(nil)
	numbers := map[string]bool{}
	for range 8 {
		if err := s.Measure(context.Background(), []scenarios.Cell{c}, 1); err != nil {
			t.Fatal(err)
		}
		var ran []string // each worker's copy number, "NNN" of sII-NNN
		for _, pid := range s.workers() {
			path, err := os.Readlink(filepath.Join("/proc", strconv.Itoa(pid), "exe"))
			if err != nil {
				t.Fatal(err)
			}
			_, number, _ := strings.Cut(filepath.Base(path), "-")
			ran = append(ran, number)
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			k, _ := strconv.Atoi(number)
			if want := map[int][]byte{0: exe, 1: []byte(string(exe) + "layout1")}[k%2]; !bytes.Equal(got, want) {
				t.Errorf("copy %s holds %d bytes, want layout %d's %d", number, len(got), k%2, len(want))
			}
		}
		if len(ran) != 2 || ran[0] != ran[1] {
			t.Fatalf("a round's workers run copies %v, want one copy number for both sides", ran)
		}
		numbers[ran[0]] = true
		// Each side's results name the layout of the run just measured.
		k, _ := strconv.Atoi(ran[0])
		for _, side := range []string{"base", "head"} {
			if got, want := lastLayout(t, s.Results()[side]), strconv.Itoa(k%2); got != want {
				t.Errorf("%s's last run records layout %q, want %q (copy %s)", side, got, want, ran[0])
			}
		}
	}
	if len(numbers) < 2 {
		t.Errorf("8 rounds ran copies %v, want several drawn", numbers)
	}
}

// lastLayout is the layout the last result in a results file records.
func lastLayout(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var layout string
	r := benchfmt.NewReader(bytes.NewReader(data), path)
	for r.Scan() {
		if res, ok := r.Result().(*benchfmt.Result); ok {
			layout = string(res.GetConfig(runconfig.Layout))
		}
	}
	return layout
}
