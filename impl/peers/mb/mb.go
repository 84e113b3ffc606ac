// Package mb adapts github.com/cheggaaa/mb/v3, a bounded multi-buffer, to
// impl.Batcher: Add is mb's Add, which blocks while the buffer is full and
// returns mb.ErrClosed after Close; Concurrency consumer goroutines each take
// batches with NewCond().WithMin(BatchSize).WithMax(BatchSize).Wait, and
// mb's time limit on the context (CtxWithTimeLimit, BatchInterval) lowers
// the minimum to one item when it runs out.
//
// What the adapter adds, and is measured with: the counters of package tally
// (an atomic add per Add; per batch a few, and a lock to track the batches
// for Join) for Len, Stats and Join; the Processor run through tally, which
// recovers panics; and a flush for Join, which mb has not: Join cancels the
// context the consumers wait with, and a consumer that finds it cancelled
// takes whatever is buffered (at most BatchSize items) and waits with a
// fresh one. Close is mb's Close, after which the consumers take what is
// left, BatchSize items at a time.
//
// mb's bound counts the items in its buffer only: the batches the
// consumers hold do not count, so Len can exceed MaxQueueSize by them. Its
// time limit counts from each Wait, not from a batch's first item.
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

// Batcher is an mb.MB with consumer goroutines. It implements impl.Batcher.
type Batcher[T any] struct {
	q        *mb.MB[T]
	tally    *tally.Tally[T]
	size     int
	interval time.Duration

	mu      sync.Mutex
	flushed context.Context // cancelled by a Join: the consumers take what is buffered
	flush   context.CancelFunc

	done sync.WaitGroup // the consumers
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
	for range cfg.Workers() {
		b.done.Go(b.consume)
	}
	return b, nil
}

// consume takes full batches, or what the time limit leaves, until Close;
// after a Join it takes everything buffered; after Close, what is left.
func (b *Batcher[T]) consume() {
	full := b.q.NewCond().WithMin(b.size).WithMax(b.size)
	some := b.q.NewCond().WithMax(b.size)
	for {
		ctx := b.flushContext()
		batch, err := full.Wait(mb.CtxWithTimeLimit(ctx, b.interval))
		switch {
		case errors.Is(err, context.Canceled):
			// Only one consumer takes a batch at a time, so with one
			// consumer Len > 0 means this Wait returns at once; with
			// several it may wait for the next item, or the next Join.
			ctx = b.renew(ctx)
			for b.q.Len() > 0 {
				if batch, err = some.Wait(ctx); err != nil {
					break
				}
				b.tally.Process(batch)
			}
		case err != nil: // mb.ErrClosed
			for {
				if batch, err = some.Wait(context.Background()); err != nil {
					return // mb.ErrClosed: nothing is left
				}
				b.tally.Process(batch)
			}
		default:
			b.tally.Process(batch)
		}
	}
}

func (b *Batcher[T]) flushContext() context.Context {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.flushed
}

// renew replaces the cancelled context ctx, once, and returns the current
// one.
func (b *Batcher[T]) renew(ctx context.Context) context.Context {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.flushed == ctx {
		b.flushed, b.flush = context.WithCancel(context.Background())
	}
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

// Join implements impl.Batcher: it wakes the consumers to take what is
// buffered and waits for the count of processed items.
func (b *Batcher[T]) Join(timeout time.Duration) error {
	return b.tally.Join(timeout, func() {
		b.mu.Lock()
		b.flush()
		b.mu.Unlock()
	})
}

// Close implements impl.Batcher: mb's Close, then it waits for the
// consumers to drain the buffer.
func (b *Batcher[T]) Close() error {
	_ = b.q.Close() // mb.ErrClosed on every Close but the first
	b.done.Wait()
	return nil
}

// Stats implements impl.Batcher.
func (b *Batcher[T]) Stats() impl.Stats { return b.tally.Stats() }
