package impltest

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/batchbench/batchbench/impl"
	"github.com/batchbench/batchbench/impl/registry"
)

// testClose: Close processes everything accepted, the partial batch
// included; afterwards Add returns ErrClosed without panicking, and a second
// Close is harmless.
func testClose(t *T, newBatcher registry.Factory) {
	rec := newRecorder(100)
	cfg := config(100, func(batch []Item) error {
		time.Sleep(5 * time.Millisecond) // so Close finds work still queued
		return rec.process(batch)
	})
	cfg.Concurrency = 2
	b := start(t, newBatcher, cfg)
	add(t, b, seq(0, 250)...)
	closeWithin(t, b)
	rec.checkExactlyOnce(t, seq(0, 250))
	if n := b.Len(); n != 0 {
		t.Errorf("Len after Close = %d, want 0", n)
	}
	want := impl.Stats{Added: 250, Processed: 250, Batches: uint64(len(rec.snapshot()))}
	wantStats(t, b, want)

	var err error
	within(t, waitLimit, "Add after Close", func() { err = b.Add(1000) })
	if !isClosed(err) {
		t.Errorf("Add after Close = %v, want ErrClosed", err)
	}
	closeWithin(t, b)
	wantStats(t, b, want)
}

// testCloseConcurrent: Closes called together all wait until the work is
// done: each one returns with every accepted item processed.
func testCloseConcurrent(t *T, newBatcher registry.Factory) {
	rec := newRecorder(10)
	b := start(t, newBatcher, config(10, func(batch []Item) error {
		time.Sleep(2 * time.Millisecond)
		return rec.process(batch)
	}))
	add(t, b, seq(0, 95)...)
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			if err := b.Close(); err != nil {
				t.Errorf("Close = %v, want nil", err)
			}
			if s := b.Stats(); s.Processed != 95 {
				t.Errorf("a Close returned with %d of 95 items processed", s.Processed)
			}
		})
	}
	within(t, waitLimit, "three concurrent Closes", wg.Wait)
	rec.checkExactlyOnce(t, seq(0, 95))
}

// testCloseRacesAdd: producers keep adding while Close runs. No Add panics,
// every Add returns nil or ErrClosed, ErrClosed is final, and every Add that
// returned nil is processed exactly once.
func testCloseRacesAdd(t *T, newBatcher registry.Factory) {
	for round := range 20 {
		rec := newRecorder(8)
		cfg := config(8, rec.process)
		cfg.MaxQueueSize = 32 // some producers are blocked when Close comes
		cfg.BatchInterval = time.Millisecond
		b, err := newBatcher(cfg)
		if err != nil {
			t.Fatal(err)
		}
		accepted := raceClose(t, b, 4, 1000, func(int64) bool { return true }, time.Duration(round%5)*time.Millisecond)
		rec.checkExactlyOnce(t, accepted)
		if s := b.Stats(); s.Added != uint64(len(accepted)) || s.Processed != s.Added {
			t.Errorf("round %d: Stats = %+v, want Added = Processed = %d accepted", round, s, len(accepted))
		}
		if t.Failed() {
			t.Fatalf("round %d failed", round)
		}
	}
}

// raceClose runs producers that each add perProducer distinct ids until Add
// fails, and Close once closeNow(total accepted so far) holds and delay has
// passed. It returns the accepted ids, after checking that every Add error
// was ErrClosed and stayed so.
func raceClose(t *T, b batcher, producers, perProducer int, closeNow func(accepted int64) bool, delay time.Duration) []Item {
	t.Helper()
	var (
		wg       sync.WaitGroup
		total    atomic.Int64
		mu       sync.Mutex
		accepted []Item
		problems []string
	)
	for p := range producers {
		wg.Go(func() {
			var mine []Item
			var bad []string
			defer func() {
				if v := recover(); v != nil {
					bad = append(bad, fmt.Sprintf("Add panicked: %v", v))
				}
				mu.Lock()
				defer mu.Unlock()
				accepted = append(accepted, mine...)
				problems = append(problems, bad...)
			}()
			for _, id := range seq(Item(p*perProducer), perProducer) {
				err := b.Add(id)
				if err == nil {
					mine = append(mine, id)
					total.Add(1)
					continue
				}
				if !isClosed(err) {
					bad = append(bad, fmt.Sprintf("Add(%d) = %v, want nil or ErrClosed", id, err))
				} else if err := b.Add(id); !isClosed(err) {
					bad = append(bad, fmt.Sprintf("Add after an ErrClosed = %v, want ErrClosed", err))
				}
				return
			}
		})
	}
	var closeErr error
	quit := make(chan struct{})
	defer close(quit) // after a timeout: stop polling, Close at once
	wg.Go(func() {
	poll:
		for total.Load() < int64(producers*perProducer) && !closeNow(total.Load()) {
			select {
			case <-quit:
				break poll
			case <-time.After(50 * time.Microsecond):
			}
		}
		time.Sleep(delay)
		closeErr = b.Close()
	})
	within(t, 6*waitLimit, "producers racing Close", wg.Wait)
	if closeErr != nil {
		t.Errorf("Close = %v, want nil", closeErr)
	}
	for _, p := range problems {
		t.Error(p)
	}
	return accepted
}

// testAddBlockedAtClose: an Add blocked on a full queue when Close starts
// either returns ErrClosed or is accepted and processed; it is never lost
// and never stuck.
func testAddBlockedAtClose(t *T, newBatcher registry.Factory) {
	held := newLatch()
	rec := newRecorder(2)
	cfg := config(2, func(batch []Item) error {
		held.wait()
		return rec.process(batch)
	})
	cfg.MaxQueueSize = 4
	b := start(t, newBatcher, cfg, held)
	blocked := fill(t, b, 4) // item 4 is blocked

	closed := make(chan error, 1)
	go func() { closed <- b.Close() }()
	time.Sleep(20 * time.Millisecond) // Close has started
	held.open()

	err := receive(t, blocked, "the Add that was blocked when Close started")
	accepted := seq(0, 4)
	switch {
	case err == nil:
		accepted = append(accepted, 4)
	case !isClosed(err):
		t.Errorf("blocked Add = %v, want nil or ErrClosed", err)
	}
	if err := receive(t, closed, "Close"); err != nil {
		t.Errorf("Close = %v, want nil", err)
	}
	rec.checkExactlyOnce(t, accepted)
}
