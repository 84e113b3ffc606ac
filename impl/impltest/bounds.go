package impltest

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/batchbench/batchbench/impl"
	"github.com/batchbench/batchbench/impl/registry"
)

// testConcurrency: Concurrency n allows at most n processor calls at once,
// and under load n is reached; 0 means 1.
func testConcurrency(t *T, newBatcher registry.Factory) {
	for _, n := range []int{0, 1, 2, 4} {
		t.Run(fmt.Sprintf("Concurrency=%d", n), func(t *T) {
			want := max(n, 1)
			var inside, peak atomic.Int32
			reached := newLatch()
			rec := newRecorder(2)
			cfg := config(2, func(batch []Item) error {
				cur := inside.Add(1)
				defer inside.Add(-1)
				raise(&peak, cur)
				// The first calls wait for each other until want are
				// inside, then every call lingers a moment so that an
				// extra worker would show.
				if cur >= int32(want) {
					reached.open()
				}
				reached.wait()
				time.Sleep(200 * time.Microsecond)
				return rec.process(batch)
			})
			cfg.Concurrency = n
			b := start(t, newBatcher, cfg, reached)
			add(t, b, seq(0, 40*want)...)
			select {
			case <-reached.ch:
			case <-time.After(waitLimit):
				t.Fatalf("under load, at most %d processor calls ran at once within %v, want %d", peak.Load(), waitLimit, want)
			}
			mustJoin(t, b)
			rec.checkExactlyOnce(t, seq(0, 40*want))
			if p := peak.Load(); p != int32(want) {
				t.Errorf("at most %d processor calls ran at once, want exactly %d", p, want)
			}
		})
	}
}

// testBackpressure: with producers far faster than the processor, Len never
// exceeds MaxQueueSize, the processor sees the pending items including its
// own batch, and nothing is dropped.
func testBackpressure(t *T, newBatcher registry.Factory) {
	const limit, producers, perProducer = 16, 4, 300
	var b batcher
	var mu sync.Mutex
	var problems []string
	note := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(problems) < 10 {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	rec := newRecorder(4)
	cfg := impl.Config[Item]{
		BatchSize:     4,
		BatchInterval: time.Millisecond,
		Concurrency:   2,
		MaxQueueSize:  limit,
		Processor: func(batch []Item) error {
			if n := b.Len(); n < len(batch) || n > limit {
				note("Len inside the processor = %d, want between the batch's %d items and MaxQueueSize %d", n, len(batch), limit)
			}
			time.Sleep(200 * time.Microsecond)
			return rec.process(batch)
		},
	}
	b = start(t, newBatcher, cfg)

	var producing sync.WaitGroup
	for p := range producers {
		producing.Go(func() {
			for _, id := range seq(Item(p*perProducer), perProducer) {
				if err := b.Add(id); err != nil {
					note("Add(%d) = %v", id, err)
					return
				}
			}
		})
	}
	done := make(chan struct{})
	var peak int
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			select {
			case <-done:
				return
			default:
			}
			n := b.Len()
			peak = max(peak, n)
			if n < 0 || n > limit {
				note("Len = %d, want 0..%d", n, limit)
			}
			time.Sleep(20 * time.Microsecond)
		}
	}()
	within(t, 2*waitLimit, "producers", producing.Wait)
	close(done)
	<-sampled
	mustJoin(t, b)
	t.Logf("peak Len seen: %d of %d", peak, limit)
	for _, p := range problems {
		t.Error(p)
	}
	rec.checkExactlyOnce(t, seq(0, producers*perProducer))
}

// testDefaultBound: MaxQueueSize 0 is bounded too, by the default documented
// in package impl (Config.QueueLimit).
func testDefaultBound(t *T, newBatcher registry.Factory) {
	held := newLatch()
	rec := newRecorder(1000)
	cfg := config(1000, func(batch []Item) error {
		held.wait()
		return rec.process(batch)
	})
	limit := cfg.QueueLimit()
	b := start(t, newBatcher, cfg, held)
	blocked := fill(t, b, limit)
	if n := b.Len(); n != limit {
		t.Errorf("Len at the default bound = %d, want %d", n, limit)
	}
	held.open()
	if err := receive(t, blocked, "the Add blocked at the default bound"); err != nil {
		t.Fatalf("blocked Add = %v after room was made, want nil", err)
	}
	mustJoin(t, b)
	rec.checkExactlyOnce(t, seq(0, limit+1))
}

// testExactBound: with MaxQueueSize 10 and a stuck processor, exactly 10
// Adds return and the 11th blocks until the processor makes room; then
// everything drains. Len counts the batches held in the processor.
func testExactBound(t *T, newBatcher registry.Factory) {
	for _, c := range []struct{ size, concurrency int }{{5, 1}, {3, 1}, {10, 1}, {3, 2}} {
		t.Run(fmt.Sprintf("BatchSize=%d,Concurrency=%d", c.size, c.concurrency), func(t *T) {
			const limit = 10
			held := newLatch()
			rec := newRecorder(c.size)
			cfg := config(c.size, func(batch []Item) error {
				held.wait()
				return rec.process(batch)
			})
			cfg.MaxQueueSize = limit
			cfg.Concurrency = c.concurrency
			b := start(t, newBatcher, cfg, held)
			blocked := fill(t, b, limit)
			if n := b.Len(); n != limit {
				t.Errorf("Len at the bound = %d, want %d", n, limit)
			}
			held.open()
			if err := receive(t, blocked, "the 11th Add"); err != nil {
				t.Fatalf("11th Add = %v after room was made, want nil", err)
			}
			mustJoin(t, b)
			rec.checkExactlyOnce(t, seq(0, limit+1))
			if n := b.Len(); n != 0 {
				t.Errorf("Len after draining = %d, want 0", n)
			}
		})
	}
}

// raise sets peak to v if v is higher.
func raise(peak *atomic.Int32, v int32) {
	for p := peak.Load(); v > p && !peak.CompareAndSwap(p, v); p = peak.Load() {
	}
}
