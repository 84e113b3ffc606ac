// Package seed rebuilds the two variants of the channel batcher that the seed
// optimization report compared, for the case study in docs/case-study-seed.md.
// They are not implementations to use: they are registered only in builds
// with the "seed" tag.
//
//   - Original waits in Join by sleeping 1ms between polls of Len.
//   - Optimized pools the rill.Try wrapper of every item through sync.Pool and
//     waits in Join on a 10ms ticker, the report's two "optimizations".
//
// Both flush the partial batch first, as the contract requires; the seed's
// Join relied on the interval timer instead, which would make every Join in a
// size benchmark wait out BatchInterval.
package seed

import (
	"sync"
	"time"

	"github.com/destel/rill"

	"github.com/batchbench/batchbench/impl"
	"github.com/batchbench/batchbench/impl/channel"
)

// Original is the seed's channel batcher with its sleep-polling Join.
type Original[T any] struct{ *channel.Batcher[T] }

// NewOriginal returns a started Original.
func NewOriginal[T any](cfg impl.Config[T]) (*Original[T], error) {
	b, err := channel.New(cfg)
	if err != nil {
		return nil, err
	}
	return &Original[T]{b}, nil
}

// Join flushes, then polls Len every millisecond until it is 0.
func (b *Original[T]) Join(timeout time.Duration) error {
	if _, closed := b.Flush(); closed {
		return nil
	}
	deadline := time.Now().Add(timeout)
	for b.Len() > 0 {
		if time.Now().After(deadline) {
			return impl.ErrTimeout
		}
		time.Sleep(time.Millisecond)
	}
	return nil
}

// Optimized is the seed's "optimized" channel batcher.
type Optimized[T any] struct {
	*channel.Batcher[T]
	tries sync.Pool // of *rill.Try[T]
}

// NewOptimized returns a started Optimized.
func NewOptimized[T any](cfg impl.Config[T]) (*Optimized[T], error) {
	b, err := channel.New(cfg)
	if err != nil {
		return nil, err
	}
	o := &Optimized[T]{Batcher: b}
	o.tries.New = func() any { return new(rill.Try[T]) }
	return o, nil
}

// Add takes a Try from the pool, fills it and sends a copy: channels carry
// values, so the pool round trip saves nothing, which is the report's error.
func (b *Optimized[T]) Add(item T) error {
	t := b.tries.Get().(*rill.Try[T])
	t.Value = item
	err := b.Batcher.Add(t.Value)
	var zero T
	t.Value = zero
	b.tries.Put(t)
	return err
}

// Join flushes, then checks Len on every tick of a 10ms ticker.
func (b *Optimized[T]) Join(timeout time.Duration) error {
	if _, closed := b.Flush(); closed {
		return nil
	}
	deadline := time.Now().Add(timeout)
	ticker := time.NewTicker(10 * time.Millisecond)
	defer ticker.Stop()
	for b.Len() > 0 {
		<-ticker.C
		if time.Now().After(deadline) {
			return impl.ErrTimeout
		}
	}
	return nil
}
