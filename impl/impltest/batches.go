package impltest

import (
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/batchbench/batchbench/impl"
	"github.com/batchbench/batchbench/impl/registry"
)

// testBatches: every item reaches the processor exactly once, in batches of
// 1..BatchSize items, with several producers, several workers and a short
// interval so that full, timed and joined batches all occur.
func testBatches(t *T, newBatcher registry.Factory) {
	const producers, perProducer, size = 4, 500, 7
	rec := newRecorder(size)
	cfg := impl.Config[Item]{
		BatchSize:     size,
		BatchInterval: 200 * time.Microsecond,
		Concurrency:   3,
		Processor:     rec.process,
	}
	b := start(t, newBatcher, cfg)
	var wg sync.WaitGroup
	for p := range producers {
		wg.Go(func() {
			for _, id := range seq(Item(p*perProducer), perProducer) {
				if err := b.Add(id); err != nil {
					t.Errorf("Add(%d) = %v", id, err)
					return
				}
				if id%97 == 0 {
					if err := b.Join(waitLimit); err != nil { // a flush mid-stream
						t.Errorf("Join = %v", err)
					}
				}
			}
		})
	}
	within(t, waitLimit, "producers", wg.Wait)
	mustJoin(t, b)
	rec.checkExactlyOnce(t, seq(0, producers*perProducer))
	s := b.Stats()
	if s.Added != producers*perProducer || s.Processed != s.Added || s.Batches != uint64(len(rec.snapshot())) {
		t.Errorf("Stats = %+v; want Added = Processed = %d, Batches = %d processor calls",
			s, producers*perProducer, len(rec.snapshot()))
	}
}

// testOrder: with Concurrency 1 and one producer, items arrive in Add order;
// 1000 items at size 100 are exactly 10 full batches. A second batcher with a
// short interval and Joins checks order across partial batches too.
func testOrder(t *T, newBatcher registry.Factory) {
	t.Run("FullBatches", func(t *T) {
		rec := newRecorder(100)
		b := start(t, newBatcher, config(100, rec.process))
		add(t, b, seq(0, 1000)...)
		mustJoin(t, b)
		batches := rec.snapshot()
		if len(batches) != 10 {
			t.Errorf("got %d batches, want 10", len(batches))
		}
		for i, batch := range batches {
			if len(batch) != 100 {
				t.Errorf("batch %d has %d items, want 100", i, len(batch))
			}
		}
		if got := rec.items(); !slices.Equal(got, seq(0, 1000)) {
			t.Errorf("items out of Add order or missing: got %d items, first difference at %d", len(got), firstDiff(got, seq(0, 1000)))
		}
	})
	t.Run("PartialBatches", func(t *T) {
		rec := newRecorder(10)
		cfg := impl.Config[Item]{BatchSize: 10, BatchInterval: 100 * time.Microsecond, Processor: rec.process}
		b := start(t, newBatcher, cfg)
		for _, id := range seq(0, 500) {
			add(t, b, id)
			if id%37 == 0 {
				mustJoin(t, b)
			}
		}
		mustJoin(t, b)
		rec.checkExactlyOnce(t, seq(0, 500))
		if got := rec.items(); !slices.Equal(got, seq(0, 500)) {
			t.Errorf("items out of Add order: first difference at %d", firstDiff(got, seq(0, 500)))
		}
	})
}

func firstDiff(a, b []Item) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// stamped is a batch and the time the processor got it.
type stamped struct {
	batch []Item
	at    time.Time
}

// stamper is a Processor that sends each batch, timestamped, to a channel.
func stamper() (impl.Processor[Item], <-chan stamped) {
	ch := make(chan stamped, 64)
	return func(batch []Item) error {
		ch <- stamped{slices.Clone(batch), time.Now()}
		return nil
	}, ch
}

// testTimer: five items at size 100 and interval 20ms arrive as one batch of
// five, no sooner than 20ms after the first Add and not much later.
func testTimer(t *T, newBatcher registry.Factory) {
	// Five Adds take microseconds; should the machine stall them for half
	// an interval, the batch may legitimately split, so try again.
	for attempt := 1; ; attempt++ {
		if timerOnce(t, newBatcher, 20*time.Millisecond) {
			return
		}
		if attempt == 3 {
			t.Skip("the machine was too slow to add 5 items within 10ms in 3 attempts")
		}
	}
}

func timerOnce(t *T, newBatcher registry.Factory, interval time.Duration) (conclusive bool) {
	process, calls := stamper()
	b := start(t, newBatcher, impl.Config[Item]{BatchSize: 100, BatchInterval: interval, Processor: process})
	t0 := time.Now()
	add(t, b, seq(0, 5)...)
	if time.Since(t0) > interval/2 {
		return false
	}
	c := receive(t, calls, "the timed batch")
	if !slices.Equal(c.batch, seq(0, 5)) {
		t.Errorf("timed batch = %v, want %v", c.batch, seq(0, 5))
	}
	if d := c.at.Sub(t0); d < interval || d > interval+timerSlack {
		t.Errorf("batch flushed %v after the first Add, want about %v", d, interval)
	}
	select {
	case c := <-calls:
		t.Errorf("unexpected second batch %v", c.batch)
	case <-time.After(3 * interval):
	}
	return true
}

// testTimerStartsAtFirstItem: a batch never flushes sooner than the interval
// after its first item, whenever that item comes. A free-running ticker
// started by New would flush the first item half an interval after its Add.
func testTimerStartsAtFirstItem(t *T, newBatcher registry.Factory) {
	const interval = 60 * time.Millisecond
	process, calls := stamper()
	b := start(t, newBatcher, impl.Config[Item]{BatchSize: 100, BatchInterval: interval, Processor: process})
	time.Sleep(interval * 3 / 2)
	for id := range Item(3) {
		t0 := time.Now()
		add(t, b, id)
		c := receive(t, calls, "the timed batch")
		if !slices.Equal(c.batch, []Item{id}) {
			t.Errorf("batch = %v, want [%d]", c.batch, id)
		}
		if d := c.at.Sub(t0); d < interval {
			t.Errorf("batch flushed %v after its first item, before the %v interval: the timer does not start at the first item", d, interval)
		}
		time.Sleep(interval / 3)
	}
}

// testIdleNeverProcesses: without items, neither the interval, nor Join, nor
// Close calls the processor.
func testIdleNeverProcesses(t *T, newBatcher registry.Factory) {
	process, calls := stamper()
	b, err := newBatcher(impl.Config[Item]{BatchSize: 10, BatchInterval: 5 * time.Millisecond, Processor: process})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	if err := join(t, b, time.Second); err != nil {
		t.Errorf("Join on an empty batcher = %v, want nil", err)
	}
	closeWithin(t, b)
	select {
	case c := <-calls:
		t.Errorf("idle batcher called the processor with %v", c.batch)
	default:
	}
	wantStats(t, b, impl.Stats{})
}

// testTimerWhileBusy: the interval counts from the arrival of a batch's first
// item even while the processor is busy, so a partial batch that became
// overdue meanwhile is flushed as soon as the processor frees up, not a
// whole interval later.
func testTimerWhileBusy(t *T, newBatcher registry.Factory) {
	const interval = 300 * time.Millisecond
	held := newLatch()
	entered := make(chan struct{}, 1)
	process, calls := stamper()
	b := start(t, newBatcher, impl.Config[Item]{BatchSize: 100, BatchInterval: interval, Processor: func(batch []Item) error {
		if batch[0] == 0 {
			signal(entered)
			held.wait()
		}
		return process(batch)
	}}, held)
	add(t, b, 0)
	if err := join(t, b, time.Millisecond); !errors.Is(err, impl.ErrTimeout) {
		t.Errorf("Join with a held processor = %v, want ErrTimeout", err)
	}
	receive(t, entered, "the first batch")
	t0 := time.Now()
	add(t, b, 1)
	time.Sleep(interval * 5 / 4) // item 1 is overdue now
	freed := time.Now()
	held.open()
	receive(t, calls, "the first batch")
	c := receive(t, calls, "the overdue batch")
	if d := c.at.Sub(freed); d > interval/2 {
		t.Errorf("item 1 flushed %v after its Add and %v after the processor freed up, want at once: the interval restarted when the batcher got to the item instead of counting from its arrival",
			c.at.Sub(t0), d)
	}
}
