package harness_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/batchbench/batchbench/harness"
	"github.com/batchbench/batchbench/impl"
	"github.com/batchbench/batchbench/impl/registry"
	"github.com/batchbench/batchbench/internal/load"
	"github.com/batchbench/batchbench/internal/profindex"
	"github.com/batchbench/batchbench/internal/runconfig"
	"github.com/batchbench/batchbench/internal/rundir"
	"github.com/batchbench/batchbench/scenarios"
)

// Broken implementations, registered only in this test binary, which is
// also the harness's worker.
func TestMain(m *testing.M) {
	ring, _ := registry.Lookup("ring")
	registry.Register("hang", func(cfg impl.Config[registry.Item]) (impl.Batcher[registry.Item], error) {
		return hanging{}, nil
	})
	registry.Register("crash", func(cfg impl.Config[registry.Item]) (impl.Batcher[registry.Item], error) {
		go func() { panic("crash: implementation goroutine panicked") }()
		select {}
	})
	// crash-here crashes in a worker whose environment sets crashHere, and
	// is ring elsewhere.
	registry.Register("crash-here", func(cfg impl.Config[registry.Item]) (impl.Batcher[registry.Item], error) {
		if os.Getenv(crashHere) != "" {
			go func() { panic("crash-here: implementation goroutine panicked") }()
			select {}
		}
		return ring.New(cfg)
	})
	registry.Register("mislabel", func(cfg impl.Config[registry.Item]) (impl.Batcher[registry.Item], error) {
		cfg.BatchSize = max(cfg.BatchSize/10, 1) // runs another batch size than its cell claims
		return ring.New(cfg)
	})
	// flaky passes in the first worker process to run it and fails its
	// self-check in every later one, as a cell that breaks mid-run does.
	first := sync.OnceValue(func() bool {
		f, err := os.OpenFile(os.Getenv(flakyMark), os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			f.Close()
		}
		return err == nil
	})
	registry.Register("flaky", func(cfg impl.Config[registry.Item]) (impl.Batcher[registry.Item], error) {
		if !first() {
			cfg.BatchSize = max(cfg.BatchSize/10, 1)
		}
		return ring.New(cfg)
	})
	harness.ServeWorker()
	// Workers inherit this: under -race each would otherwise sleep a
	// second at exit, waiting for late race reports, and most of these
	// tests' time would be that sleep.
	os.Setenv("GORACE", strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	os.Exit(m.Run())
}

// flakyMark names the file whose creation marks flaky's first run.
const flakyMark = "HARNESS_TEST_FLAKY_MARK"

// crashHere names the environment variable that makes crash-here crash.
const crashHere = "HARNESS_TEST_CRASH_HERE"

// A worker that dies on one side ends the other side's too, so that the
// two halves of every later pair still run in processes of one number
// (and so of one copy and layout): head's crash leaves ring's pairs
// matched by worker.
func TestAWorkerThatDiesEndsTheOtherSidesToo(t *testing.T) {
	cells := []scenarios.Cell{cell(t, "Size/impl=crash-here/size=1000"), cell(t, "Size/impl=ring/size=1000")}
	sources := []harness.Source{{Name: "base", Command: []string{os.Args[0]}}, {Name: "head", Command: []string{os.Args[0]}, Env: []string{crashHere + "=1"}}}
	res, err := harness.Run(context.Background(), harness.Options{
		Cells: cells, Count: 4, Items: 2_000, OutDir: t.TempDir(), Sources: sources, ProcessRuns: 100, Seed: 1, Log: &bytes.Buffer{},
	})
	if !errors.Is(err, harness.ErrCellsFailed) {
		t.Fatalf("Run error = %v, want ErrCellsFailed", err)
	}
	workers := map[string]map[string]string{} // pair key: source: worker
	for _, o := range res.Outputs {
		results, _ := readResults(t, o.ResultsPath)
		for _, r := range results {
			if !strings.HasPrefix(r.Name.String(), "Size/impl=ring/") {
				continue // crash-here failed on head, and has no pairs
			}
			key := string(r.GetConfig(runconfig.Pair))
			if workers[key] == nil {
				workers[key] = map[string]string{}
			}
			workers[key][o.Source] = string(r.GetConfig(runconfig.Worker))
		}
	}
	if len(workers) < 3 {
		t.Fatalf("%d pairs of ring; want at least 3", len(workers))
	}
	for key, w := range workers {
		if w["base"] != w["head"] {
			t.Errorf("pair %q: base ran in worker %s and head in %s", key, w["base"], w["head"])
		}
	}
}

// hanging accepts items and never processes them.
type hanging struct{}

func (hanging) Add(registry.Item) error  { return nil }
func (hanging) Len() int                 { return 0 }
func (hanging) Join(time.Duration) error { time.Sleep(24 * time.Hour); return nil } // a timer, so the runtime sees no deadlock
func (hanging) Close() error             { return nil }
func (hanging) Stats() impl.Stats        { return impl.Stats{} }

func cell(t *testing.T, name string) scenarios.Cell {
	t.Helper()
	c, err := scenarios.Parse(name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func readResults(t *testing.T, path string) (results []*benchfmt.Result, text string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r := benchfmt.NewReader(bytes.NewReader(data), path)
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.SyntaxError:
			t.Errorf("syntax error in results: %v", rec)
		case *benchfmt.Result:
			results = append(results, rec.Clone())
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return results, string(data)
}

func TestFailingCellsAreReportedAndTheRunContinues(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(flakyMark, filepath.Join(t.TempDir(), "ran"))
	var log bytes.Buffer
	res, err := harness.Run(context.Background(), harness.Options{
		Cells: []scenarios.Cell{
			cell(t, "Size/impl=hang/size=1000"),
			cell(t, "Size/impl=crash/size=1000"),
			cell(t, "Size/impl=mislabel/size=1000"),
			cell(t, "Size/impl=flaky/size=1000"),
			cell(t, "Size/impl=ring/size=1000"),
		},
		Count: 2, Items: 20_000, OutDir: dir, Seed: 1, Timeout: 3 * time.Second, Log: &log,
	})
	if !errors.Is(err, harness.ErrCellsFailed) {
		t.Fatalf("Run error = %v, want ErrCellsFailed", err)
	}
	reasons := map[string]string{}
	for _, f := range res.Failed {
		reasons[f.Cell] = f.Reason
	}
	for cell, want := range map[string]string{
		"Size/impl=hang/size=1000":     "timed out after 3s",
		"Size/impl=crash/size=1000":    "panic: crash: implementation goroutine panicked",
		"Size/impl=mislabel/size=1000": "self-check",
		"Size/impl=flaky/size=1000":    "self-check",
	} {
		if !strings.Contains(reasons[cell], want) {
			t.Errorf("%s failure = %q, want it to mention %q", cell, reasons[cell], want)
		}
		if !strings.Contains(log.String(), "FAIL "+cell) {
			t.Errorf("log does not report %s failing:\n%s", cell, log.String())
		}
	}
	if _, ok := reasons["Size/impl=ring/size=1000"]; ok {
		t.Errorf("ring failed: %s", reasons["Size/impl=ring/size=1000"])
	}

	results, text := readResults(t, res.Outputs[0].ResultsPath)
	if len(results) != 2 {
		t.Errorf("results hold %d runs, want ring's 2", len(results))
	}
	if runtime.GOOS == "linux" {
		// The failed cells' runs, flaky's first among them, are gone from
		// the load records too.
		records, err := load.Read(dir)
		if err != nil || len(records) != 2 || records[0].Cell != results[0].Name.String() || records[1].Cell != results[0].Name.String() {
			t.Errorf("load.json = %+v, %v; want ring's 2 runs", records, err)
		}
	}
	for _, r := range results {
		if !strings.HasPrefix(r.Name.String(), "Size/impl=ring/size=1000") {
			t.Errorf("failed cell kept a result: %s", r.Name)
		}
	}
	for _, want := range []string{"--- FAIL: BenchmarkSize/impl=hang/size=1000", "--- FAIL: BenchmarkSize/impl=mislabel/size=1000", "    self-check:"} {
		if !strings.Contains(text, want) {
			t.Errorf("results.txt lacks %q", want)
		}
	}
}

func TestResultsCarryConfigAndUnits(t *testing.T) {
	dir := t.TempDir()
	res, err := harness.Run(context.Background(), harness.Options{
		Cells: []scenarios.Cell{cell(t, "Size/impl=ring/size=1000"), cell(t, "Interval/impl=ring/interval=1ms")},
		Count: 2, Items: 2_000, OutDir: dir, Seed: 7, Profile: true, ProfileTime: 50 * time.Millisecond, Log: &bytes.Buffer{},
	})
	if err != nil {
		t.Fatal(err)
	}
	results, text := readResults(t, res.Outputs[0].ResultsPath)
	if len(results) != 4 {
		t.Fatalf("got %d results, want 4", len(results))
	}
	commit, gitErr := exec.Command("git", "rev-parse", "HEAD").Output()
	for _, key := range []string{"goos", "goarch", "cpu", "go", "gomaxprocs", "commit", "dirty", "date", "harness", "seed"} {
		got := results[0].GetConfig(key)
		if got == "" {
			t.Errorf("config %q missing", key)
		}
		if key == "commit" && gitErr == nil && got != strings.TrimSpace(string(commit)) {
			t.Errorf("commit = %q, want HEAD %s", got, commit)
		}
	}
	if d := results[0].GetConfig("date"); d != "" {
		if _, err := time.Parse(time.RFC3339, d); err != nil {
			t.Errorf("date %q is not RFC 3339", d)
		}
	}
	if got := results[0].GetConfig("seed"); got != "7" {
		t.Errorf("seed = %q, want 7", got)
	}
	// The machine's floor, so "13 ns" can be read against this machine.
	for _, key := range []string{"floor-atomic-add", "floor-mutex", "floor-chan"} {
		v, err := strconv.ParseFloat(strings.TrimSuffix(results[0].GetConfig(key), "ns"), 64)
		if err != nil || !(v > 0 && v < 10_000) {
			t.Errorf("config %s = %q, want a positive cost in ns", key, results[0].GetConfig(key))
		}
	}
	for _, want := range []string{"Unit items/s better=higher", "Unit p99-ns better=lower", "Unit cpu-ns/op better=lower"} {
		if !strings.Contains(text, want) {
			t.Errorf("results.txt lacks %q", want)
		}
	}
	for _, r := range results {
		if _, ok := r.Value("sec/op"); strings.HasPrefix(r.Name.String(), "Size") && !ok {
			t.Errorf("%s has no sec/op", r.Name)
		}
		if _, ok := r.Value("p99-sec"); strings.HasPrefix(r.Name.String(), "Interval") && !ok {
			t.Errorf("%s has no p99-sec", r.Name)
		}
	}

	index, err := profindex.Read(res.Outputs[0].ProfileDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(index.Cells) != 2 {
		t.Fatalf("profile index has %d cells, want 2", len(index.Cells))
	}
	for _, e := range index.Cells {
		for _, p := range []string{e.CPU, e.Heap} {
			if fi, err := os.Stat(filepath.Join(res.Outputs[0].ProfileDir, p)); err != nil || fi.Size() == 0 {
				t.Errorf("profile %s: %v", p, err)
			}
		}
	}
}

// cancelAfter is a progress log that cancels the run when it announces
// the given step. Run writes it from its own goroutine, so the runs before
// that step have completed and no later one does.
type cancelAfter struct {
	bytes.Buffer
	step   string
	cancel context.CancelFunc
}

func (w *cancelAfter) Write(p []byte) (int, error) {
	if bytes.HasPrefix(p, []byte(w.step)) {
		w.cancel()
	}
	return w.Buffer.Write(p)
}

func TestInterruptLeavesValidResults(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := &cancelAfter{step: "[3/1001]", cancel: cancel}
	res, err := harness.Run(ctx, harness.Options{
		Cells: []scenarios.Cell{cell(t, "Size/impl=ring/size=1000")},
		Count: 1000, Items: 2_000, OutDir: dir, Profile: true, Log: log,
	})
	if !errors.Is(err, context.Canceled) || res == nil || !res.Interrupted {
		t.Fatalf("Run = %+v, %v; want an interrupted result", res, err)
	}
	results := filepath.Join(dir, "results.txt")
	if got, _ := readResults(t, results); len(got) != 2 {
		t.Errorf("results hold %d runs, want the 2 that completed", len(got))
	}
	if !strings.Contains(log.String(), "interrupted; "+results+" holds the runs that completed") {
		t.Errorf("log does not name %s:\n%s", results, log.String())
	}
	// The profiling pass never started: no profile directory to name.
	if o := res.Outputs[0]; o.ProfileDir != "" {
		if _, err := os.Stat(o.ProfileDir); err != nil {
			t.Errorf("interrupted run names profile directory %s: %v", o.ProfileDir, err)
		}
	}
	noStaging(t, dir)
}

// noStaging fails if a run left its staging directory beside dir.
func noStaging(t *testing.T, dir string) {
	t.Helper()
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), "."+filepath.Base(dir)+".*"))
	if len(left) > 0 {
		t.Errorf("staging left beside %s: %q", dir, left)
	}
}

// inspectingLog calls check on the first progress line, while Run is busy.
type inspectingLog struct {
	bytes.Buffer
	check func()
}

func (w *inspectingLog) Write(p []byte) (int, error) {
	if w.check != nil && bytes.HasPrefix(p, []byte("[1/")) {
		w.check()
		w.check = nil
	}
	return w.Buffer.Write(p)
}

func TestRunRefusesADirectoryHoldingResults(t *testing.T) {
	for old, found := range map[string]string{
		"results.txt": "results.txt", "profiles/index.json": "profiles/", "report.html": "report.html", "head/results.txt": "head/results.txt",
	} {
		dir := t.TempDir()
		path := filepath.Join(dir, filepath.FromSlash(old))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("earlier run\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		var log bytes.Buffer
		res, err := harness.Run(context.Background(), harness.Options{
			Cells: []scenarios.Cell{cell(t, "Size/impl=ring/size=1000")},
			Count: 1, Items: 2_000, OutDir: dir, Log: &log,
			Sources: []harness.Source{{Name: "head", Command: []string{os.Args[0]}}},
		})
		var oe *rundir.OutDirError
		if !errors.Is(err, rundir.ErrOutputExists) || !errors.As(err, &oe) || res != nil {
			t.Errorf("Run over %s = %+v, %v; want an *OutDirError wrapping ErrOutputExists", old, res, err)
			continue
		}
		if !strings.Contains(err.Error(), "("+found+")") {
			t.Errorf("error %q does not say what it found (%s)", err, found)
		}
		if data, _ := os.ReadFile(path); string(data) != "earlier run\n" {
			t.Errorf("refused run changed %s to %q", old, data)
		}
		if log.Len() > 0 {
			t.Errorf("refused run ran:\n%s", log.String())
		}
		noStaging(t, dir)
	}
}

func TestRunRefusesAFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "results.txt")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, force := range []bool{false, true} {
		_, err := harness.Run(context.Background(), harness.Options{
			Cells: []scenarios.Cell{cell(t, "Size/impl=ring/size=1000")},
			Count: 1, Items: 2_000, OutDir: file, Force: force, Log: &bytes.Buffer{},
		})
		var oe *rundir.OutDirError
		if !errors.As(err, &oe) || errors.Is(err, rundir.ErrOutputExists) {
			t.Errorf("Run -o FILE (force %v): %v, want an *OutDirError", force, err)
		}
		if data, _ := os.ReadFile(file); string(data) != "x" {
			t.Errorf("Run -o FILE (force %v) changed the file to %q", force, data)
		}
	}
}

// TestForceReplacesTheWholeDirectory checks that a forced run leaves
// nothing of the earlier one, and that the directory shows the new run
// only once it is complete.
func TestForceReplacesTheWholeDirectory(t *testing.T) {
	dir := t.TempDir()
	for _, old := range []string{"results.txt", "plots/Size-sec-op.png", "report.html", "profiles/index.json"} {
		path := filepath.Join(dir, filepath.FromSlash(old))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("earlier run\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	log := &inspectingLog{}
	log.check = func() {
		if data, _ := os.ReadFile(filepath.Join(dir, "results.txt")); string(data) != "earlier run\n" {
			t.Errorf("during the run, results.txt = %q, want the earlier run's", data)
		}
	}
	res, err := harness.Run(context.Background(), harness.Options{
		Cells: []scenarios.Cell{cell(t, "Size/impl=ring/size=1000")},
		Count: 1, Items: 2_000, OutDir: dir, Force: true, Log: log,
	})
	if err != nil {
		t.Fatal(err)
	}
	if log.check != nil {
		t.Fatal("the log never showed the first run")
	}
	if got, _ := readResults(t, res.Outputs[0].ResultsPath); len(got) != 1 {
		t.Errorf("results hold %d runs, want 1", len(got))
	}
	for _, old := range []string{"plots", "report.html", "profiles"} {
		if _, err := os.Stat(filepath.Join(dir, old)); err == nil {
			t.Errorf("%s of the earlier run survived a forced run", old)
		}
	}
	if res.Outputs[0].ProfileDir != "" {
		t.Errorf("run without profiling names profile directory %s", res.Outputs[0].ProfileDir)
	}
	noStaging(t, dir)
}

// TestRunKeepsOtherFiles checks that a directory holding no earlier run
// keeps what it holds and gains the run's files.
func TestRunKeepsOtherFiles(t *testing.T) {
	dir := t.TempDir()
	notes := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notes, []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := harness.Run(context.Background(), harness.Options{
		Cells: []scenarios.Cell{cell(t, "Size/impl=ring/size=1000")},
		Count: 1, Items: 2_000, OutDir: dir, Log: &bytes.Buffer{},
	})
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(notes); string(data) != "mine\n" {
		t.Errorf("notes.txt = %q after the run", data)
	}
	if got, _ := readResults(t, res.Outputs[0].ResultsPath); len(got) != 1 {
		t.Errorf("results hold %d runs, want 1", len(got))
	}
	noStaging(t, dir)
}

// TestForceKeepsTheWorkingDirectory checks that -force never replaces the
// working directory: every relative path would then lead nowhere.
func TestForceKeepsTheWorkingDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "results.txt"), []byte("earlier run\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	_, err := harness.Run(context.Background(), harness.Options{
		Cells: []scenarios.Cell{cell(t, "Size/impl=ring/size=1000")},
		Count: 1, Items: 2_000, OutDir: ".", Force: true, Log: &bytes.Buffer{},
	})
	var oe *rundir.OutDirError
	if !errors.As(err, &oe) || !strings.Contains(err.Error(), "working directory") {
		t.Errorf("Run -force -o . = %v, want an *OutDirError about the working directory", err)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "results.txt")); string(data) != "earlier run\n" {
		t.Errorf("results.txt = %q", data)
	}
}

// TestCompareLayoutWorks runs the two calls compare makes: base and head
// into a new directory, then a confirmation pass into its confirm/.
func TestCompareLayoutWorks(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out", "compare")
	sources := []harness.Source{{Name: "base", Command: []string{os.Args[0]}}, {Name: "head", Command: []string{os.Args[0]}}}
	for _, out := range []string{dir, filepath.Join(dir, "confirm")} {
		res, err := harness.Run(context.Background(), harness.Options{
			Cells: []scenarios.Cell{cell(t, "Size/impl=ring/size=1000")},
			Count: 1, Items: 2_000, OutDir: out, Sources: sources, Log: &bytes.Buffer{},
		})
		if err != nil {
			t.Fatalf("Run into %s: %v", out, err)
		}
		for i, o := range res.Outputs {
			if want := filepath.Join(out, sources[i].Name, "results.txt"); o.ResultsPath != want {
				t.Errorf("results at %s, want %s", o.ResultsPath, want)
			}
			if got, _ := readResults(t, o.ResultsPath); len(got) != 1 {
				t.Errorf("%s holds %d runs, want 1", o.ResultsPath, len(got))
			}
		}
		noStaging(t, out)
	}
	// A second compare into the same directory is refused.
	_, err := harness.Run(context.Background(), harness.Options{
		Cells: []scenarios.Cell{cell(t, "Size/impl=ring/size=1000")},
		Count: 1, Items: 2_000, OutDir: dir, Sources: sources, Log: &bytes.Buffer{},
	})
	if !errors.Is(err, rundir.ErrOutputExists) {
		t.Errorf("second compare into %s: %v, want ErrOutputExists", dir, err)
	}
}

// A nested session (a compare's confirmation) writes inside its parent's
// output, which goes on measuring after it closes: both end up in the
// parent's directory, where the nested Result's paths point, and a forced
// run replaces an earlier run's confirmation there. It runs a cell at the
// items its parent fixed, even where its own options would choose others,
// so that both stages measure one thing.
func TestANestedSessionEndsInsideItsParent(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "compare")
	old := filepath.Join(dir, "confirm", "base", "results.txt")
	if err := os.MkdirAll(filepath.Dir(old), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(old, []byte("earlier run\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "results.txt"), []byte("earlier run\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := cell(t, "Size/impl=ring/size=1000")
	began := time.Now()
	opts := harness.Options{
		Cells: []scenarios.Cell{c}, Count: 1, Items: 2_000, OutDir: dir, Force: true, Log: &bytes.Buffer{},
		Sources: []harness.Source{{Name: "base", Command: []string{os.Args[0]}}, {Name: "head", Command: []string{os.Args[0]}}},
	}
	outer, err := harness.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := outer.Measure(context.Background(), opts.Cells, 1); err != nil {
		t.Fatal(err)
	}
	other := opts
	other.Items = 500
	inner, err := outer.Nest("confirm", other)
	if err != nil {
		t.Fatal(err)
	}
	if err := inner.Measure(context.Background(), opts.Cells, 1); err != nil {
		t.Fatal(err)
	}
	nested, err := inner.Close(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := outer.Measure(context.Background(), opts.Cells, 1); err != nil {
		t.Fatal(err)
	}
	res, err := outer.Close(nil)
	if err != nil {
		t.Fatal(err)
	}
	// The two sessions' times add up to no more than the whole: the outer
	// one's leaves out the nested one's.
	if took := time.Since(began); res.Wall+nested.Wall > took || res.Wall <= 0 {
		t.Errorf("wall times %v and %v (nested), in %v in all; want the outer's without the nested one's", res.Wall, nested.Wall, took)
	}
	for i, want := range map[*harness.Result]int{res: 2, nested: 1} {
		for _, o := range i.Outputs {
			got, _ := readResults(t, o.ResultsPath)
			if len(got) != want {
				t.Errorf("%s holds %d runs, want %d", o.ResultsPath, len(got), want)
			}
			for _, r := range got {
				if r.Iters != opts.Items {
					t.Errorf("%s: a run of %d items, want the outer session's %d", o.ResultsPath, r.Iters, opts.Items)
				}
			}
		}
	}
	for i, o := range nested.Outputs {
		if want := filepath.Join(dir, "confirm", opts.Sources[i].Name, "results.txt"); o.ResultsPath != want {
			t.Errorf("nested results at %s, want %s", o.ResultsPath, want)
		}
	}
	noStaging(t, dir)
	noStaging(t, filepath.Join(dir, "confirm"))
}

// TestLoadIsRecordedPerRun checks the sidecar: one record per measured
// run, named as in results.txt.
func TestLoadIsRecordedPerRun(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the load record needs /proc")
	}
	dir := t.TempDir()
	c := cell(t, "Size/impl=ring/size=1000")
	res, err := harness.Run(context.Background(), harness.Options{
		Cells: []scenarios.Cell{c}, Count: 2, Items: 2_000, OutDir: dir, Log: &bytes.Buffer{},
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, load.File); res.LoadPath != want {
		t.Errorf("LoadPath = %q, want %q", res.LoadPath, want)
	}
	records, err := load.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 2 || !slices.Equal(records, res.Load) {
		t.Fatalf("load.json = %+v, Result.Load = %+v; want the same 2 records", records, res.Load)
	}
	results, _ := readResults(t, res.Outputs[0].ResultsPath)
	for i, r := range records {
		if r.Cell != results[0].Name.String() || r.Source != "" || r.Round != i {
			t.Errorf("record %d = %+v, want cell %s, round %d", i, r, results[0].Name, i)
		}
		if r.Others < 0 || r.Others > 1 || r.Steal < 0 || r.Steal > 1 || r.Load1 < 0 {
			t.Errorf("record %d = %+v: shares out of range", i, r)
		}
	}
}

func TestRunTimeScalesClosedLoopRuns(t *testing.T) {
	dir := t.TempDir()
	res, err := harness.Run(context.Background(), harness.Options{
		Cells: []scenarios.Cell{cell(t, "Size/impl=ring/size=1000"), cell(t, "Interval/impl=ring/interval=1ms")},
		Count: 1, Items: 2_000, RunTime: 100 * time.Millisecond, OutDir: dir, Log: &bytes.Buffer{},
	})
	if err != nil {
		t.Fatal(err)
	}
	results, _ := readResults(t, res.Outputs[0].ResultsPath)
	for _, r := range results {
		open := strings.HasPrefix(r.Name.String(), "Interval")
		if open && r.Iters != 2_000 {
			t.Errorf("%s: open-loop run scaled to %d items; its length is its schedule", r.Name, r.Iters)
		}
		if !open && r.Iters <= 2_000 {
			t.Errorf("%s: %d items, want more than 2000 to last 100ms", r.Name, r.Iters)
		}
	}
}

// Both sides of a pair do the same work: the first run of a cell fixes
// the items every later run of it measures, in every process and source,
// though each process warms up and would scale them on its own.
func TestEveryRunOfACellMeasuresTheSameItems(t *testing.T) {
	sources := []harness.Source{{Name: "base", Command: []string{os.Args[0]}}, {Name: "head", Command: []string{os.Args[0]}}}
	res, err := harness.Run(context.Background(), harness.Options{
		Cells: []scenarios.Cell{cell(t, "Size/impl=mutex/size=1000")},
		Count: 4, RunTime: 5 * time.Millisecond, Quick: true, OutDir: t.TempDir(), Sources: sources, Log: &bytes.Buffer{},
	})
	if err != nil {
		t.Fatal(err)
	}
	var iters []int
	for _, o := range res.Outputs {
		results, _ := readResults(t, o.ResultsPath)
		for _, r := range results {
			iters = append(iters, r.Iters)
		}
	}
	if len(iters) != 8 || slices.Min(iters) != slices.Max(iters) {
		t.Errorf("items per run %v; want 8 runs of the same number", iters)
	}
}

func TestAWorkerServesAtMostCellRunsOfACell(t *testing.T) {
	sources := []harness.Source{{Name: "base", Command: []string{os.Args[0]}}, {Name: "head", Command: []string{os.Args[0]}}}
	res, err := harness.Run(context.Background(), harness.Options{
		Cells: []scenarios.Cell{cell(t, "Size/impl=mutex/size=1000"), cell(t, "Size/impl=ring/size=1000")},
		Count: 5, Items: 2_000, Quick: true, OutDir: t.TempDir(), Sources: sources,
		ProcessRuns: 100, CellRuns: 2, Log: &bytes.Buffer{},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range res.Outputs {
		results, _ := readResults(t, o.ResultsPath)
		runs := map[string]map[string]int{} // worker, cell: runs
		for _, r := range results {
			w := r.GetConfig(runconfig.Worker)
			if runs[w] == nil {
				runs[w] = map[string]int{}
			}
			runs[w][r.Name.String()]++
		}
		// 5 runs of each of two cells, at most 2 of a cell per worker: at
		// least 3 workers, however the rounds' shuffles fall.
		if len(runs) < 3 || runs[""] != nil {
			t.Errorf("%s: runs per worker and cell %v; want every run to name its worker, and at least 3 workers", o.Source, runs)
		}
		for w, cells := range runs {
			for c, n := range cells {
				if n > 2 {
					t.Errorf("%s: worker %s served %d runs of %s, want at most 2", o.Source, w, n, c)
				}
			}
		}
	}
}

// Procs starts every worker at that GOMAXPROCS, in a process serving many
// runs or one, and the results say so as go test would: in each name's
// suffix (none at 1) and the gomaxprocs line.
func TestWorkersStartAtProcs(t *testing.T) {
	for _, tc := range []struct {
		procs, processRuns int
		suffix             string
	}{{1, 1, ""}, {1, 100, ""}, {3, 100, "-3"}} {
		sources := []harness.Source{{Name: "base", Command: []string{os.Args[0]}, Env: []string{"GOMAXPROCS=2"}}, {Name: "head", Command: []string{os.Args[0]}}}
		res, err := harness.Run(context.Background(), harness.Options{
			Cells: []scenarios.Cell{cell(t, "Size/impl=mutex/size=1000")},
			Count: 2, Items: 2_000, Quick: true, OutDir: t.TempDir(), Sources: sources,
			Procs: tc.procs, ProcessRuns: tc.processRuns, Log: &bytes.Buffer{},
		})
		if err != nil {
			t.Fatalf("procs %d: %v (failed: %v)", tc.procs, err, res.Failed)
		}
		for _, o := range res.Outputs {
			results, _ := readResults(t, o.ResultsPath)
			for _, r := range results {
				if want := "Size/impl=mutex/size=1000" + tc.suffix; r.Name.String() != want || r.GetConfig("gomaxprocs") != strconv.Itoa(tc.procs) {
					t.Errorf("procs %d, %s: a run of %s at gomaxprocs %q; want %s at %d", tc.procs, o.Source, r.Name, r.GetConfig("gomaxprocs"), want, tc.procs)
				}
			}
			if len(results) != 2 {
				t.Errorf("procs %d, %s: %d runs, want 2", tc.procs, o.Source, len(results))
			}
		}
	}
}

// A worker that runs at another GOMAXPROCS than its results would say
// fails the cell, naming both.
func TestAWorkerAtOtherProcsFailsItsRuns(t *testing.T) {
	other := fmt.Sprintf("GOMAXPROCS=%d", runtime.GOMAXPROCS(0)+1)
	res, err := harness.Run(context.Background(), harness.Options{
		Cells: []scenarios.Cell{cell(t, "Size/impl=mutex/size=1000")},
		Count: 1, Items: 2_000, OutDir: t.TempDir(),
		Sources: []harness.Source{{Command: []string{os.Args[0]}, Env: []string{other}}}, Log: &bytes.Buffer{},
	})
	if !errors.Is(err, harness.ErrCellsFailed) || len(res.Failed) != 1 || !strings.Contains(res.Failed[0].Reason, fmt.Sprintf("GOMAXPROCS %d, not the run's %d", runtime.GOMAXPROCS(0)+1, runtime.GOMAXPROCS(0))) {
		t.Fatalf("got %v, failed %+v; want the cell failed, naming both", err, res.Failed)
	}
}
