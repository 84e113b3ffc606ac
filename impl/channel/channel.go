// Package channel implements the seed design, kept as the baseline: items go
// through an unbounded golang.design/x/chann channel into rill.Batch, whose
// batches feed rill.ForEach workers.
//
// Only the seed's contract bugs are fixed: Add after Close returns ErrClosed
// instead of panicking, Join flushes and honours its timeout, Close processes
// everything accepted, and a Admission bounds the queue. The cost profile is the
// seed's: several goroutine hops and selects per item, and a fresh slice per
// batch.
//
// rill.Batch flushes a partial batch only on its timer or when its input
// closes, so a relay goroutine feeds it through a channel per generation:
// Join ends the current generation at the Join's mark and starts the next.
// The chann itself is closed only once drained, because its close path spins
// while it still holds items (golang-design/chann#3). One forwarder drains
// the generations in order, which keeps batches ordered and Concurrency
// bounded across them. The relay costs one channel hop per item more than
// the seed.
package channel

import (
	"time"

	"github.com/destel/rill"
	"golang.design/x/chann"

	"github.com/batchbench/batchbench/impl"
	"github.com/batchbench/batchbench/impl/internal/core"
)

// Batcher is the channel-pipeline batcher. It implements impl.Batcher.
type Batcher[T any] struct {
	cfg       impl.Config[T]
	admission *core.Admission
	exec      *core.Executor[T]

	in          *chann.Chann[rill.Try[T]]
	flush       *core.Flush // end the current generation at the mark
	generations chan (<-chan rill.Try[[]T])
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
		in:          chann.New[rill.Try[T]](),
		flush:       core.NewFlush(),
		generations: make(chan (<-chan rill.Try[[]T])),
		done:        make(chan struct{}),
	}
	b.admission = b.exec.Admission
	batches := make(chan rill.Try[ticketed[T]])
	go b.relay()
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

// Add implements impl.Batcher.
func (b *Batcher[T]) Add(item T) error {
	if _, err := b.admission.Acquire(); err != nil {
		return err
	}
	b.in.In() <- rill.Try[T]{Value: item} // the chann stays open until every admitted item is relayed
	return nil
}

// relay moves items from the chann into the current generation's rill.Batch,
// ending the generation at every flush mark, and closes everything once all
// admitted items are relayed after Close.
func (b *Batcher[T]) relay() {
	defer close(b.generations)
	var relayed, genStart uint64
	gen := b.startGeneration()
	out := b.in.Out()
	for {
		added, closed := b.admission.State()
		// A flush mark inside the current generation ends it there, once
		// every item below the mark (all admitted) has been relayed.
		if f := b.flush.Mark(); f > genStart && relayed > genStart && relayed >= min(f, added) {
			close(gen) // rill.Batch emits the partial batch when its input closes
			genStart = relayed
			if closed && relayed == added {
				b.in.Close() // empty now, so its close path does not spin
				return
			}
			gen = b.startGeneration()
		}
		if closed && relayed == added {
			close(gen)
			b.in.Close()
			return
		}
		select {
		case item := <-out:
			gen <- item
			relayed++
		case <-b.flush.Wake():
		}
	}
}

func (b *Batcher[T]) startGeneration() chan rill.Try[T] {
	gen := make(chan rill.Try[T])
	b.generations <- rill.Batch(gen, b.cfg.BatchSize, b.cfg.BatchInterval)
	return gen
}

// forward tickets each batch in order, generation after generation.
func (b *Batcher[T]) forward(out chan<- rill.Try[ticketed[T]]) {
	defer close(out)
	for gen := range b.generations {
		for batch := range gen {
			t := b.exec.Progress.Dispatch(len(batch.Value))
			out <- rill.Try[ticketed[T]]{Value: ticketed[T]{batch.Value, t}}
		}
	}
}

// Len implements impl.Batcher.
func (b *Batcher[T]) Len() int { return b.exec.Len() }

// Stats implements impl.Batcher.
func (b *Batcher[T]) Stats() impl.Stats { return b.exec.Stats() }

// Join implements impl.Batcher.
func (b *Batcher[T]) Join(timeout time.Duration) error { return b.exec.Join(b.flush, timeout) }

// Flush asks for the items added so far to be batched now, without waiting,
// and returns how many that is and whether the Batcher is closed.
func (b *Batcher[T]) Flush() (added uint64, closed bool) {
	added, closed = b.admission.State()
	if !closed {
		b.flush.Request(added)
	}
	return added, closed
}

// Close implements impl.Batcher.
func (b *Batcher[T]) Close() error {
	b.exec.Shut(b.flush)
	<-b.done
	return nil
}
