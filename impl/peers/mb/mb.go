// Package mb adapts github.com/cheggaaa/mb/v3, a bounded multi-buffer, to
// impl.Batcher: Add is mb's Add, which blocks while the buffer is full and
// returns mb.ErrClosed after Close; one goroutine, the fetcher, takes
// batches with NewCond().WithMin(BatchSize).WithMax(BatchSize).Wait, where
// mb's time limit on the context (CtxWithTimeLimit, BatchInterval) lowers
// the minimum to one item when it runs out, and hands each to one of
// Concurrency workers. Only one goroutine Waits because mb v3.0.2 deadlocks
// when several Waits end by time limit or cancellation at once.
//
// What the adapter adds, and is measured with: the counters of package tally
// (an atomic add per Add; per batch a few, and a lock to track the batches
// for Join) for Len, Stats and Join; the Processor run through tally, which
// recovers panics; the hand-off from the fetcher to a worker, an unbuffered
// channel; and a flush for Join, which mb has not: Join cancels the context
// the fetcher waits with, and the fetcher, finding it cancelled, takes
// whatever is buffered, BatchSize items at a time, and waits with a fresh
// one. Close is mb's Close, after which the fetcher takes what is left,
// BatchSize items at a time.
//
// mb's bound counts the items in its buffer only: the batches the fetcher
// and the workers hold do not count, so Len can exceed MaxQueueSize by
// them. Its time limit counts from each Wait, not from a batch's first
// item.
package mb

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/cheggaaa/mb/v3"

	"github.com/batchbench/batchbench/impl"
	"github.com/batchbench/batchbench/impl/peers/internal/tally"
)

// Batcher is an mb.MB with a fetcher and workers. It implements
// impl.Batcher.
type Batcher[T any] struct {
	q        *mb.MB[T]
	tally    *tally.Tally[T]
	size     int
	interval time.Duration

	mu      sync.Mutex
	flushed context.Context // cancelled by a Join: the fetcher takes what is buffered
	flush   context.CancelFunc

	batches chan []T       // from the fetcher to the workers
	done    sync.WaitGroup // the fetcher and the workers
}

// New returns a started Batcher, or an error if cfg is invalid.
func New[T any](cfg impl.Config[T]) (*Batcher[T], error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	b := &Batcher[T]{
		q:        mb.New[T](cfg.QueueLimit()),
		tally:    tally.New(cfg),
		size:     cfg.BatchSize,
		interval: cfg.BatchInterval,
	}
	b.flushed, b.flush = context.WithCancel(context.Background())
	b.batches = make(chan []T)
	b.done.Go(b.fetch)
	for range cfg.Workers() {
		b.done.Go(b.work)
	}
	return b, nil
}

// fetch is the only goroutine that Waits on q. It takes full batches, or
// what the time limit leaves, until Close; after a Join, everything
// buffered; after Close, what is left, and then it closes b.batches. Each
// hand-off blocks until a worker is free.
func (b *Batcher[T]) fetch() {
	defer close(b.batches)
	full := b.q.NewCond().WithMin(b.size).WithMax(b.size)
	some := b.q.NewCond().WithMax(b.size)
	for {
		ctx := b.flushContext()
		batch, err := full.Wait(mb.CtxWithTimeLimit(ctx, b.interval))
		switch {
		case errors.Is(err, context.Canceled):
			// No other goroutine Waits, so Len > 0 means this Wait returns
			// at once.
			ctx = b.renew()
			for b.q.Len() > 0 {
				if batch, err = some.Wait(ctx); err != nil {
					break
				}
				b.batches <- batch
			}
		case err != nil: // mb.ErrClosed
			for {
				if batch, err = some.Wait(context.Background()); err != nil {
					return // mb.ErrClosed: nothing is left
				}
				b.batches <- batch
			}
		default:
			b.batches <- batch
		}
	}
}

// work processes the fetcher's batches until it closes b.batches.
func (b *Batcher[T]) work() {
	for batch := range b.batches {
		b.tally.Process(batch)
	}
}

func (b *Batcher[T]) flushContext() context.Context {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.flushed
}

// renew replaces the context a Join cancelled and returns the fresh one.
// Only the fetcher calls it, so the context it replaces is the one it
// waited with.
func (b *Batcher[T]) renew() context.Context {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.flushed, b.flush = context.WithCancel(context.Background())
	return b.flushed
}

// Add implements impl.Batcher: mb's Add.
func (b *Batcher[T]) Add(item T) error {
	if err := b.q.Add(context.Background(), item); err != nil {
		if errors.Is(err, mb.ErrClosed) {
			return impl.ErrClosed
		}
		return err
	}
	b.tally.Admit()
	return nil
}

// Len implements impl.Batcher.
func (b *Batcher[T]) Len() int { return b.tally.Len() }

// Join implements impl.Batcher: it wakes the fetcher to take what is
// buffered and waits for the count of processed items.
func (b *Batcher[T]) Join(timeout time.Duration) error {
	return b.tally.Join(timeout, func() {
		b.mu.Lock()
		b.flush()
		b.mu.Unlock()
	})
}

// Close implements impl.Batcher: mb's Close, then it waits for the
// fetcher and the workers to drain the buffer.
func (b *Batcher[T]) Close() error {
	_ = b.q.Close() // mb.ErrClosed on every Close but the first
	b.done.Wait()
	return nil
}

// Stats implements impl.Batcher.
func (b *Batcher[T]) Stats() impl.Stats { return b.tally.Stats() }
