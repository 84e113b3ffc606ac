// Package bundler adapts google.golang.org/api/support/bundler to
// impl.Batcher: Add is AddWait with a size of one per item, so that
// BufferedByteLimit (MaxQueueSize) bounds the items added and not yet
// handled; BundleCountThreshold is BatchSize, DelayThreshold BatchInterval
// and HandlerLimit Concurrency; Join is Flush, which waits for everything
// added before it. Each item is stored through reflection as an
// interface{}, and each bundle is a fresh slice.
//
// What the adapter adds, and is measured with: the counters of package tally
// (an atomic add per Add; per batch a few, and a lock) for Len and Stats;
// the Processor run through tally, which recovers panics; a goroutine per
// Join, since Flush takes no timeout; and the closed state the library
// lacks, a flag under a sync.RWMutex that every Add read-locks, so that
// Close can flush only once no Add is between checking the flag and AddWait.
package bundler

import (
	"context"
	"sync"
	"time"

	"google.golang.org/api/support/bundler"

	"github.com/batchbench/batchbench/impl"
	"github.com/batchbench/batchbench/impl/peers/internal/tally"
)

// Batcher is a bundler.Bundler with a closed state. It implements
// impl.Batcher.
type Batcher[T any] struct {
	b     *bundler.Bundler
	tally *tally.Tally[T]

	mu     sync.RWMutex // read-locked by Add, locked by Close to set closed
	closed bool
}

// New returns a Batcher, or an error if cfg is invalid.
func New[T any](cfg impl.Config[T]) (*Batcher[T], error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	t := tally.New(cfg)
	var zero T
	b := bundler.NewBundler(zero, func(bundle any) { t.Process(bundle.([]T)) })
	b.BundleCountThreshold = cfg.BatchSize
	b.BundleByteThreshold = cfg.BatchSize + 1 // never reached first: the count flushes
	b.DelayThreshold = cfg.BatchInterval
	b.BufferedByteLimit = cfg.QueueLimit()
	b.HandlerLimit = cfg.Workers()
	return &Batcher[T]{b: b, tally: t}, nil
}

// Add implements impl.Batcher: AddWait, which blocks at BufferedByteLimit.
func (b *Batcher[T]) Add(item T) error {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		return impl.ErrClosed
	}
	if err := b.b.AddWait(context.Background(), item, 1); err != nil {
		return err
	}
	b.tally.Admit()
	return nil
}

// Len implements impl.Batcher.
func (b *Batcher[T]) Len() int { return b.tally.Len() }

// Join implements impl.Batcher: Flush, on a goroutine that outlives a
// timeout.
func (b *Batcher[T]) Join(timeout time.Duration) error {
	flushed := make(chan struct{})
	go func() {
		b.b.Flush()
		close(flushed)
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-flushed:
		return nil
	case <-timer.C:
		return impl.ErrTimeout
	}
}

// Close implements impl.Batcher: it sets the closed flag and flushes.
func (b *Batcher[T]) Close() error {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	b.b.Flush()
	return nil
}

// Stats implements impl.Batcher.
func (b *Batcher[T]) Stats() impl.Stats { return b.tally.Stats() }
