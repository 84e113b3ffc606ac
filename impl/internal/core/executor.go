package core

import (
	"fmt"
	"runtime/debug"
	"sync/atomic"

	"github.com/batchbench/batchbench/impl"
)

// Executor runs a Config's Processor on batches and does the bookkeeping every
// implementation owes the contract: it recovers panics, reports failures to
// OnError, counts batches, releases the items from the Admission and marks them
// finished in the Progress, in that order, so that a Join that returns has
// seen every OnError call.
type Executor[T any] struct {
	Admission *Admission
	Progress  Progress

	process impl.Processor[T]
	onError func(error, []T)
	batches atomic.Uint64
	failed  atomic.Uint64
}

// NewExecutor returns an Executor for cfg with a Admission sized by
// cfg.QueueLimit().
func NewExecutor[T any](cfg impl.Config[T]) *Executor[T] {
	return &Executor[T]{
		Admission: NewAdmission(cfg.QueueLimit()),
		process:   cfg.Processor,
		onError:   cfg.OnError,
	}
}

// Process runs the Processor on a batch that Progress.Dispatch ticketed.
func (e *Executor[T]) Process(batch []T, t Ticket) {
	e.batches.Add(1)
	if err := e.call(batch); err != nil {
		e.failed.Add(1)
		if e.onError != nil {
			e.onError(err, batch)
		}
	}
	e.Admission.Release(len(batch))
	e.Progress.Finish(t)
}

func (e *Executor[T]) call(batch []T) error { return Call(e.process, batch) }

// Call runs process on batch and returns its error, wrapped, or its panic
// as an *impl.PanicError: what every Executor, and every adapter of a
// library that does not recover its processor's panics, hands to OnError.
func Call[T any](process impl.Processor[T], batch []T) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &impl.PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	if err := process(batch); err != nil {
		return fmt.Errorf("batcher: processor failed on a batch of %d: %w", len(batch), err)
	}
	return nil
}

// Stats reports the contract's counters.
func (e *Executor[T]) Stats() impl.Stats {
	return impl.Stats{
		Added:     e.Admission.Added(),
		Processed: e.Admission.Released(),
		Batches:   e.batches.Load(),
		Failed:    e.failed.Load(),
	}
}

// Len is the contract's Len: items admitted and not yet processed.
func (e *Executor[T]) Len() int { return e.Admission.Pending() }
