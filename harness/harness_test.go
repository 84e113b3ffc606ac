package harness_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/batchbench/batchbench/harness"
	"github.com/batchbench/batchbench/impl"
	"github.com/batchbench/batchbench/impl/registry"
	"github.com/batchbench/batchbench/internal/profindex"
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
	registry.Register("mislabel", func(cfg impl.Config[registry.Item]) (impl.Batcher[registry.Item], error) {
		cfg.BatchSize = max(cfg.BatchSize/10, 1) // runs another batch size than its cell claims
		return ring.New(cfg)
	})
	harness.ServeWorker()
	os.Exit(m.Run())
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
	var log bytes.Buffer
	res, err := harness.Run(context.Background(), harness.Options{
		Cells: []scenarios.Cell{
			cell(t, "Size/impl=hang/size=1000"),
			cell(t, "Size/impl=crash/size=1000"),
			cell(t, "Size/impl=mislabel/size=1000"),
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

func TestInterruptLeavesValidResults(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var log bytes.Buffer
	done := make(chan struct{})
	var res *harness.Result
	var err error
	go func() {
		defer close(done)
		res, err = harness.Run(ctx, harness.Options{
			Cells: []scenarios.Cell{cell(t, "Size/impl=ring/size=1000")},
			Count: 1000, Items: 2_000, OutDir: dir, Log: &log,
		})
	}()
	results := filepath.Join(dir, "results.txt")
	deadline := time.Now().Add(time.Minute)
	for {
		data, _ := os.ReadFile(results)
		if bytes.Count(data, []byte("\nBenchmark")) >= 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("Run did not stop after cancel")
	}
	if !errors.Is(err, context.Canceled) || res == nil || !res.Interrupted {
		t.Fatalf("Run = %+v, %v; want an interrupted result", res, err)
	}
	got, _ := readResults(t, results)
	if len(got) < 2 || len(got) >= 1000 {
		t.Errorf("results hold %d runs, want the few that completed", len(got))
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
