// Package pooled implements the channel design with its allocations removed,
// the strategy the seed report tried, built as well as it can be.
//
// Items still travel through a chann channel to one batching goroutine, but
// the channel has a fixed capacity equal to the queue bound (the Admission already
// bounds the queue, so the unbounded chann queue and its per-item growth are
// not needed), rill's Try wrappers are gone, and batch buffers come from a
// sync.Pool and return to it once the Processor is done with them.
//
// The trade-off: one select per item on the batching goroutine, and the
// pool's own cost per batch; the channel costs MaxQueueSize items of memory
// up front.
package pooled

import (
	"sync"
	"time"

	"golang.design/x/chann"

	"github.com/batchbench/batchbench/impl"
	"github.com/batchbench/batchbench/impl/internal/core"
)

// Batcher is the pooled channel batcher. It implements impl.Batcher.
type Batcher[T any] struct {
	size      int
	interval  time.Duration
	admission *core.Admission
	exec      *core.Executor[T]
	workers   *core.Workers[T]
	buffers   sync.Pool // of *[]T with capacity size

	in    *chann.Chann[T] // never closed: Close drains it by count instead
	flush *core.Flush     // flush once this many items are received
	done  chan struct{}
}

// New returns a started pooled Batcher, or an error if cfg is invalid.
func New[T any](cfg impl.Config[T]) (*Batcher[T], error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	b := &Batcher[T]{
		size:     cfg.BatchSize,
		interval: cfg.BatchInterval,
		exec:     core.NewExecutor(cfg),
		in:       chann.New[T](chann.Cap(cfg.QueueLimit())),
		flush:    core.NewFlush(),
		done:     make(chan struct{}),
	}
	b.admission = b.exec.Admission
	b.buffers.New = func() any {
		buf := make([]T, 0, cfg.BatchSize)
		return &buf
	}
	b.workers = core.NewWorkers(b.exec, cfg.Workers(), b.recycle)
	go b.batch()
	return b, nil
}

func (b *Batcher[T]) recycle(buf *[]T) {
	clear(*buf) // drop references to processed items
	*buf = (*buf)[:0]
	b.buffers.Put(buf)
}

// Add implements impl.Batcher.
func (b *Batcher[T]) Add(item T) error {
	if _, err := b.admission.Acquire(); err != nil {
		return err
	}
	b.in.In() <- item // never blocks: the Admission keeps the channel from filling
	return nil
}

func (b *Batcher[T]) batch() {
	defer close(b.done)
	defer b.workers.Stop()

	var received uint64
	buf := b.buffers.Get().(*[]T)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	expired := false
	// since is a moment before the next batch's first item arrived (zero:
	// when it is received): its interval counts from there even when the
	// item waited in the channel behind a long Processor call.
	var since time.Time
	in := b.in.Out()
	for {
		n := len(*buf)
		added, closed := b.admission.State()
		// A flush waits for every item it covers: they are admitted, so
		// their sends are moments away. Items arrive one per iteration, so
		// the flushed batch ends exactly at the mark.
		mark := b.flush.Mark()
		flush := received-uint64(n) < mark && received >= min(mark, added)
		if n == b.size || n > 0 && (expired || flush) {
			timer.Stop()
			expired = false
			since = time.Now()
			b.workers.Run(buf)
			buf = b.buffers.Get().(*[]T)
			continue
		}
		if closed && received == added && n == 0 {
			b.buffers.Put(buf)
			return
		}
		if n == 0 && len(in) == 0 {
			since = time.Time{} // nothing waiting: the next item is timed from its receipt
		}
		select {
		case item := <-in:
			received++
			*buf = append(*buf, item)
			if len(*buf) == 1 {
				if since.IsZero() {
					since = time.Now()
				}
				timer.Reset(b.interval - time.Since(since))
			}
		case <-timer.C:
			expired = true
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
