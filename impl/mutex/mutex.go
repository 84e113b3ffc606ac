// Package mutex implements the simplest correct batcher, the baseline every
// clever design must beat: producers append to a slice under a sync.Mutex,
// and a full slice is swapped out whole and handed to one consumer
// goroutine, which runs the Processor (through the workers when
// Concurrency > 1). A timer flushes a partial batch BatchInterval after its
// first item; Join and Close swap the partial batch out themselves.
//
// Everything a producer does happens under the one lock, so the lock is all
// the synchronisation an item pays for: items are counted there (not by the
// shared Admission's compare-and-swap), their order in the slice is their
// admission order, and batches leave in that order without further
// bookkeeping. Batch buffers are reused: one is allocated only when every
// buffer is in flight, and as many are kept as a full queue of full
// batches and the workers hold, so a steady run allocates none.
package mutex

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/batchbench/batchbench/impl/plant"

	"github.com/batchbench/batchbench/impl"
	"github.com/batchbench/batchbench/impl/internal/core"
)

// Batcher is a mutex-guarded slice batcher. It implements impl.Batcher.
type Batcher[T any] struct {
	exec     *core.Executor[T] // runs batches; its Admission counts the processed items
	released *atomic.Uint64    // the Admission's count, read on Add's path without a call
	workers  *core.Workers[T]
	size     int
	interval time.Duration
	limit    uint64
	timer    *time.Timer // armed by the first item of a batch, read by the consumer

	mu      sync.Mutex
	room    sync.Cond // Adds waiting at the bound, on mu
	waiting int       // how many
	added   uint64    // items appended
	closed  bool
	batch   *[]T      // the batch being filled
	firstAt time.Time // when its first item arrived
	ready   []*[]T    // swapped-out batches, in admission order, not yet dispatched
	readyN  int       // items in ready
	free    []*[]T    // batch buffers not in use, at most keep
	keep    int

	signal chan struct{} // a batch is ready; capacity 1: a pending signal is never lost
	done   chan struct{} // closed when the consumer and workers have exited
}

// New returns a started mutex Batcher, or an error if cfg is invalid.
func New[T any](cfg impl.Config[T]) (*Batcher[T], error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	b := &Batcher[T]{
		size:     cfg.BatchSize,
		interval: cfg.BatchInterval,
		limit:    uint64(cfg.QueueLimit()),
		keep:     cfg.QueueLimit()/cfg.BatchSize + cfg.Workers() + 2,
		timer:    time.NewTimer(time.Hour),
		signal:   make(chan struct{}, 1),
		done:     make(chan struct{}),
	}
	b.timer.Stop()
	b.room.L = &b.mu
	b.exec = core.NewExecutor(cfg)
	b.released = b.exec.Admission.ReleasedCount()
	b.workers = core.NewWorkers(b.exec, cfg.Workers(), b.recycle)
	b.batch = b.buffer()
	go b.consume()
	return b, nil
}

// buffer returns an empty batch buffer, reused when one is free. b.mu must
// be held, except by New.
func (b *Batcher[T]) buffer() *[]T {
	if n := len(b.free); n > 0 {
		buf := b.free[n-1]
		b.free[n-1], b.free = nil, b.free[:n-1]
		*buf = (*buf)[:0]
		return buf
	}
	buf := make([]T, 0, b.size)
	return &buf
}

// recycle takes back a processed batch's buffer and wakes the Adds
// waiting for the room its items leave.
func (b *Batcher[T]) recycle(buf *[]T) {
	b.mu.Lock()
	if len(b.free) < b.keep { // more come only from partial batches
		b.free = append(b.free, buf)
	}
	if b.waiting > 0 {
		b.room.Broadcast()
	}
	b.mu.Unlock()
}

// plantPoint is the slowdown a build with the plant tag may carry here,
// for the merge gate's calibration (see package plant); nil otherwise.
// (Not "planted": the end-to-end tests plant a function of that name.)
var plantPoint = plant.For("mutex")

// Add implements impl.Batcher.
func (b *Batcher[T]) Add(item T) error {
	if plant.On && plantPoint != nil {
		if plantPoint.Calls++; plantPoint.Calls >= plantPoint.Every {
			plantPoint.Stall()
		}
	}
	b.mu.Lock()
	for !b.closed && b.added-b.released.Load() >= b.limit {
		b.waiting++
		b.room.Wait()
		b.waiting--
	}
	if b.closed {
		b.mu.Unlock()
		return impl.ErrClosed
	}
	b.added++
	if len(*b.batch) == 0 {
		b.firstAt = time.Now()
		b.timer.Reset(b.interval)
	}
	*b.batch = append(*b.batch, item)
	if len(*b.batch) == b.size {
		b.swap()
	}
	b.mu.Unlock()
	return nil
}

// swap moves the batch being filled to ready and signals the consumer.
// b.mu must be held and the batch must not be empty.
func (b *Batcher[T]) swap() {
	b.ready = append(b.ready, b.batch)
	b.readyN += len(*b.batch)
	b.batch = b.buffer()
	b.timer.Stop()
	select {
	case b.signal <- struct{}{}:
	default:
	}
}

// consume dispatches ready batches in order, and swaps out a partial batch
// whose interval has passed.
func (b *Batcher[T]) consume() {
	defer close(b.done)
	defer b.workers.Stop()
	var dispatched uint64
	var batches []*[]T
	for {
		b.mu.Lock()
		if len(*b.batch) > 0 && time.Since(b.firstAt) >= b.interval {
			b.swap()
		}
		batches, b.ready = b.ready, batches[:0]
		dispatched += uint64(b.readyN)
		b.readyN = 0
		added, closed := b.added, b.closed
		b.mu.Unlock()

		for i, buf := range batches {
			b.workers.Run(buf)
			batches[i] = nil
		}
		if closed && dispatched == added {
			return
		}
		select {
		case <-b.signal:
		case <-b.timer.C:
		}
	}
}

// Len implements impl.Batcher.
func (b *Batcher[T]) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return int(b.added - b.released.Load())
}

// Stats implements impl.Batcher.
func (b *Batcher[T]) Stats() impl.Stats {
	s := b.exec.Stats()
	b.mu.Lock()
	s.Added = b.added
	b.mu.Unlock()
	return s
}

// Join implements impl.Batcher: it swaps out the partial batch itself, so
// items added later go to the next batch, and waits for everything added
// before it.
func (b *Batcher[T]) Join(timeout time.Duration) error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	target := b.added
	if len(*b.batch) > 0 {
		b.swap()
	}
	b.mu.Unlock()
	return b.exec.Progress.Wait(target, timeout)
}

// Close implements impl.Batcher.
func (b *Batcher[T]) Close() error {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		if len(*b.batch) > 0 {
			b.swap()
		}
		b.room.Broadcast()
		select {
		case b.signal <- struct{}{}:
		default:
		}
	}
	b.mu.Unlock()
	<-b.done
	return nil
}
