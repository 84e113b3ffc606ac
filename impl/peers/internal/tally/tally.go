// Package tally is the bookkeeping a peer's adapter adds where its library
// keeps none: it counts the items added and processed, for Len, Stats and
// Join, and runs the Processor so that an error or a panic fails its batch
// only and reaches OnError before the batch counts as processed.
//
// Per item it costs one atomic add on Add's path; per batch, a few atomic
// adds and the Join tracker's lock (core.Progress); a Join that waits
// parks on a channel. What it cannot give is Join's exact meaning, since
// it does not know which items a batch holds: a Join waits until the
// batches that started first hold as many items as had been added when it
// was called, which a batch of later items can make up.
package tally

import (
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
	progress  core.Progress // the batches in the order they started, for Join

	process impl.Processor[T]
	onError func(error, []T)
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

// Process runs the Processor on batch, hands a failure to OnError, counts
// the batch and its items, and wakes the Joins it satisfies. It never
// fails: a library that stops on an error (rill.ForEach) keeps going.
func (t *Tally[T]) Process(batch []T) {
	ticket := t.progress.Dispatch(len(batch))
	t.batches.Add(1)
	if err := core.Call(t.process, batch); err != nil {
		t.failed.Add(1)
		if t.onError != nil {
			t.onError(err, batch)
		}
	}
	t.processed.Add(uint64(len(batch)))
	t.progress.Finish(ticket)
}

// Join is impl.Batcher's Join for an adapter whose library flushes with
// flush: unless everything added is processed already, it flushes, then
// waits, parked, until the first as many items as were added when it was
// called, counted in the order their batches started, are processed; or
// returns impl.ErrTimeout once timeout has passed.
func (t *Tally[T]) Join(timeout time.Duration, flush func()) error {
	target := t.added.Load()
	if t.processed.Load() >= target {
		return nil
	}
	flush()
	return t.progress.Wait(target, timeout)
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
