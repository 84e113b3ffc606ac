package impltest

import (
	"strings"
	"sync/atomic"
	"time"

	"github.com/batchbench/batchbench/impl"
	"github.com/batchbench/batchbench/impl/registry"
)

// testCounting: Len counts items added and not yet processed, a batch inside
// the processor included; Stats counts Adds, processed items, processor
// calls and failed calls.
func testCounting(t *T, newBatcher registry.Factory) {
	held := newLatch()
	entered := make(chan struct{}, 1)
	b := start(t, newBatcher, config(5, func(batch []Item) error {
		signal(entered)
		held.wait()
		if batch[0] == 5 {
			return errPlanted
		}
		return nil
	}), held)
	if n := b.Len(); n != 0 {
		t.Errorf("Len of a new batcher = %d, want 0", n)
	}
	wantStats(t, b, impl.Stats{})

	add(t, b, seq(0, 5)...)
	receive(t, entered, "the first batch")
	if n := b.Len(); n != 5 {
		t.Errorf("Len with a batch of 5 inside the processor = %d, want 5", n)
	}
	if s := b.Stats(); s.Added != 5 || s.Processed != 0 || s.Failed != 0 {
		t.Errorf("Stats with a batch of 5 inside the processor = %+v, want Added 5, Processed 0, Failed 0", s)
	}
	add(t, b, seq(5, 3)...)
	if n := b.Len(); n != 8 {
		t.Errorf("Len with 5 items in the processor and 3 queued = %d, want 8", n)
	}

	held.open()
	mustJoin(t, b)
	if n := b.Len(); n != 0 {
		t.Errorf("Len after Join = %d, want 0", n)
	}
	// Two processor calls, [0..4] and [5 6 7] flushed by Join; the second fails.
	wantStats(t, b, impl.Stats{Added: 8, Processed: 8, Batches: 2, Failed: 1})
	closeWithin(t, b)
	wantStats(t, b, impl.Stats{Added: 8, Processed: 8, Batches: 2, Failed: 1})
}

// testOnErrorBeforeJoin: OnError runs before the failed batch counts as
// processed, so when Join returns every OnError call has finished, even
// slow ones on several workers.
func testOnErrorBeforeJoin(t *T, newBatcher registry.Factory) {
	var calls atomic.Int64
	cfg := config(1, func([]Item) error { return errPlanted })
	cfg.Concurrency = 4
	cfg.OnError = func(err error, batch []Item) {
		time.Sleep(2 * time.Millisecond)
		calls.Add(1)
	}
	b := start(t, newBatcher, cfg)
	for round := range 3 {
		add(t, b, seq(Item(round*40), 40)...)
		mustJoin(t, b)
		if n, want := calls.Load(), int64(40*(round+1)); n != want {
			t.Fatalf("after Join, %d OnError calls had finished, want %d", n, want)
		}
	}
	wantStats(t, b, impl.Stats{Added: 120, Processed: 120, Batches: 120, Failed: 120})
}

// testBadConfig: New rejects each invalid Config with an error that names
// the offending field, and never panics; valid edge cases are accepted.
func testBadConfig(t *T, newBatcher registry.Factory) {
	valid := func() impl.Config[Item] {
		return impl.Config[Item]{BatchSize: 10, BatchInterval: time.Millisecond, Processor: nop}
	}
	with := func(f func(*impl.Config[Item])) impl.Config[Item] {
		c := valid()
		f(&c)
		return c
	}
	bad := []struct {
		name, field string
		cfg         impl.Config[Item]
	}{
		{"BatchSize=0", "BatchSize", with(func(c *impl.Config[Item]) { c.BatchSize = 0 })},
		{"BatchSize<0", "BatchSize", with(func(c *impl.Config[Item]) { c.BatchSize = -1 })},
		{"BatchInterval=0", "BatchInterval", with(func(c *impl.Config[Item]) { c.BatchInterval = 0 })},
		{"BatchInterval<0", "BatchInterval", with(func(c *impl.Config[Item]) { c.BatchInterval = -time.Second })},
		{"NilProcessor", "Processor", with(func(c *impl.Config[Item]) { c.Processor = nil })},
		{"Concurrency<0", "Concurrency", with(func(c *impl.Config[Item]) { c.Concurrency = -1 })},
		{"MaxQueueSize<0", "MaxQueueSize", with(func(c *impl.Config[Item]) { c.MaxQueueSize = -1 })},
		{"MaxQueueSize<BatchSize", "MaxQueueSize", with(func(c *impl.Config[Item]) { c.MaxQueueSize = 9 })},
		{"Zero", "BatchSize", impl.Config[Item]{}},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *T) {
			b, err := newSafely(t, newBatcher, c.cfg)
			if b != nil {
				t.Errorf("New returned a batcher for an invalid config")
				closeWithin(t, b)
			}
			switch {
			case err == nil:
				t.Errorf("New = nil error, want one naming %s", c.field)
			case !strings.Contains(err.Error(), c.field):
				t.Errorf("New error %q does not name the offending field %s", err, c.field)
			}
		})
	}

	good := []struct {
		name string
		cfg  impl.Config[Item]
	}{
		{"MaxQueueSize=BatchSize", with(func(c *impl.Config[Item]) { c.MaxQueueSize = 10 })},
		{"Concurrency=0,MaxQueueSize=0", valid()},
		{"BatchSize=1", with(func(c *impl.Config[Item]) { c.BatchSize = 1 })},
		{"OddMaxQueueSize", with(func(c *impl.Config[Item]) { c.MaxQueueSize = 1001; c.Concurrency = 3 })},
	}
	for _, c := range good {
		t.Run(c.name, func(t *T) {
			b, err := newSafely(t, newBatcher, c.cfg)
			if err != nil {
				t.Fatalf("New rejected a valid config: %v", err)
			}
			add(t, b, 1, 2, 3)
			mustJoin(t, b)
			closeWithin(t, b)
		})
	}
}

// newSafely calls New, failing the test if it panics.
func newSafely(t *T, newBatcher registry.Factory, cfg impl.Config[Item]) (b impl.Batcher[Item], err error) {
	t.Helper()
	defer func() {
		if v := recover(); v != nil {
			t.Fatalf("New panicked: %v", v)
		}
	}()
	return newBatcher(cfg)
}
