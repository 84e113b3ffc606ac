// Package channel implements the seed design, kept as the baseline: items go
// through an unbounded golang.design/x/chann channel into rill.Batch, whose
// batches feed rill.ForEach workers.
//
// Only the seed's contract bugs are fixed: Add after Close returns ErrClosed
// instead of panicking, Join flushes and honours its timeout, Close processes
// everything accepted, and a Gate bounds the queue. The cost profile is the
// seed's: several goroutine hops and selects per item, and a fresh slice per
// batch.
//
// rill.Batch flushes a partial batch only on its timer or when its input
// closes, so Join flushes by closing the current input and starting a new
// chann and rill.Batch behind it; one forwarder drains the generations in
// order, which keeps batches ordered and Concurrency bounded across them.
package channel

import (
	"sync"
	"time"

	"github.com/destel/rill"
	"golang.design/x/chann"

	"github.com/batchbench/batchbench/impl"
	"github.com/batchbench/batchbench/impl/internal/core"
)

// Batcher is the channel-pipeline batcher. It implements impl.Batcher.
type Batcher[T any] struct {
	cfg  impl.Config[T]
	gate *core.Gate
	exec *core.Executor[T]

	// mu is held shared by Add while it sends, and exclusively to replace or
	// close the input, so no send ever meets a closed channel.
	mu          sync.RWMutex
	in          *chann.Chann[rill.Try[T]]
	generations *chann.Chann[<-chan rill.Try[[]T]]
	done        chan struct{}
}

type ticketed[T any] struct {
	items  []T
	ticket core.Ticket
}

// New returns a started channel Batcher, or an error if cfg is invalid.
func New[T any](cfg impl.Config[T]) (*Batcher[T], error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	b := &Batcher[T]{
		cfg:         cfg,
		exec:        core.NewExecutor(cfg),
		generations: chann.New[<-chan rill.Try[[]T]](),
		done:        make(chan struct{}),
	}
	b.gate = b.exec.Gate
	b.in = b.startGeneration()

	batches := make(chan rill.Try[ticketed[T]])
	go b.forward(batches)
	go func() {
		defer close(b.done)
		_ = rill.ForEach(batches, cfg.Workers(), func(t ticketed[T]) error {
			b.exec.Process(t.items, t.ticket)
			return nil // failures are the Executor's to report; ForEach would stop on an error
		})
	}()
	return b, nil
}

func (b *Batcher[T]) startGeneration() *chann.Chann[rill.Try[T]] {
	in := chann.New[rill.Try[T]]()
	b.generations.In() <- rill.Batch(in.Out(), b.cfg.BatchSize, b.cfg.BatchInterval)
	return in
}

// forward ticket each batch in order, generation after generation.
func (b *Batcher[T]) forward(out chan<- rill.Try[ticketed[T]]) {
	defer close(out)
	for gen := range b.generations.Out() {
		for batch := range gen {
			t := b.exec.Progress.Dispatch(len(batch.Value))
			out <- rill.Try[ticketed[T]]{Value: ticketed[T]{batch.Value, t}}
		}
	}
}

// Add implements impl.Batcher.
func (b *Batcher[T]) Add(item T) error {
	for {
		b.mu.RLock()
		_, err := b.gate.TryAcquire()
		if err == nil {
			b.in.In() <- rill.Try[T]{Value: item}
			b.mu.RUnlock()
			return nil
		}
		b.mu.RUnlock()
		if err != core.ErrFull {
			return err
		}
		b.gate.AwaitRoom() // without mu: Join and Close must not wait for room
	}
}

// Len implements impl.Batcher.
func (b *Batcher[T]) Len() int { return b.exec.Len() }

// Stats implements impl.Batcher.
func (b *Batcher[T]) Stats() impl.Stats { return b.exec.Stats() }

// Join implements impl.Batcher.
func (b *Batcher[T]) Join(timeout time.Duration) error {
	added, closed := b.Flush()
	if closed {
		return nil
	}
	return b.exec.Progress.Wait(added, timeout)
}

// Flush makes rill.Batch emit its partial batch now, by ending the current
// generation, and returns how many items had been added by then and whether
// the Batcher is closed. It does not wait for processing.
func (b *Batcher[T]) Flush() (added uint64, closed bool) {
	b.mu.Lock()
	added, closed = b.gate.State()
	if closed {
		b.mu.Unlock()
		return added, closed
	}
	var flushed *chann.Chann[rill.Try[T]]
	if added > b.exec.Progress.Dispatched() { // otherwise rill.Batch holds nothing
		flushed = b.in
		b.in = b.startGeneration()
	}
	b.mu.Unlock()
	if flushed != nil {
		flushed.Close()
	}
	return added, false
}

// Close implements impl.Batcher.
func (b *Batcher[T]) Close() error {
	if b.gate.Close() {
		b.mu.Lock()
		b.in.Close()
		b.generations.Close()
		b.mu.Unlock()
	}
	<-b.done
	return nil
}
