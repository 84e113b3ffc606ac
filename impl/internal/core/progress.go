package core

import (
	"sync"
	"time"

	"github.com/batchbench/batchbench/impl"
)

// Progress tracks which items have finished processing, so that Join can wait
// for "everything added before the call" even when batches finish out of
// order. Batches are dispatched in admission order, each covering the next
// run of positions; the watermark is the end of the longest finished prefix.
type Progress struct {
	mu        sync.Mutex
	next      uint64 // first position not yet dispatched
	watermark uint64 // every position below it has finished
	inflight  []span // dispatched, unfinished or finished out of order; in dispatch order
	waiters   []waiter
}

type span struct {
	start, end uint64
	finished   bool
}

type waiter struct {
	target uint64
	ready  chan struct{}
}

// Ticket identifies a dispatched batch.
type Ticket struct{ start uint64 }

// Dispatch records that the next n positions went to the Processor together.
func (p *Progress) Dispatch(n int) Ticket {
	p.mu.Lock()
	t := Ticket{p.next}
	p.inflight = append(p.inflight, span{start: p.next, end: p.next + uint64(n)})
	p.next += uint64(n)
	p.mu.Unlock()
	return t
}

// Finish records that the batch behind t has been processed and wakes the
// Joins that were waiting for it.
func (p *Progress) Finish(t Ticket) {
	p.mu.Lock()
	for i := range p.inflight {
		if p.inflight[i].start == t.start {
			p.inflight[i].finished = true
			break
		}
	}
	done := 0
	for done < len(p.inflight) && p.inflight[done].finished {
		p.watermark = p.inflight[done].end
		done++
	}
	if done > 0 {
		n := copy(p.inflight, p.inflight[done:])
		p.inflight = p.inflight[:n]
		p.wake()
	}
	p.mu.Unlock()
}

func (p *Progress) wake() {
	kept := p.waiters[:0]
	for _, w := range p.waiters {
		if w.target <= p.watermark {
			close(w.ready)
		} else {
			kept = append(kept, w)
		}
	}
	clear(p.waiters[len(kept):])
	p.waiters = kept
}

// Wait blocks until every position below target has finished, or returns
// impl.ErrTimeout once timeout has passed. It parks on a channel: a waiting
// Join costs no CPU.
func (p *Progress) Wait(target uint64, timeout time.Duration) error {
	p.mu.Lock()
	if p.watermark >= target {
		p.mu.Unlock()
		return nil
	}
	w := waiter{target, make(chan struct{})}
	p.waiters = append(p.waiters, w)
	p.mu.Unlock()

	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-w.ready:
		return nil
	case <-timer.C:
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := range p.waiters {
		if p.waiters[i].ready == w.ready {
			p.waiters = append(p.waiters[:i], p.waiters[i+1:]...)
			return impl.ErrTimeout
		}
	}
	return nil // finished while the timer fired
}

// Dispatched is the number of positions dispatched so far.
func (p *Progress) Dispatched() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.next
}
