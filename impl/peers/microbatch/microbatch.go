// Package microbatch adapts github.com/joeycumines/go-microbatch to
// impl.Batcher: Add is Submit, which hands each item to the library's
// goroutine and blocks while every one of MaxConcurrency (Concurrency)
// processor slots is busy; MaxSize is BatchSize and FlushInterval
// BatchInterval; Close is Shutdown, which processes everything submitted.
// Submit allocates a JobResult per item, which the adapter drops.
//
// What the adapter adds, and is measured with: the counters of package tally
// (an atomic add per Add; per batch a few, and a lock to track the batches
// for Join) for Len, Stats and Join; the Processor run through tally, which
// recovers panics (the library's do not); a closed flag; and a flush for
// Join, which the library has not: Join replaces the library's Batcher with
// a fresh one and shuts the old one down, which processes its partial batch.
// An Add that raced the swap and found the old Batcher stopped submits again
// to the new one. The old Batcher's last batches may run beside the new
// one's, so a semaphore of Concurrency slots around the Processor keeps the
// bound across them.
//
// The library has no queue bound of its own: what waits is at most a
// partial batch and the batches in the processor slots, whatever
// MaxQueueSize says.
package microbatch

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	microbatch "github.com/joeycumines/go-microbatch"

	"github.com/batchbench/batchbench/impl"
	"github.com/batchbench/batchbench/impl/peers/internal/tally"
)

// Batcher is a microbatch.Batcher replaced on each Join. It implements
// impl.Batcher.
type Batcher[T any] struct {
	tally   *tally.Tally[T]
	config  microbatch.BatcherConfig
	process microbatch.BatchProcessor[T]
	slots   chan struct{} // Concurrency processor calls at once, across Batchers

	cur      atomic.Pointer[microbatch.Batcher[T]]
	mu       sync.Mutex // serialises swaps and setting closed
	closed   atomic.Bool
	shutting sync.WaitGroup // shutdowns of replaced Batchers
}

// New returns a started Batcher, or an error if cfg is invalid.
func New[T any](cfg impl.Config[T]) (*Batcher[T], error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	b := &Batcher[T]{
		tally: tally.New(cfg),
		config: microbatch.BatcherConfig{
			MaxSize:        cfg.BatchSize,
			FlushInterval:  cfg.BatchInterval,
			MaxConcurrency: cfg.Workers(),
		},
		slots: make(chan struct{}, cfg.Workers()),
	}
	b.process = func(_ context.Context, batch []T) error {
		b.slots <- struct{}{}
		b.tally.Process(batch)
		<-b.slots
		return nil
	}
	b.cur.Store(microbatch.NewBatcher(&b.config, b.process))
	return b, nil
}

// Add implements impl.Batcher: Submit, again on the new Batcher if a Join
// replaced the one it found.
func (b *Batcher[T]) Add(item T) error {
	b.tally.Admit() // first: the library may process the item before Submit returns
	for {
		if b.closed.Load() {
			b.tally.Refuse()
			return impl.ErrClosed
		}
		if _, err := b.cur.Load().Submit(context.Background(), item); err == nil {
			return nil
		}
		// Stopped: a Join replaced it, or Close shut it down.
	}
}

// Len implements impl.Batcher.
func (b *Batcher[T]) Len() int { return b.tally.Len() }

// Join implements impl.Batcher: it shuts down the current Batcher, which
// processes its partial batch, in favour of a fresh one, and waits for the
// count of processed items.
func (b *Batcher[T]) Join(timeout time.Duration) error {
	return b.tally.Join(timeout, b.replace)
}

// replace shuts the current Batcher down in favour of a fresh one, unless
// closed.
func (b *Batcher[T]) replace() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.closed.Load() {
		old := b.cur.Swap(microbatch.NewBatcher(&b.config, b.process))
		b.shutting.Go(func() { _ = old.Shutdown(context.Background()) })
	}
}

// Close implements impl.Batcher: it sets the closed flag and shuts the
// current Batcher down, then waits for the ones Joins replaced.
func (b *Batcher[T]) Close() error {
	b.mu.Lock()
	b.closed.Store(true) // from here on, no Join replaces cur
	b.mu.Unlock()
	err := b.cur.Load().Shutdown(context.Background())
	b.shutting.Wait()
	return err
}

// Stats implements impl.Batcher.
func (b *Batcher[T]) Stats() impl.Stats { return b.tally.Stats() }
