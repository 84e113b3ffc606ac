// Package mutex implements the simplest correct batcher, the baseline every
// clever design must beat: producers append to a slice under a sync.Mutex,
// and a full slice is swapped out whole and handed to one consumer
// goroutine, which runs the Processor (through the workers when
// Concurrency > 1). A timer flushes a partial batch BatchInterval after its
// first item.
//
// Items are admitted under the same mutex, so their positions are the order
// of the slice and batches leave in admission order without any further
// bookkeeping. Batch buffers are reused; one is allocated only when every
// buffer is in flight.
package mutex

import (
	"sync"
	"time"

	"github.com/batchbench/batchbench/impl"
	"github.com/batchbench/batchbench/impl/internal/core"
)

// Batcher is a mutex-guarded slice batcher. It implements impl.Batcher.
type Batcher[T any] struct {
	exec     *core.Executor[T]
	workers  *core.Workers[T]
	flush    *core.Flush
	size     int
	interval time.Duration
	timer    *time.Timer // armed by the first item of a batch, read by the consumer

	mu      sync.Mutex
	batch   *[]T      // the batch being filled
	start   uint64    // the position of its first item
	firstAt time.Time // when its first item arrived
	ready   []*[]T    // swapped-out batches, in admission order, not yet dispatched
	readyN  int       // items in ready

	signal chan struct{} // a batch is ready; capacity 1: a pending signal is never lost
	free   chan *[]T     // batch buffers not in use
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
		flush:    core.NewFlush(),
		timer:    time.NewTimer(time.Hour),
		signal:   make(chan struct{}, 1),
		free:     make(chan *[]T, cfg.Workers()+2),
		done:     make(chan struct{}),
	}
	b.timer.Stop()
	b.exec = core.NewExecutor(cfg)
	b.workers = core.NewWorkers(b.exec, cfg.Workers(), b.recycle)
	b.batch = b.buffer()
	go b.consume()
	return b, nil
}

// buffer returns an empty batch buffer, reused when one is free.
func (b *Batcher[T]) buffer() *[]T {
	select {
	case buf := <-b.free:
		*buf = (*buf)[:0]
		return buf
	default:
		buf := make([]T, 0, b.size)
		return &buf
	}
}

func (b *Batcher[T]) recycle(buf *[]T) {
	select {
	case b.free <- buf:
	default: // enough spares; let it go
	}
}

// Add implements impl.Batcher.
func (b *Batcher[T]) Add(item T) error {
	b.mu.Lock()
	pos, err := b.exec.Gate.TryAcquire()
	for err != nil {
		b.mu.Unlock()
		if err != core.ErrFull {
			return err
		}
		b.exec.Gate.AwaitRoom()
		b.mu.Lock()
		pos, err = b.exec.Gate.TryAcquire()
	}
	if len(*b.batch) > 0 && b.start < b.flush.Mark() && pos >= b.flush.Mark() {
		b.swap() // a Join's batch ends at its mark: this item waits for the next
	}
	if len(*b.batch) == 0 {
		b.start, b.firstAt = pos, time.Now()
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
// when its interval has passed or a Join or Close asks for it.
func (b *Batcher[T]) consume() {
	defer close(b.done)
	defer b.workers.Stop()
	var dispatched uint64
	var batches []*[]T
	for {
		b.mu.Lock()
		if len(*b.batch) > 0 && (b.start < b.flush.Mark() || time.Since(b.firstAt) >= b.interval) {
			b.swap()
		}
		batches, b.ready = b.ready, batches[:0]
		dispatched += uint64(b.readyN)
		b.readyN = 0
		added, closed := b.exec.Gate.State()
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
		case <-b.flush.Wake():
		}
	}
}

// Len implements impl.Batcher.
func (b *Batcher[T]) Len() int { return b.exec.Len() }

// Stats implements impl.Batcher.
func (b *Batcher[T]) Stats() impl.Stats { return b.exec.Stats() }

// Join implements impl.Batcher.
func (b *Batcher[T]) Join(timeout time.Duration) error { return b.exec.Join(b.flush, timeout) }

// Close implements impl.Batcher.
func (b *Batcher[T]) Close() error {
	b.exec.Shut(b.flush)
	<-b.done
	return nil
}
