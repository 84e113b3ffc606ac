// Package rill adapts github.com/destel/rill the way its users compose a
// batcher by hand, the seed design without its unbounded chann: Add sends
// into a buffered channel of MaxQueueSize items, rill.Batch(BatchSize,
// BatchInterval) groups them, and rill.ForEach runs the Processor on
// Concurrency goroutines. Each batch is a fresh slice.
//
// What the adapter adds, and is measured with: the counters of package tally
// (an atomic add per Add; per batch a few, and a lock to track the batches
// for Join) for Len, Stats and Join; the Processor run through tally, which
// recovers panics and never returns an error (ForEach stops at the first); a
// closed flag under a sync.RWMutex that every Add read-locks, since a send
// on a closed channel panics; and a flush for Join, which rill.Batch has not
// (it flushes on its timer or when its input closes): Join closes the
// current input channel and starts a new channel and Batch, a generation,
// and one goroutine forwards the generations' batches to ForEach in order. A
// generation's channel holds MaxQueueSize items, so a Join allocates one.
//
// The bound is the channel's: items inside rill.Batch and the Processor do
// not count, so Len can exceed MaxQueueSize by them.
package rill

import (
	"sync"
	"time"

	"github.com/destel/rill"

	"github.com/batchbench/batchbench/impl"
	"github.com/batchbench/batchbench/impl/peers/internal/tally"
)

// Batcher is a channel, rill.Batch and rill.ForEach, with a new channel
// and Batch per Join. It implements impl.Batcher.
type Batcher[T any] struct {
	tally    *tally.Tally[T]
	size     int
	interval time.Duration
	capacity int

	mu     sync.RWMutex // read-locked by Add; locked to end a generation
	closed bool
	cur    *generation[T]

	done chan struct{} // closed when ForEach has returned
}

// generation is one input channel and the batches rill.Batch makes of it.
type generation[T any] struct {
	in      chan rill.Try[T]
	batches <-chan rill.Try[[]T]
	next    chan *generation[T] // receives the following one, or nil at Close
}

// New returns a started Batcher, or an error if cfg is invalid.
func New[T any](cfg impl.Config[T]) (*Batcher[T], error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	b := &Batcher[T]{
		tally:    tally.New(cfg),
		size:     cfg.BatchSize,
		interval: cfg.BatchInterval,
		capacity: cfg.QueueLimit(),
		done:     make(chan struct{}),
	}
	b.cur = b.generation()
	batches := make(chan rill.Try[[]T])
	go forward(b.cur, batches)
	go func() {
		defer close(b.done)
		_ = rill.ForEach(batches, cfg.Workers(), func(batch []T) error {
			b.tally.Process(batch)
			return nil
		})
	}()
	return b, nil
}

func (b *Batcher[T]) generation() *generation[T] {
	in := make(chan rill.Try[T], b.capacity)
	return &generation[T]{in: in, batches: rill.Batch(in, b.size, b.interval), next: make(chan *generation[T], 1)}
}

// forward sends the batches of each generation in turn to out.
func forward[T any](g *generation[T], out chan<- rill.Try[[]T]) {
	defer close(out)
	for g != nil {
		for batch := range g.batches {
			out <- batch
		}
		g = <-g.next
	}
}

// Add implements impl.Batcher: a send on the current generation's channel,
// which blocks while it is full.
func (b *Batcher[T]) Add(item T) error {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		return impl.ErrClosed
	}
	b.cur.in <- rill.Try[T]{Value: item}
	b.tally.Admit()
	return nil
}

// Len implements impl.Batcher.
func (b *Batcher[T]) Len() int { return b.tally.Len() }

// Join implements impl.Batcher: it ends the current generation, whose
// rill.Batch then flushes its partial batch, and waits for the count of
// processed items.
func (b *Batcher[T]) Join(timeout time.Duration) error {
	return b.tally.Join(timeout, func() { b.end(false) })
}

// end closes the current generation's channel, and starts the next one
// unless closing.
func (b *Batcher[T]) end(closing bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	var next *generation[T]
	if closing {
		b.closed = true
	} else {
		next = b.generation()
	}
	close(b.cur.in)
	b.cur.next <- next
	b.cur = next
}

// Close implements impl.Batcher: it ends the last generation and waits for
// ForEach to process it.
func (b *Batcher[T]) Close() error {
	b.end(true)
	<-b.done
	return nil
}

// Stats implements impl.Batcher.
func (b *Batcher[T]) Stats() impl.Stats { return b.tally.Stats() }
