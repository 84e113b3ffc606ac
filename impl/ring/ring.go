// Package ring implements a batcher on a bounded ring buffer: many producers,
// one consumer that copies up to BatchSize contiguous items into a reused
// buffer per batch.
//
// A producer claims a slot and admits its item with one compare-and-swap,
// writes the item and publishes it with a per-slot sequence number; the
// consumer parks until a whole batch (or the first item of one, to start its
// timer) is published, so a busy batcher pays one wake-up per batch and an
// idle one none. Nothing is allocated per item or per batch.
//
// The trade-off: capacity is fixed at the power of two at or above
// MaxQueueSize, allocated up front, and slots keep references to consumed
// items until they are overwritten.
package ring

import (
	"math"
	"math/bits"
	"sync/atomic"
	"time"

	"github.com/batchbench/batchbench/impl"
	"github.com/batchbench/batchbench/impl/internal/core"
)

const noWake = math.MaxUint64

type slot[T any] struct {
	seq  atomic.Uint64 // position+1 once the item at that position is written
	item T
}

// Batcher is a ring-buffer batcher. It implements impl.Batcher.
type Batcher[T any] struct {
	gate     *core.Gate
	exec     *core.Executor[T]
	workers  *core.Workers[T]
	slots    []slot[T]
	mask     uint64
	size     int
	interval time.Duration

	_ [64]byte
	// wakeAt is the admission count at which a producer must wake the
	// parked consumer; noWake while the consumer runs.
	wakeAt atomic.Uint64
	_      [56]byte

	flush *core.Flush
	wake  chan struct{} // from producers; capacity 1: a pending wake-up is never lost
	free  chan *[]T     // batch buffers not in use
	done  chan struct{} // closed when the consumer and workers have exited
}

// New returns a started ring Batcher, or an error if cfg is invalid.
func New[T any](cfg impl.Config[T]) (*Batcher[T], error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	capacity := uint64(1) << bits.Len64(uint64(cfg.QueueLimit())-1)
	b := &Batcher[T]{
		slots:    make([]slot[T], capacity),
		mask:     capacity - 1,
		size:     cfg.BatchSize,
		interval: cfg.BatchInterval,
		flush:    core.NewFlush(),
		wake:     make(chan struct{}, 1),
		free:     make(chan *[]T, cfg.Workers()+1),
		done:     make(chan struct{}),
	}
	b.exec = core.NewExecutor(cfg)
	b.gate = b.exec.Gate
	b.workers = core.NewWorkers(b.exec, cfg.Workers(), func(buf *[]T) { b.free <- buf })
	for range cap(b.free) {
		buf := make([]T, 0, cfg.BatchSize)
		b.free <- &buf
	}
	b.wakeAt.Store(noWake)
	go b.consume()
	return b, nil
}

// Add implements impl.Batcher.
func (b *Batcher[T]) Add(item T) error {
	pos, err := b.gate.Acquire()
	if err != nil {
		return err
	}
	s := &b.slots[pos&b.mask]
	s.item = item
	s.seq.Store(pos + 1)
	// Compare with admissions, not with pos: when producers publish out of
	// order, the last one to publish below wakeAt is the one that sees it.
	if w := b.wakeAt.Load(); w != noWake {
		if added, _ := b.gate.State(); added >= w && b.wakeAt.CompareAndSwap(w, noWake) {
			b.poke()
		}
	}
	return nil
}

func (b *Batcher[T]) poke() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

func (b *Batcher[T]) consume() {
	defer close(b.done)
	defer b.workers.Stop()

	var head uint64 // next position to copy out
	buf := <-b.free
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	armed, expired := false, false
	// empty is a moment before the next batch's first item arrived: its
	// interval counts from there even when the consumer reaches the item
	// late, after a long Processor call.
	empty := time.Now()
	for {
		head = b.collect(buf, head)
		n := len(*buf)
		if n == b.size || n > 0 && (expired || head-uint64(n) < b.flush.Mark()) {
			empty = time.Now()
			b.workers.Run(buf)
			buf = <-b.free
			*buf = (*buf)[:0]
			timer.Stop()
			armed, expired = false, false
			continue
		}
		if added, closed := b.gate.State(); closed && n == 0 && head == added {
			return
		}
		if n == 0 {
			empty = time.Now()
		} else if !armed {
			timer.Reset(b.interval - time.Since(empty))
			armed = true
		}
		// Park until the batch can be full (or, when empty, until its first
		// item starts the timer). Collect once more after publishing wakeAt:
		// a producer that published before it saw noWake, one that publishes
		// after it will wake us.
		want := head + uint64(b.size-n)
		if n == 0 {
			want = head + 1
		}
		b.wakeAt.Store(want)
		if next := b.collect(buf, head); next != head {
			head = next
			b.wakeAt.Store(noWake)
			continue
		}
		select {
		case <-b.wake:
			if n == 0 {
				empty = time.Now() // the producer that woke us published just now
			}
		case <-b.flush.Wake():
		case <-timer.C:
			expired = true
		}
	}
}

// collect copies published items from head into buf until buf is full, the
// next position is unpublished, or a pending Join's mark is reached, and
// returns the new head.
func (b *Batcher[T]) collect(buf *[]T, head uint64) uint64 {
	items := *buf
	end := head + uint64(b.size-len(items))
	if f := b.flush.Mark(); head-uint64(len(items)) < f && f < end {
		end = f // a Join's batch ends at its mark: later items wait for the next
	}
	for head < end {
		s := &b.slots[head&b.mask]
		if s.seq.Load() != head+1 {
			break
		}
		items = append(items, s.item)
		head++
	}
	*buf = items
	return head
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
