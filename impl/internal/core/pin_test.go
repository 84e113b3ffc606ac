package core

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

func TestPinReturnsTheP(t *testing.T) {
	for range 1000 {
		p := Pin()
		Unpin()
		if p < 0 || p >= runtime.GOMAXPROCS(0) {
			t.Fatalf("Pin returned P %d with GOMAXPROCS %d", p, runtime.GOMAXPROCS(0))
		}
	}
}

// BenchmarkPinUnpin is what ring pays per item, besides its one atomic
// operation, to own its P's slots. Compare it with BenchmarkFloor in
// impl/registry and the floor-mutex line of a benchrun run, in one run.
func BenchmarkPinUnpin(b *testing.B) {
	for range b.N {
		Pin()
		Unpin()
	}
}

// BenchmarkItemPath prices the pieces of an item's path alone, with no
// consumer, called as BenchmarkBatcher calls Add: a generic type's method
// through an interface. ring's path is a pin, a CAS and a slot store;
// mutex's a Lock, an append and an Unlock (docs/ring-design.md).
func BenchmarkItemPath(b *testing.B) {
	paths := []struct {
		name string
		path itemPath
	}{
		{"call", &callPath[int64]{}},
		{"pin", &pinPath[int64]{}},
		{"pin+cas", &pinCASPath[int64]{}},
		{"pin+cas+slot", &pinCASPath[int64]{slots: make([]int64, 1024)}},
		{"lock+append+unlock", &lockPath[int64]{buf: make([]int64, 0, 1000)}},
	}
	for _, p := range paths {
		b.Run("path="+p.name, func(b *testing.B) {
			for i := range b.N {
				if err := p.path.Add(int64(i)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

type itemPath interface{ Add(int64) error }

type callPath[T any] struct{}

func (*callPath[T]) Add(T) error { return nil }

type pinPath[T any] struct{}

func (*pinPath[T]) Add(T) error {
	Pin()
	Unpin()
	return nil
}

// pinCASPath is ring's fast path without its checks: slots, if any, has a
// power-of-two length.
type pinCASPath[T any] struct {
	_     [64]byte
	state atomic.Uint64
	_     [56]byte
	slots []T
	next  int
}

func (p *pinCASPath[T]) Add(item T) error {
	Pin()
	s := p.state.Load()
	if p.slots != nil {
		p.slots[p.next&(len(p.slots)-1)] = item
		p.next++
	}
	p.state.CompareAndSwap(s, s+1)
	Unpin()
	return nil
}

// lockPath is mutex's path: the batch is emptied when full, not handed off.
type lockPath[T any] struct {
	mu  sync.Mutex
	buf []T
}

func (p *lockPath[T]) Add(item T) error {
	p.mu.Lock()
	p.buf = append(p.buf, item)
	if len(p.buf) == cap(p.buf) {
		p.buf = p.buf[:0]
	}
	p.mu.Unlock()
	return nil
}
