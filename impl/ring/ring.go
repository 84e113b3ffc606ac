// Package ring implements a batcher on a bounded ring of slots, counted a
// batch at a time: many producers, one consumer that hands the Processor
// the ring's own contiguous slots, without a copy.
//
// A producer is admitted, and given its position, by the shared Gate (one
// compare-and-swap); it writes its item into the slot of that position and
// adds one to its batch's count of written items (one atomic add). The
// producer whose add completes a batch wakes the consumer, which never
// reads an item: with Concurrency 1 it runs the Processor on the slots of
// the batch as they lie; with more workers, which may finish out of order,
// it copies them into a reused buffer first, so a slot is free once copied.
// A busy batcher pays two atomic operations per item and one wake-up per
// batch, and an idle one nothing.
//
// A partial batch (the interval has passed, a Join or Close asks for it)
// is cut by pausing admissions for a moment, so the positions admitted are
// final, and waiting until the batch's count shows them all written. The
// rest of the batch follows as its own piece.
//
// The trade-off: capacity, the queue bound rounded up to whole batches, is
// allocated up front, and slots keep references to processed items until
// they are overwritten. The Processor's slice is the ring itself: like
// every implementation's, it must not be kept after the Processor returns.
package ring

import (
	"math"
	"math/bits"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/batchbench/batchbench/impl"
	"github.com/batchbench/batchbench/impl/internal/core"
)

const noWake = math.MaxUint64

// Batcher is a ring batcher. It implements impl.Batcher.
type Batcher[T any] struct {
	gate     *core.Gate
	exec     *core.Executor[T]
	workers  *core.Workers[T]
	slots    []T
	written  []paddedCount // per batch in the ring: items written
	mask     uint64        // batches in the ring, a power of two, minus one
	size     uint64
	yieldAt  uint64 // pending items beyond which a batch's last producer yields
	interval time.Duration

	_ [64]byte
	// wakeAt is the position whose admission must wake the parked
	// consumer, to start its batch's timer; noWake while it need not.
	wakeAt atomic.Uint64
	_      [56]byte

	flush *core.Flush
	wake  chan struct{} // from producers; capacity 1: a pending wake-up is never lost
	// free holds the batch slices not in flight: headers viewing the ring
	// (one worker), or buffers the consumer copies into (several).
	free   chan *[]T
	copies bool
	done   chan struct{} // closed when the consumer and workers have exited
}

// paddedCount keeps each batch's count on its own cache line, so producers
// of one batch never slow those of the next.
type paddedCount struct {
	n atomic.Uint64
	_ [56]byte
}

// New returns a started ring Batcher, or an error if cfg is invalid.
func New[T any](cfg impl.Config[T]) (*Batcher[T], error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	size := uint64(cfg.BatchSize)
	// At least one batch more than the bound holds: the Gate then admits a
	// position of batch k+batches only once batch k is processed (one
	// worker) or copied (several), so its slots and its count are free
	// again. A power of two, so a batch's place in the ring is a mask.
	batches := uint64(1) << bits.Len64((uint64(cfg.QueueLimit())+size-1)/size)
	b := &Batcher[T]{
		slots:    make([]T, batches*size),
		written:  make([]paddedCount, batches),
		mask:     batches - 1,
		size:     size,
		yieldAt:  max(uint64(cfg.QueueLimit())/4, 2*size),
		interval: cfg.BatchInterval,
		flush:    core.NewFlush(),
		wake:     make(chan struct{}, 1),
		free:     make(chan *[]T, cfg.Workers()+1),
		copies:   cfg.Workers() > 1,
		done:     make(chan struct{}),
	}
	b.exec = core.NewExecutor(cfg)
	b.gate = b.exec.Gate
	b.workers = core.NewWorkers(b.exec, cfg.Workers(), func(v *[]T) { b.free <- v })
	for range cap(b.free) {
		v := new([]T)
		if b.copies {
			*v = make([]T, 0, size)
		}
		b.free <- v
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
	// The slot is ours: the Gate admits pos only once the item that held
	// it, a ring's length earlier, has been processed.
	batch := pos / b.size
	b.slots[(batch&b.mask)*b.size+pos-batch*b.size] = item
	if b.written[batch&b.mask].n.Add(1) == b.size {
		// The batch is complete: wake the consumer, and yield to it when it
		// lags far, so that producers outnumbering the processors cannot
		// run the ring full while the consumer waits for a turn (then they
		// all park at the bound and wake together, three times slower).
		b.poke()
		if uint64(b.gate.Pending()) > b.yieldAt {
			runtime.Gosched()
		}
	} else if pos == b.wakeAt.Load() {
		b.poke()
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

	var head uint64 // next position to dispatch
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	armed, expired := false, false
	// empty is a moment before the pending batch's first item arrived: its
	// interval counts from there even when the consumer learns of the item
	// late, after a long Processor call.
	empty := time.Now()
	for {
		batch := head / b.size
		start, end := batch*b.size, (batch+1)*b.size
		count := &b.written[batch&b.mask].n
		added, closed := b.gate.State()
		switch {
		case count.Load() == b.size:
			empty = time.Now() // before the Processor runs: the next item may arrive meanwhile
			head = b.dispatch(head, end, true)
		case added > head && (expired || closed || head < b.flush.Mark()):
			empty = time.Now()
			head = b.cut(head, start, closed)
		case closed && added == head:
			return
		case added > head:
			// Wait for the batch to complete (its last writer wakes us), its
			// interval to pass, or a Join or Close.
			if !armed {
				timer.Reset(b.interval - time.Since(empty))
				armed = true
			}
			select {
			case <-b.wake:
			case <-b.flush.Wake():
			case <-timer.C:
				expired = true
			}
			continue
		default:
			// Empty: park until the first item, whose producer wakes us if it
			// sees wakeAt. Look once more after publishing wakeAt: a producer
			// admitted before it did not.
			b.wakeAt.Store(head)
			if a, _ := b.gate.State(); a == head {
				select {
				case <-b.wake:
					empty = time.Now() // the producer that woke us was admitted just now
				case <-b.flush.Wake():
				}
			}
			b.wakeAt.Store(noWake)
			continue
		}
		timer.Stop()
		armed, expired = false, false
	}
}

// cut dispatches the admitted part of head's batch: admissions pause so
// the admitted positions are final, the consumer waits for their items to
// be written, and the rest of the batch follows as its own piece.
func (b *Batcher[T]) cut(head, start uint64, closed bool) uint64 {
	end := start + b.size
	to := min(b.gate.Pause(), end)
	count := &b.written[(start/b.size)&b.mask].n
	for count.Load() < to-start {
		runtime.Gosched() // a producer between admission and its count
	}
	if !closed {
		b.gate.Resume() // before the Processor runs: it may take long
	}
	return b.dispatch(head, to, to == end)
}

// dispatch hands the slots [head, to) of one batch to the workers, split
// at a pending Join's mark so that a Join's batch holds no later item. If
// the batch ends there, its count is reset for the batch that will reuse
// it.
func (b *Batcher[T]) dispatch(head, to uint64, last bool) uint64 {
	if last {
		b.written[(head/b.size)&b.mask].n.Store(0)
	}
	if m := b.flush.Mark(); head < m && m < to {
		b.run(head, m)
		head = m
	}
	b.run(head, to)
	return to
}

func (b *Batcher[T]) run(from, to uint64) {
	batch := from / b.size
	i := (batch&b.mask)*b.size + from - batch*b.size
	v := <-b.free
	if b.copies {
		*v = append((*v)[:0], b.slots[i:i+(to-from)]...)
	} else {
		*v = b.slots[i : i+(to-from)]
	}
	b.workers.Run(v)
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
