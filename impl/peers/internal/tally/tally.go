// Package tally is the bookkeeping a peer's adapter adds where its library
// keeps none: it counts the items added and processed, for Len, Stats and
// Join, and runs the Processor so that an error or a panic fails its batch
// only and reaches OnError before the batch counts as processed.
//
// Per item it costs one atomic add on Add's path and one per batch on the
// processor's; a Join that waits parks on a channel. What it cannot give is
// Join's exact meaning: it waits until as many items have been processed as
// had been added when it was called, which later items processed first can
// satisfy.
package tally

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/batchbench/batchbench/impl"
	"github.com/batchbench/batchbench/impl/internal/core"
)

// Tally counts one batcher's items and runs its Processor.
type Tally[T any] struct {
	added     atomic.Uint64
	processed atomic.Uint64
	batches   atomic.Uint64
	failed    atomic.Uint64

	process impl.Processor[T]
	onError func(error, []T)

	waiting atomic.Int32 // Joins parked in Wait
	mu      sync.Mutex
	waiters []waiter
}

type waiter struct {
	target uint64
	ready  chan struct{}
}

// New returns a Tally for cfg's Processor and OnError.
func New[T any](cfg impl.Config[T]) *Tally[T] {
	return &Tally[T]{process: cfg.Processor, onError: cfg.OnError}
}

// Admit counts an item. An adapter whose library blocks at its bound
// admits an item once the library has accepted it, before its Add returns
// (admitting it before would count an Add blocked at the bound); a
// Processor that runs before then sees Len one short. An adapter whose
// library hands items on before its Add returns, and has no bound,
// admits before handing the item over, and calls Refuse if the library
// refuses it.
func (t *Tally[T]) Admit() { t.added.Add(1) }

// Refuse takes back an Admit whose item the library refused.
func (t *Tally[T]) Refuse() { t.added.Add(^uint64(0)) }

// Mark is the number of items added so far: the count of processed items
// a Join called now waits for.
func (t *Tally[T]) Mark() uint64 { return t.added.Load() }

// Process runs the Processor on batch, hands a failure to OnError, counts
// the batch and its items, and wakes the Joins it satisfies. It never
// fails: a library that stops on an error (rill.ForEach) keeps going.
func (t *Tally[T]) Process(batch []T) {
	t.batches.Add(1)
	if err := core.Call(t.process, batch); err != nil {
		t.failed.Add(1)
		if t.onError != nil {
			t.onError(err, batch)
		}
	}
	done := t.processed.Add(uint64(len(batch)))
	if t.waiting.Load() > 0 {
		t.wake(done)
	}
}

func (t *Tally[T]) wake(done uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	kept := t.waiters[:0]
	for _, w := range t.waiters {
		if w.target <= done {
			close(w.ready)
			t.waiting.Add(-1)
		} else {
			kept = append(kept, w)
		}
	}
	clear(t.waiters[len(kept):])
	t.waiters = kept
}

// Wait blocks until target items have been processed, or returns
// impl.ErrTimeout once timeout has passed.
func (t *Tally[T]) Wait(target uint64, timeout time.Duration) error {
	if t.processed.Load() >= target {
		return nil
	}
	w := waiter{target, make(chan struct{})}
	t.mu.Lock()
	t.waiters = append(t.waiters, w)
	t.waiting.Add(1)
	t.mu.Unlock()
	// A batch that finished before the waiter was listed woke nobody.
	if done := t.processed.Load(); done >= target {
		t.wake(done)
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-w.ready:
		return nil
	case <-timer.C:
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for i := range t.waiters {
		if t.waiters[i].ready == w.ready {
			t.waiters = append(t.waiters[:i], t.waiters[i+1:]...)
			t.waiting.Add(-1)
			return impl.ErrTimeout
		}
	}
	return nil // woken while the timer fired
}

// Len is the number of items added and not yet processed.
func (t *Tally[T]) Len() int {
	return max(int(t.added.Load())-int(t.processed.Load()), 0)
}

// Stats returns the counters.
func (t *Tally[T]) Stats() impl.Stats {
	return impl.Stats{
		Added:     t.added.Load(),
		Processed: t.processed.Load(),
		Batches:   t.batches.Load(),
		Failed:    t.failed.Load(),
	}
}
