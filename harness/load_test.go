package harness

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/batchbench/batchbench/internal/load"
	"github.com/batchbench/batchbench/scenarios"
)

// machine fakes the counters: each window, others take the next share of
// 100 ticks, and sleeping only counts windows.
type machine struct {
	shares []float64 // others' share in each window; the last repeats
	now    load.Sample
	slept  int
}

func (m *machine) take() (load.Sample, error) { return m.now, nil }

func (m *machine) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	share := m.shares[min(m.slept, len(m.shares)-1)]
	m.slept++
	m.now.Total += 100
	m.now.Busy += int64(share * 100)
	return nil
}

func TestWaitQuiet(t *testing.T) {
	m := &machine{shares: []float64{0.5, 0.3, 0.04}}
	u, quiet, err := waitQuiet(context.Background(), 10*time.Second, 200*time.Millisecond, 0.1, m.take, m.sleep)
	if err != nil || !quiet || m.slept != 3 || u.Others != 0.02 { // 4 ticks, 2 of them rounding
		t.Errorf("waitQuiet = %+v, %v, %v after %d windows; want quiet at 2%% after 3", u, quiet, err, m.slept)
	}

	// Never quiet: it gives up after limit/window windows, with the last
	// window's share to report.
	m = &machine{shares: []float64{0.9, 0.6}}
	u, quiet, err = waitQuiet(context.Background(), time.Second, 200*time.Millisecond, 0.1, m.take, m.sleep)
	if err != nil || quiet || m.slept != 5 || u.Others != 0.58 {
		t.Errorf("waitQuiet = %+v, %v, %v after %d windows; want busy at 58%% after 5", u, quiet, err, m.slept)
	}

	// A limit below the window samples once, over the limit.
	var windows []time.Duration
	m = &machine{shares: []float64{0.9}}
	_, quiet, _ = waitQuiet(context.Background(), 50*time.Millisecond, 200*time.Millisecond, 0.1, m.take,
		func(ctx context.Context, d time.Duration) error { windows = append(windows, d); return m.sleep(ctx, d) })
	if quiet || len(windows) != 1 || windows[0] != 50*time.Millisecond {
		t.Errorf("waitQuiet(50ms) slept %v, quiet %v; want one 50ms window", windows, quiet)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := waitQuiet(ctx, time.Second, 200*time.Millisecond, 0.1, m.take, m.sleep); !errors.Is(err, context.Canceled) {
		t.Errorf("waitQuiet after cancel: %v, want context.Canceled", err)
	}
}

// TestNoProcRecordsNothing runs where the counters cannot be read: no
// load.json, no -wait-idle, and one line saying so.
func TestNoProcRecordsNothing(t *testing.T) {
	defer func(take func(...int) (load.Sample, error)) { takeSample = take }(takeSample)
	takeSample = func(...int) (load.Sample, error) {
		return load.Sample{}, &os.PathError{Op: "open", Path: "/proc/stat", Err: os.ErrNotExist}
	}
	c, err := scenarios.Parse("Size/impl=ring/size=1000")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var log bytes.Buffer
	res, err := Run(context.Background(), Options{
		Cells: []scenarios.Cell{c}, Count: 2, Items: 2_000, OutDir: dir, WaitIdle: time.Minute, Log: &log,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Load != nil || res.LoadPath != "" {
		t.Errorf("Result.Load = %+v, LoadPath %q; want nothing", res.Load, res.LoadPath)
	}
	if _, err := os.Stat(filepath.Join(dir, load.File)); err == nil {
		t.Errorf("%s written without /proc", load.File)
	}
	const want = "benchrun: not recording what else uses the machine, nor waiting for it to go quiet: open /proc/stat: file does not exist\n"
	if n := strings.Count(log.String(), want); n != 1 || strings.Count(log.String(), "the machine") != 1 {
		t.Errorf("log says %d times %q, and no more about the machine:\n%s", n, want, log.String())
	}
}
