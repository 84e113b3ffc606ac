package compare

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/batchbench/batchbench/harness"
	"github.com/batchbench/batchbench/impl"
	"github.com/batchbench/batchbench/impl/registry"
	"github.com/batchbench/batchbench/reports/gate"
	"github.com/batchbench/batchbench/scenarios"
)

// lateFail names the environment variable that makes late-fail fail in
// the worker it is set for, after its first five batchers (a worker serves at most cellRuns runs of a cell).
const lateFail = "COMPARE_TEST_LATE_FAIL"

// original names the environment variable that makes copy-only fail in a
// worker that runs the executable it names, and not a copy of it.
const original = "COMPARE_TEST_ORIGINAL"

// This test binary is also the compare's worker, for both sides.
func TestMain(m *testing.M) {
	mutex, _ := registry.Lookup("mutex")
	var made atomic.Int64
	registry.Register("late-fail", func(cfg impl.Config[registry.Item]) (impl.Batcher[registry.Item], error) {
		if made.Add(1) > 5 && os.Getenv(lateFail) != "" {
			return nil, errors.New("late-fail: failing, as it was told")
		}
		return mutex.New(cfg)
	})
	registry.Register("copy-only", func(cfg impl.Config[registry.Item]) (impl.Batcher[registry.Item], error) {
		if exe, err := os.Executable(); err != nil || exe == os.Getenv(original) {
			return nil, fmt.Errorf("copy-only: the worker runs %s, not a copy of it (%v)", exe, err)
		}
		return mutex.New(cfg)
	})
	harness.ServeWorker()
	os.Exit(m.Run())
}

// Run measures Run.Count pairs first, with no MinPairs of its own; a
// cell that fails on head after some pairs has its runs dropped, leaves
// the loop (the budget is an hour), and blocks.
func TestACellThatFailsMidwayBlocks(t *testing.T) {
	// The budget is far beyond the deadline: only a loop that stops on
	// its own returns before the deadline.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	d := decide(ctx, t, "Size/impl=late-fail/size=1000", 10, time.Hour, lateFail+"=1")
	if d.Status != gate.Block || len(d.FailedHead) != 1 {
		t.Errorf("decision %v, failed head cells %q; want a block on the failed head cell: %s", d.Status, d.FailedHead, d.Headline())
	}
}

// A paired gate's workers run copies of each side's executable, not the
// file itself: head's fail if they do not.
func TestAPairedGatesWorkersRunCopies(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if d := decide(context.Background(), t, "Size/impl=copy-only/size=1000", 6, time.Second, original+"="+exe); len(d.FailedHead) > 0 {
		t.Errorf("head failed: %q", d.FailedHead)
	}
}

// decide makes a paired gate's decision on one cell of this test binary
// against itself, count pairs first, within budget, head's workers with
// headEnv added to their environment.
func decide(ctx context.Context, t *testing.T, cell string, count int, budget time.Duration, headEnv ...string) *gate.Decision {
	t.Helper()
	c, err := scenarios.Parse(cell)
	if err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	base := harness.Source{Command: []string{exe}}
	head := harness.Source{Command: []string{exe}, Env: headEnv}
	out, err := Run(ctx, Options{
		Base: Side{Source: &base}, Head: Side{Source: &head},
		Run:    harness.Options{Cells: []scenarios.Cell{c}, Count: count, Quick: true, RunTime: 2 * time.Millisecond, ProcessRuns: 100, OutDir: t.TempDir(), Log: io.Discard},
		Plan:   gate.Plan{Options: gate.Options{Head: "head", Threshold: 0.05}},
		Table:  gate.TableConfig(0.05, ""),
		Budget: budget,
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return out.Decision
}
