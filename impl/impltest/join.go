package impltest

import (
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/batchbench/batchbench/impl"
	"github.com/batchbench/batchbench/impl/registry"
)

// testJoinNoCPU: a 300ms Join behind a stuck processor waits on an event: it
// burns almost no CPU and returns ErrTimeout close to its timeout.
func testJoinNoCPU(t *T, newBatcher registry.Factory) {
	const timeout = 300 * time.Millisecond
	// A spinning Join burns about 300ms; leave room for -race, the GC and
	// the runtime's own housekeeping.
	const maxCPU = 60 * time.Millisecond
	requireQuiet(t)
	b, held, entered, rec := startStuck(t, newBatcher)
	// A backlog queued behind the stuck batch, as in a real stall.
	add(t, b, seq(0, 200)...)
	receive(t, entered, "the first batch")
	time.Sleep(20 * time.Millisecond) // let the pipeline settle

	var err error
	var elapsed time.Duration
	cpu := cpuDuring(t, func() {
		t0 := time.Now()
		err = join(t, b, timeout)
		elapsed = time.Since(t0)
	})
	t.Logf("Join(%v) with a stuck processor: %v after %v, %v CPU", timeout, err, elapsed, cpu)
	if !errors.Is(err, impl.ErrTimeout) {
		t.Errorf("Join with a stuck processor = %v, want ErrTimeout", err)
	}
	if elapsed < timeout || elapsed > timeout+timerSlack/2 {
		t.Errorf("Join(%v) returned after %v, want close to its timeout", timeout, elapsed)
	}
	if cpu > maxCPU {
		t.Errorf("a %v Join burned %v of CPU, want under %v: something polls or spins while it waits", timeout, cpu, maxCPU)
	}

	held.open()
	mustJoin(t, b)
	rec.checkExactlyOnce(t, seq(0, 200))
}

// testJoin: Join flushes a partial batch at once, returns only when every
// earlier item is processed, and concurrent Joins all return.
func testJoin(t *T, newBatcher registry.Factory) {
	t.Run("Empty", func(t *T) {
		b := start(t, newBatcher, config(10, nop))
		if err := join(t, b, waitLimit); err != nil {
			t.Errorf("Join on an empty batcher = %v, want nil", err)
		}
	})
	t.Run("FlushesPartialBatch", func(t *T) {
		rec := newRecorder(100)
		b := start(t, newBatcher, config(100, rec.process)) // the interval is an hour
		add(t, b, 1, 2, 3)
		mustJoin(t, b)
		if got := rec.snapshot(); len(got) != 1 || !slices.Equal(got[0], []Item{1, 2, 3}) {
			t.Errorf("batches after Join = %v, want [[1 2 3]]", got)
		}
	})
	t.Run("WaitsForProcessing", func(t *T) {
		rec := newRecorder(10)
		cfg := config(10, func(batch []Item) error {
			time.Sleep(10 * time.Millisecond)
			return rec.process(batch)
		})
		cfg.Concurrency = 2
		b := start(t, newBatcher, cfg)
		add(t, b, seq(0, 55)...)
		mustJoin(t, b)
		// No waiting here: Join returned, so all of it is done.
		rec.checkExactlyOnce(t, seq(0, 55))
		if n := b.Len(); n != 0 {
			t.Errorf("Len after Join = %d, want 0", n)
		}
		wantStats(t, b, impl.Stats{Added: 55, Processed: 55, Batches: uint64(len(rec.snapshot()))})
	})
	t.Run("Concurrent", func(t *T) {
		rec := newRecorder(10)
		cfg := config(10, rec.process)
		cfg.Concurrency = 2
		b := start(t, newBatcher, cfg)
		var wg sync.WaitGroup
		wg.Go(func() {
			for _, id := range seq(0, 1000) {
				if err := b.Add(id); err != nil {
					t.Errorf("Add(%d) = %v", id, err)
					return
				}
			}
		})
		for range 4 {
			wg.Go(func() {
				for range 20 {
					if err := b.Join(waitLimit); err != nil {
						t.Errorf("concurrent Join = %v, want nil", err)
						return
					}
				}
			})
		}
		within(t, 2*waitLimit, "Adds and concurrent Joins", wg.Wait)
		mustJoin(t, b)
		rec.checkExactlyOnce(t, seq(0, 1000))
	})
}

// testJoinIgnoresLaterAdds: Join waits for the items added before it, not for
// later ones. The processor holds every batch with a later item until the end
// of the test, so a Join that counted them, or that let them into a batch
// with earlier items, never returns.
func testJoinIgnoresLaterAdds(t *T, newBatcher registry.Factory) {
	const later = 1000 // ids from here on are added after Join was called
	first, rest := newLatch(), newLatch()
	entered := make(chan struct{}, 1)
	rec := newRecorder(10)
	b := start(t, newBatcher, config(10, func(batch []Item) error {
		rec.process(batch)
		signal(entered)
		if slices.ContainsFunc(batch, func(id Item) bool { return id >= later }) {
			rest.wait()
		} else {
			first.wait()
		}
		return nil
	}), first, rest)

	// A full batch held in the processor, and a partial one behind it.
	add(t, b, seq(0, 15)...)
	receive(t, entered, "the first batch")
	joining := make(chan struct{})
	joined := make(chan error, 1)
	go func() {
		close(joining)
		joined <- b.Join(5 * time.Second)
	}()
	<-joining
	time.Sleep(50 * time.Millisecond) // let Join take its snapshot
	add(t, b, seq(later, 5)...)
	first.open()

	if err := receive(t, joined, "Join"); err != nil {
		t.Errorf("Join = %v, want nil: it waited for items added after it was called; batches: %v", err, rec.snapshot())
	}
	if got := countItems(rec.snapshot()); len(got) < 15 {
		t.Errorf("Join returned with %d distinct items processed, want at least the 15 added before it", len(got))
	}
	rest.open()
	mustJoin(t, b)
	rec.checkExactlyOnce(t, append(seq(0, 15), seq(later, 5)...))
}

// testJoinAfterClose: Join after Close returns nil at once, and a Join that
// is waiting when Close starts returns nil once the items are processed.
func testJoinAfterClose(t *T, newBatcher registry.Factory) {
	t.Run("AfterClose", func(t *T) {
		rec := newRecorder(10)
		b := start(t, newBatcher, config(10, rec.process))
		add(t, b, seq(0, 25)...)
		closeWithin(t, b)
		var err error
		t0 := time.Now()
		within(t, waitLimit, "Join(1h) after Close", func() { err = b.Join(time.Hour) })
		if err != nil {
			t.Errorf("Join after Close = %v, want nil", err)
		}
		if d := time.Since(t0); d > time.Second {
			t.Errorf("Join after Close took %v, want at once", d)
		}
		rec.checkExactlyOnce(t, seq(0, 25))
	})
	t.Run("DuringClose", func(t *T) {
		b, held, entered, rec := startStuck(t, newBatcher)
		add(t, b, seq(0, 25)...)
		receive(t, entered, "the first batch")
		joined := make(chan error, 1)
		go func() { joined <- b.Join(waitLimit) }()
		closed := make(chan error, 1)
		go func() { closed <- b.Close() }()
		time.Sleep(20 * time.Millisecond)
		held.open()
		if err := receive(t, joined, "Join racing Close"); err != nil {
			t.Errorf("Join racing Close = %v, want nil", err)
		}
		if err := receive(t, closed, "Close"); err != nil {
			t.Errorf("Close = %v, want nil", err)
		}
		rec.checkExactlyOnce(t, seq(0, 25))
	})
}

// startStuck starts a batcher of size 10 whose Processor records each batch,
// signals entered and then waits until held opens.
func startStuck(t *T, newBatcher registry.Factory) (b batcher, held *latch, entered chan struct{}, rec *recorder) {
	t.Helper()
	held = newLatch()
	entered = make(chan struct{}, 1)
	rec = newRecorder(10)
	b = start(t, newBatcher, config(10, func(batch []Item) error {
		rec.process(batch)
		signal(entered)
		held.wait()
		return nil
	}), held)
	return b, held, entered, rec
}
