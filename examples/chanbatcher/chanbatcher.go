// Package chanbatcher is a user's own batcher, measured with batchbench
// from a module of its own: a buffered channel of MaxQueueSize items, one
// goroutine that cuts batches by size, timer, Join and Close, and
// Concurrency workers that run the Processor.
//
// It is small on purpose, and breaks the clauses of batchbench's contract
// that check the queue bound (declared in chanbatcher_test.go): its bound
// is the channel's, so the items in the partial batch and in the Processor
// do not count.
package chanbatcher

import (
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/batchbench/batchbench/impl"
)

// Batcher implements impl.Batcher.
type Batcher[T any] struct {
	cfg     impl.Config[T]
	items   chan T
	flushes chan struct{} // a Join asks for the partial batch
	work    chan []T
	stop    chan struct{}
	done    sync.WaitGroup

	mu     sync.RWMutex // Add read-locks it: no send after Close
	closed bool

	added, processed, batches, failed atomic.Uint64
	progress                          chan struct{} // closed and replaced after each batch; under pmu
	pmu                               sync.Mutex
}

// New returns a started Batcher, or an error if cfg is invalid.
func New[T any](cfg impl.Config[T]) (*Batcher[T], error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	b := &Batcher[T]{
		cfg:      cfg,
		items:    make(chan T, cfg.QueueLimit()),
		flushes:  make(chan struct{}, 1),
		work:     make(chan []T),
		stop:     make(chan struct{}),
		progress: make(chan struct{}),
	}
	var workers sync.WaitGroup
	for range cfg.Workers() {
		workers.Go(func() {
			for batch := range b.work {
				b.process(batch)
			}
		})
	}
	b.done.Go(func() {
		b.cut()
		close(b.work)
		workers.Wait()
	})
	return b, nil
}

// cut collects items into batches and hands them to the workers.
func (b *Batcher[T]) cut() {
	var batch []T
	var timer <-chan time.Time
	send := func() {
		if len(batch) > 0 {
			b.work <- batch
			batch, timer = nil, nil
		}
	}
	take := func(item T) {
		batch = append(batch, item)
		if len(batch) == 1 {
			timer = time.After(b.cfg.BatchInterval)
		}
		if len(batch) == b.cfg.BatchSize {
			send()
		}
	}
	for {
		select {
		case item := <-b.items:
			take(item)
		case <-timer:
			send()
		case <-b.flushes:
			for range len(b.items) { // what was added before the Join
				take(<-b.items)
			}
			send()
		case <-b.stop:
			for {
				select {
				case item := <-b.items:
					take(item)
				default:
					send()
					return
				}
			}
		}
	}
}

func (b *Batcher[T]) process(batch []T) {
	b.batches.Add(1)
	if err := b.call(batch); err != nil {
		b.failed.Add(1)
		if b.cfg.OnError != nil {
			b.cfg.OnError(err, batch)
		}
	}
	b.processed.Add(uint64(len(batch)))
	b.pmu.Lock()
	close(b.progress)
	b.progress = make(chan struct{})
	b.pmu.Unlock()
}

func (b *Batcher[T]) call(batch []T) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &impl.PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	if err := b.cfg.Processor(batch); err != nil {
		return fmt.Errorf("chanbatcher: batch of %d: %w", len(batch), err)
	}
	return nil
}

// Add implements impl.Batcher.
func (b *Batcher[T]) Add(item T) error {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		return impl.ErrClosed
	}
	b.items <- item
	b.added.Add(1)
	return nil
}

// Len implements impl.Batcher.
func (b *Batcher[T]) Len() int {
	return max(int(b.added.Load())-int(b.processed.Load()), 0)
}

// Join implements impl.Batcher.
func (b *Batcher[T]) Join(timeout time.Duration) error {
	target := b.added.Load()
	select {
	case b.flushes <- struct{}{}:
	default: // a flush is pending already
	}
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		b.pmu.Lock()
		progress := b.progress
		b.pmu.Unlock()
		if b.processed.Load() >= target {
			return nil
		}
		select {
		case <-progress:
		case <-deadline.C:
			return impl.ErrTimeout
		}
	}
}

// Close implements impl.Batcher.
func (b *Batcher[T]) Close() error {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.stop)
	}
	b.mu.Unlock()
	b.done.Wait()
	return nil
}

// Stats implements impl.Batcher.
func (b *Batcher[T]) Stats() impl.Stats {
	return impl.Stats{Added: b.added.Load(), Processed: b.processed.Load(), Batches: b.batches.Load(), Failed: b.failed.Load()}
}
