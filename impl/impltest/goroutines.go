package impltest

import (
	"errors"
	"time"

	"go.uber.org/goleak"

	"github.com/batchbench/batchbench/impl"
	"github.com/batchbench/batchbench/impl/registry"
)

// testGoroutines: after Close, no goroutine the batcher started is left, in
// every state Close can find it in. Goroutines that existed before New (the
// test harness's, earlier tests' still exiting) are ignored.
func testGoroutines(t *T, newBatcher registry.Factory) {
	t.Run("Idle", func(t *T) {
		noLeaks(t, func() {
			b := start(t, newBatcher, config(10, nop))
			closeWithin(t, b)
		})
	})
	t.Run("Busy", func(t *T) {
		noLeaks(t, func() {
			rec := newRecorder(7)
			cfg := impl.Config[Item]{
				BatchSize: 7, BatchInterval: time.Millisecond, Concurrency: 4, MaxQueueSize: 50,
				Processor: rec.process,
			}
			b := start(t, newBatcher, cfg)
			add(t, b, seq(0, 300)...)
			mustJoin(t, b)
			add(t, b, seq(300, 300)...) // some still pending at Close
			closeWithin(t, b)
			rec.checkExactlyOnce(t, seq(0, 600))
		})
	})
	t.Run("JoinTimedOut", func(t *T) {
		noLeaks(t, func() {
			held := newLatch()
			b := start(t, newBatcher, config(10, func([]Item) error {
				held.wait()
				return nil
			}), held)
			add(t, b, seq(0, 35)...)
			for range 3 {
				if err := join(t, b, 10*time.Millisecond); !errors.Is(err, impl.ErrTimeout) {
					t.Errorf("Join with a stuck processor = %v, want ErrTimeout", err)
				}
				add(t, b, 100)
			}
			held.open()
			closeWithin(t, b)
		})
	})
	t.Run("BlockedAdd", func(t *T) {
		noLeaks(t, func() {
			held := newLatch()
			cfg := config(2, func([]Item) error {
				held.wait()
				return nil
			})
			cfg.MaxQueueSize = 4
			b := start(t, newBatcher, cfg, held)
			blocked := fill(t, b, 4)
			closed := make(chan error, 1)
			go func() { closed <- b.Close() }()
			time.Sleep(20 * time.Millisecond)
			held.open()
			receive(t, blocked, "the blocked Add")
			receive(t, closed, "Close")
		})
	})
	t.Run("Panics", func(t *T) {
		noLeaks(t, func() {
			cfg := config(3, func([]Item) error { panic("planted panic") })
			cfg.Concurrency = 2
			b := start(t, newBatcher, cfg)
			add(t, b, seq(0, 20)...)
			closeWithin(t, b)
		})
	})
}

// noLeaks runs f, which must close every batcher it starts, and fails if a
// goroutine started during f outlives it.
func noLeaks(t *T, f func()) {
	t.Helper()
	before := goleak.IgnoreCurrent()
	f()
	goleak.VerifyNone(t, before)
}

// testIdleNoCPU: a batcher with no items arriving burns next to no CPU:
// fresh, after a burst of work, and while its processor is stuck.
func testIdleNoCPU(t *T, newBatcher registry.Factory) {
	const window = 200 * time.Millisecond
	// A spinning goroutine burns about 200ms; leave room for -race, the
	// GC and the runtime's own housekeeping.
	const maxCPU = 40 * time.Millisecond
	idle := func(state string) {
		t.Helper()
		time.Sleep(10 * time.Millisecond) // let the previous step settle
		cpu := cpuDuring(t, func() { time.Sleep(window) })
		t.Logf("%s: %v CPU in %v", state, cpu, window)
		if cpu > maxCPU {
			t.Errorf("%s, the batcher burned %v of CPU in %v with no items arriving, want under %v", state, cpu, window, maxCPU)
		}
	}

	requireQuiet(t)
	held := newLatch()
	cfg := impl.Config[Item]{
		BatchSize: 100, BatchInterval: time.Millisecond, Concurrency: 4,
		Processor: func(batch []Item) error {
			if batch[0] >= 10_000 {
				held.wait()
			}
			return nil
		},
	}
	b := start(t, newBatcher, cfg, held)
	idle("fresh")
	add(t, b, seq(0, 1000)...)
	mustJoin(t, b)
	idle("after a burst")
	add(t, b, seq(10_000, 1000)...) // four batches stuck, the rest queued
	idle("with the processor stuck")
	held.open()
	mustJoin(t, b)
}
