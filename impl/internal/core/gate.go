// Package core holds the machinery that batcher implementations share: the
// admission gate that bounds the queue and counts items, the progress tracker
// that Join waits on, and the executor that runs the Processor.
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

// Gate admits items into a batcher and counts them. It bounds the items
// admitted and not yet released to a limit, blocking admissions at the limit,
// and refuses every admission once closed. One atomic compare-and-swap admits
// an item and gives it its position, so Added is exact even when Close races
// Acquire: after Close returns, Added never changes.
type Gate struct {
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

// NewGate returns an open Gate admitting at most limit unreleased items.
func NewGate(limit int) *Gate {
	g := &Gate{limit: uint64(limit)}
	g.cond.L = &g.mu
	return g
}

// ErrFull is returned by TryAcquire when the limit is reached.
var ErrFull = errors.New("batcher: queue full")

// Acquire admits one item and returns its position, counted from 0 in
// admission order. It blocks while the limit is reached and returns
// impl.ErrClosed once the Gate is closed, including when Close interrupts
// the wait.
func (g *Gate) Acquire() (uint64, error) {
	if pos, err := g.TryAcquire(); err != ErrFull {
		return pos, err
	}
	return g.acquireSlow()
}

func (g *Gate) acquireSlow() (uint64, error) {
	for {
		g.AwaitRoom()
		if pos, err := g.TryAcquire(); err != ErrFull {
			return pos, err
		}
	}
}

// TryAcquire is Acquire without blocking: at the limit it returns ErrFull.
func (g *Gate) TryAcquire() (uint64, error) {
	for {
		s := g.state.Load()
		if s&closedBit != 0 {
			return 0, impl.ErrClosed
		}
		if s&pausedBit != 0 || s-g.released.Load() >= g.limit {
			return 0, ErrFull
		}
		if g.state.CompareAndSwap(s, s+1) {
			return s, nil
		}
	}
}

// AwaitRoom blocks while the limit is reached or admissions are paused,
// and the Gate is open. It parks
// on a condition variable; Release and Close wake it.
func (g *Gate) AwaitRoom() {
	g.mu.Lock()
	g.waiting.Add(1)
	for {
		s := g.state.Load()
		if s&closedBit != 0 || s&pausedBit == 0 && s-g.released.Load() < g.limit {
			break
		}
		g.cond.Wait()
	}
	g.waiting.Add(-1)
	g.mu.Unlock()
}

// AwaitReleased blocks until n items have been released or the Gate is
// closed: for a batcher that admits items by its own count and uses the
// Gate only to wait for room.
func (g *Gate) AwaitReleased(n uint64) {
	g.mu.Lock()
	g.waiting.Add(1)
	for g.state.Load()&closedBit == 0 && g.released.Load() < n {
		g.cond.Wait()
	}
	g.waiting.Add(-1)
	g.mu.Unlock()
}

// Release marks n admitted items as processed, unblocking Acquire.
func (g *Gate) Release(n int) {
	g.released.Add(uint64(n))
	if g.waiting.Load() > 0 {
		g.mu.Lock()
		g.cond.Broadcast()
		g.mu.Unlock()
	}
}

// Close refuses all further admissions and wakes blocked ones. It reports
// whether this call closed the Gate.
func (g *Gate) Close() bool {
	if g.state.Or(closedBit)&closedBit != 0 {
		return false
	}
	g.mu.Lock()
	g.cond.Broadcast()
	g.mu.Unlock()
	return true
}

// State reports the number of items admitted and whether the Gate is
// closed, read together: once closed is true, added is final.
func (g *Gate) State() (added uint64, closed bool) {
	s := g.state.Load()
	return s &^ flagBits, s&closedBit != 0
}

// Added is the number of items admitted.
func (g *Gate) Added() uint64 { return g.state.Load() &^ flagBits }

// Pause stops admissions until Resume, so that the positions admitted so
// far are final for a while: a consumer that knows every admitted item only
// by a count can then cut a partial batch at an exact position. It returns
// that position (the number admitted). Admissions wait as at the limit.
// Pause on a closed Gate only reports the final count.
func (g *Gate) Pause() uint64 {
	for {
		s := g.state.Load()
		if s&closedBit != 0 || g.state.CompareAndSwap(s, s|pausedBit) {
			return s &^ flagBits
		}
	}
}

// Resume lets admissions continue after Pause and wakes those waiting.
func (g *Gate) Resume() {
	g.state.And(^uint64(pausedBit))
	if g.waiting.Load() > 0 {
		g.mu.Lock()
		g.cond.Broadcast()
		g.mu.Unlock()
	}
}

// Released is the number of items released.
func (g *Gate) Released() uint64 { return g.released.Load() }

// ReleasedCount is the counter Released reads, for a batcher to read, never
// write, on its per-item path: generic code is compiled in the package that
// instantiates it, which does not inline calls into this one.
func (g *Gate) ReleasedCount() *atomic.Uint64 { return &g.released }

// Pending is the number of items admitted and not yet released.
func (g *Gate) Pending() int {
	return int(g.PendingOf(&g.state, func(s, r uint64) uint64 { return s&^flagBits - r }))
}

// PendingOf is Pending for a batcher that counts admissions in a state word
// of its own: pending(s, r) is the items pending with state s and r
// releases. It reads the releases between two reads of state that agree,
// so no admission came between and the difference is exact at that moment.
// Releases read before state alone would count releases and later
// admissions both, and overstate the queue (once by ten times its limit).
// Under a stream of admissions it stops after a few tries, reads releases
// first, and caps the result at the limit, which pending never exceeds.
func (g *Gate) PendingOf(state *atomic.Uint64, pending func(s, r uint64) uint64) uint64 {
	s := state.Load()
	for range 8 {
		r := g.released.Load()
		s2 := state.Load()
		if s2 == s {
			return pending(s, r)
		}
		s = s2
	}
	r := g.released.Load() // first: the state read after it has admitted at least these
	return min(pending(state.Load(), r), g.limit)
}

// NoLimit is a limit that never blocks, for tests of other machinery.
const NoLimit = math.MaxInt64
