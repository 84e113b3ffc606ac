package core

import (
	"math"
	"sync/atomic"
	"time"
)

// Flush carries Join's and Close's requests to an implementation's consumer
// goroutine: a mark, raised and never lowered, asking it to flush every
// partial batch that holds a position below the mark, and a wake-up.
type Flush struct {
	mark atomic.Uint64
	wake chan struct{} // capacity 1: a pending request is never lost
}

// NewFlush returns a Flush with no request.
func NewFlush() *Flush { return &Flush{wake: make(chan struct{}, 1)} }

// Request raises the mark to at least to and wakes the consumer.
func (f *Flush) Request(to uint64) {
	for {
		m := f.mark.Load()
		if m >= to || f.mark.CompareAndSwap(m, to) {
			break
		}
	}
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// Mark is the highest position requested.
func (f *Flush) Mark() uint64 { return f.mark.Load() }

// Wake delivers a value after each Request the consumer has not yet seen.
func (f *Flush) Wake() <-chan struct{} { return f.wake }

// Join is the contract's Join for an implementation whose consumer honours
// f: it flushes what was added before the call and waits for it.
func (e *Executor[T]) Join(f *Flush, timeout time.Duration) error {
	added, closed := e.Admission.State()
	if closed {
		return nil
	}
	f.Request(added)
	return e.Progress.Wait(added, timeout)
}

// Shut closes the Admission and, the first time, asks the consumer to flush
// everything, so it can drain and exit.
func (e *Executor[T]) Shut(f *Flush) {
	if e.Admission.Close() {
		f.Request(math.MaxUint64)
	}
}
