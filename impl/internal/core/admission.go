// Package core holds the machinery that batcher implementations share: the
// admission counter that bounds the queue and counts items, the progress tracker
// that Join waits on, and the executor that runs the Processor.
//
// It exports each part (about seventeen names) because the
// implementations take the parts they need, and only those: a channel
// design uses the admission counter and the executor, the ring its own
// queue with the counter's releases.
package core

import (
	"errors"
	"math"
	"sync"
	"sync/atomic"

	"github.com/batchbench/batchbench/impl"
)

const (
	closedBit = 1 << 63
	pausedBit = 1 << 62 // admissions wait: a consumer is cutting a partial batch
	flagBits  = closedBit | pausedBit
)

// Admission admits items into a batcher and counts them. It bounds the items
// admitted and not yet released to a limit, blocking admissions at the limit,
// and refuses every admission once closed. One atomic compare-and-swap admits
// an item and gives it its position, so Added is exact even when Close races
// Acquire: after Close returns, Added never changes.
type Admission struct {
	_ [64]byte
	// state holds the number of admitted items, with closedBit set once
	// closed and pausedBit while paused: one word, so an admission can
	// never slip past Close or Pause.
	state    atomic.Uint64
	_        [56]byte
	released atomic.Uint64
	_        [56]byte
	waiting  atomic.Int32
	limit    uint64
	mu       sync.Mutex
	cond     sync.Cond
}

// NewAdmission returns an open Admission admitting at most limit unreleased items.
func NewAdmission(limit int) *Admission {
	a := &Admission{limit: uint64(limit)}
	a.cond.L = &a.mu
	return a
}

// ErrFull is returned by TryAcquire when the limit is reached.
var ErrFull = errors.New("batcher: queue full")

// Acquire admits one item and returns its position, counted from 0 in
// admission order. It blocks while the limit is reached and returns
// impl.ErrClosed once the Admission is closed, including when Close interrupts
// the wait.
func (a *Admission) Acquire() (uint64, error) {
	if pos, err := a.TryAcquire(); err != ErrFull {
		return pos, err
	}
	return a.acquireSlow()
}

func (a *Admission) acquireSlow() (uint64, error) {
	for {
		a.AwaitRoom()
		if pos, err := a.TryAcquire(); err != ErrFull {
			return pos, err
		}
	}
}

// TryAcquire is Acquire without blocking: at the limit it returns ErrFull.
func (a *Admission) TryAcquire() (uint64, error) {
	for {
		s := a.state.Load()
		if s&closedBit != 0 {
			return 0, impl.ErrClosed
		}
		if s&pausedBit != 0 || s-a.released.Load() >= a.limit {
			return 0, ErrFull
		}
		if a.state.CompareAndSwap(s, s+1) {
			return s, nil
		}
	}
}

// AwaitRoom blocks while the limit is reached or admissions are paused,
// and the Admission is open. It parks
// on a condition variable; Release and Close wake it.
func (a *Admission) AwaitRoom() {
	a.mu.Lock()
	a.waiting.Add(1)
	for {
		s := a.state.Load()
		if s&closedBit != 0 || s&pausedBit == 0 && s-a.released.Load() < a.limit {
			break
		}
		a.cond.Wait()
	}
	a.waiting.Add(-1)
	a.mu.Unlock()
}

// AwaitReleased blocks until n items have been released or the Admission is
// closed: for a batcher that admits items by its own count and uses the
// Admission only to wait for room.
func (a *Admission) AwaitReleased(n uint64) {
	a.mu.Lock()
	a.waiting.Add(1)
	for a.state.Load()&closedBit == 0 && a.released.Load() < n {
		a.cond.Wait()
	}
	a.waiting.Add(-1)
	a.mu.Unlock()
}

// Release marks n admitted items as processed, unblocking Acquire.
func (a *Admission) Release(n int) {
	a.released.Add(uint64(n))
	if a.waiting.Load() > 0 {
		a.mu.Lock()
		a.cond.Broadcast()
		a.mu.Unlock()
	}
}

// Close refuses all further admissions and wakes blocked ones. It reports
// whether this call closed the Admission.
func (a *Admission) Close() bool {
	if a.state.Or(closedBit)&closedBit != 0 {
		return false
	}
	a.mu.Lock()
	a.cond.Broadcast()
	a.mu.Unlock()
	return true
}

// State reports the number of items admitted and whether the Admission is
// closed, read together: once closed is true, added is final.
func (a *Admission) State() (added uint64, closed bool) {
	s := a.state.Load()
	return s &^ flagBits, s&closedBit != 0
}

// Added is the number of items admitted.
func (a *Admission) Added() uint64 { return a.state.Load() &^ flagBits }

// Pause stops admissions until Resume, so that the positions admitted so
// far are final for a while: a consumer that knows every admitted item only
// by a count can then cut a partial batch at an exact position. It returns
// that position (the number admitted). Admissions wait as at the limit.
// Pause on a closed Admission only reports the final count.
func (a *Admission) Pause() uint64 {
	for {
		s := a.state.Load()
		if s&closedBit != 0 || a.state.CompareAndSwap(s, s|pausedBit) {
			return s &^ flagBits
		}
	}
}

// Resume lets admissions continue after Pause and wakes those waiting.
func (a *Admission) Resume() {
	a.state.And(^uint64(pausedBit))
	if a.waiting.Load() > 0 {
		a.mu.Lock()
		a.cond.Broadcast()
		a.mu.Unlock()
	}
}

// Released is the number of items released.
func (a *Admission) Released() uint64 { return a.released.Load() }

// ReleasedCount is the counter Released reads, for a batcher to read, never
// write, on its per-item path: generic code is compiled in the package that
// instantiates it, which does not inline calls into this one.
func (a *Admission) ReleasedCount() *atomic.Uint64 { return &a.released }

// Pending is the number of items admitted and not yet released.
func (a *Admission) Pending() int {
	return int(a.PendingOf(&a.state, func(s, r uint64) uint64 { return s&^flagBits - r }))
}

// PendingOf is Pending for a batcher that counts admissions in a state word
// of its own: pending(s, r) is the items pending with state s and r
// releases. It reads the releases between two reads of state that agree,
// so no admission came between and the difference is exact at that moment.
// Releases read before state alone would count releases and later
// admissions both, and overstate the queue (once by ten times its limit).
// Under a stream of admissions it stops after a few tries, reads releases
// first, and caps the result at the limit, which pending never exceeds.
func (a *Admission) PendingOf(state *atomic.Uint64, pending func(s, r uint64) uint64) uint64 {
	s := state.Load()
	for range 8 {
		r := a.released.Load()
		s2 := state.Load()
		if s2 == s {
			return pending(s, r)
		}
		s = s2
	}
	r := a.released.Load() // first: the state read after it has admitted at least these
	return min(pending(state.Load(), r), a.limit)
}

// NoLimit is a limit that never blocks, for tests of other machinery.
const NoLimit = math.MaxInt64
