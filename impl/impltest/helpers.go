package impltest

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/batchbench/batchbench/impl"
	"github.com/batchbench/batchbench/impl/registry"
)

// Item is the element type of the batchers under test.
type Item = registry.Item

type batcher = impl.Batcher[Item]

const (
	// waitLimit bounds every wait for something that must happen; it is
	// far above what any correct implementation needs, even under -race.
	waitLimit = 10 * time.Second
	// stuckLimit is how long a latched Processor waits for its latch before
	// giving up, so that a failing test unwinds instead of hanging.
	stuckLimit = 20 * time.Second
	// blockCheck is how long an Add must stay blocked to count as blocked.
	blockCheck = 100 * time.Millisecond
	// timerSlack is how late a timer flush may come on a noisy machine.
	timerSlack = time.Second
)

// config is a valid Config whose interval never fires in a test, so only a
// full batch, Join and Close flush.
func config(size int, p impl.Processor[Item]) impl.Config[Item] {
	return impl.Config[Item]{BatchSize: size, BatchInterval: time.Hour, Processor: p}
}

func nop([]Item) error { return nil }

// seq returns the n ids from first on.
func seq(first Item, n int) []Item {
	ids := make([]Item, n)
	for i := range ids {
		ids[i] = first + Item(i)
	}
	return ids
}

// start builds a Batcher and closes it when the test ends. The latches are
// opened first, so that a test that failed with a processor held still
// closes promptly.
func start(t *T, newBatcher registry.Factory, cfg impl.Config[Item], latches ...*latch) batcher {
	t.Helper()
	b, err := newBatcher(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		for _, g := range latches {
			g.open()
		}
		closeWithin(t, b)
	})
	return b
}

// within runs f on another goroutine and fails the test if f panics or has
// not returned after d. Unless the clause is declared to fail, it logs
// every goroutine's stack first: a hang is diagnosed by where it hangs.
func within(t *T, d time.Duration, what string, f func()) {
	t.Helper()
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		f()
	}()
	select {
	case v := <-done:
		if v != nil {
			t.Fatalf("%s panicked: %v", what, v)
		}
	case <-time.After(d):
		if t.clause == nil || !t.clause.expectFail {
			t.Logf("%s did not return within %v; the goroutines then:\n%s", what, d, goroutines())
		}
		t.Fatalf("%s did not return within %v", what, d)
	}
}

// goroutines is every goroutine's stack, as a test binary's timeout
// prints them, up to 1 MiB.
func goroutines() []byte {
	buf := make([]byte, 1<<20)
	return buf[:runtime.Stack(buf, true)]
}

// add adds ids in order; each Add must return nil without blocking for long.
func add(t *T, b batcher, ids ...Item) {
	t.Helper()
	var err error
	within(t, waitLimit, fmt.Sprintf("adding %d items", len(ids)), func() {
		for _, id := range ids {
			if err = b.Add(id); err != nil {
				err = fmt.Errorf("Add(%d) = %w", id, err)
				return
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}

// join calls Join(timeout), failing the test if it overruns the timeout by
// more than waitLimit.
func join(t *T, b batcher, timeout time.Duration) error {
	t.Helper()
	var err error
	within(t, timeout+waitLimit, fmt.Sprintf("Join(%v)", timeout), func() { err = b.Join(timeout) })
	return err
}

// mustJoin waits for everything added so far to be processed.
func mustJoin(t *T, b batcher) {
	t.Helper()
	if err := join(t, b, waitLimit); err != nil {
		t.Fatalf("Join = %v, want nil", err)
	}
}

func closeWithin(t *T, b batcher) {
	t.Helper()
	var err error
	within(t, waitLimit, "Close", func() { err = b.Close() })
	if err != nil {
		t.Errorf("Close = %v, want nil", err)
	}
}

// receive waits for a value from ch.
func receive[V any](t *T, ch <-chan V, what string) V {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitLimit):
		t.Fatalf("timed out after %v waiting for %s", waitLimit, what)
		panic("unreachable")
	}
}

// signal is a non-blocking send, for "the processor was entered" events.
func signal(ch chan<- struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// wantStats compares the counters, which are quiescent when it is called.
func wantStats(t *T, b batcher, want impl.Stats) {
	t.Helper()
	if got := b.Stats(); got != want {
		t.Errorf("Stats = %+v, want %+v", got, want)
	}
}

// latch holds processor calls until it is opened.
type latch struct {
	ch   chan struct{}
	once sync.Once
}

func newLatch() *latch { return &latch{ch: make(chan struct{})} }

func (g *latch) open() { g.once.Do(func() { close(g.ch) }) }

// wait blocks until the latch opens, or stuckLimit passes so that a failing
// test does not hang; it reports whether the latch opened.
func (g *latch) wait() bool {
	select {
	case <-g.ch:
		return true
	case <-time.After(stuckLimit):
		return false
	}
}

// recorder is a Processor that keeps a copy of every batch (the batch itself
// is only valid during the call) and notes batches outside (0, BatchSize].
type recorder struct {
	size    int
	mu      sync.Mutex
	batches [][]Item
	bad     []string
}

func newRecorder(size int) *recorder { return &recorder{size: size} }

func (r *recorder) process(batch []Item) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(batch) == 0 || len(batch) > r.size {
		r.bad = append(r.bad, fmt.Sprintf("processor got a batch of %d items with BatchSize %d", len(batch), r.size))
	}
	r.batches = append(r.batches, slices.Clone(batch))
	return nil
}

func (r *recorder) snapshot() [][]Item {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.batches)
}

// items returns every processed item in processing order.
func (r *recorder) items() []Item { return slices.Concat(r.snapshot()...) }

// checkExactlyOnce fails unless every accepted id was processed exactly once,
// nothing else was processed and every batch had a legal size.
func (r *recorder) checkExactlyOnce(t *T, accepted []Item) {
	t.Helper()
	r.mu.Lock()
	for _, msg := range r.bad {
		t.Error(msg)
	}
	r.mu.Unlock()
	checkCounts(t, countItems(r.snapshot()), accepted)
}

func countItems(batches [][]Item) map[Item]int {
	counts := make(map[Item]int)
	for _, batch := range batches {
		for _, id := range batch {
			counts[id]++
		}
	}
	return counts
}

// checkCounts fails unless counts holds exactly the accepted ids, once each.
// It reports at most ten problems: one lost id usually means many.
func checkCounts(t *T, counts map[Item]int, accepted []Item) {
	t.Helper()
	var problems []string
	want := make(map[Item]bool, len(accepted))
	for _, id := range accepted {
		if want[id] {
			t.Fatalf("test bug: id %d accepted twice", id)
		}
		want[id] = true
		if n := counts[id]; n != 1 {
			problems = append(problems, fmt.Sprintf("accepted item %d processed %d times, want once", id, n))
		}
	}
	for id, n := range counts {
		if !want[id] {
			problems = append(problems, fmt.Sprintf("item %d processed %d times but never accepted", id, n))
		}
	}
	if len(problems) > 10 {
		problems = append(problems[:10], fmt.Sprintf("... and %d more problems", len(problems)-10))
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// fill adds ids 0, 1, ... from a goroutine and checks that exactly limit
// Adds return nil while the next one blocks for at least blockCheck. It
// returns a channel that yields that blocked Add's error once it returns.
func fill(t *T, b batcher, limit int) <-chan error {
	t.Helper()
	var returned atomic.Int64
	last := make(chan error, 1)
	go func() {
		for id := range limit {
			if err := b.Add(Item(id)); err != nil {
				last <- fmt.Errorf("Add(%d) = %w", id, err)
				return
			}
			returned.Add(1)
		}
		last <- b.Add(Item(limit))
	}()
	deadline := time.Now().Add(waitLimit)
	for returned.Load() < int64(limit) {
		select {
		case err := <-last:
			t.Fatalf("after %d Adds below the bound of %d: %v", returned.Load(), limit, err)
		case <-time.After(time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d Adds below the bound returned within %v", returned.Load(), limit, waitLimit)
		}
	}
	select {
	case err := <-last:
		t.Fatalf("Add number %d, beyond the bound of %d, returned %v instead of blocking", limit+1, limit, err)
	case <-time.After(blockCheck):
	}
	return last
}

// cpuTime is the CPU time, user plus system, this process has used.
func cpuTime(t *T) time.Duration {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuDuring returns the process CPU time f used. It collects garbage first,
// so that earlier tests' GC work is not billed to f.
func cpuDuring(t *T, f func()) time.Duration {
	t.Helper()
	runtime.GC()
	before := cpuTime(t)
	f()
	return cpuTime(t) - before
}

// requireQuiet skips a CPU measurement if the process is busy before the
// batcher under test exists: an earlier failed test left goroutines running
// (and is reported already), and billing their CPU here would blame the
// wrong implementation.
func requireQuiet(t *T) {
	t.Helper()
	const window, limit = 50 * time.Millisecond, 15 * time.Millisecond
	if cpu := cpuDuring(t, func() { time.Sleep(window) }); cpu > limit {
		t.Skipf("the process burned %v of CPU in %v before New: an earlier test left work running", cpu, window)
	}
}

// isClosed reports whether err is ErrClosed, the only error Add may return.
func isClosed(err error) bool { return errors.Is(err, impl.ErrClosed) }
