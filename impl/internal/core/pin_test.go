package core

import (
	"runtime"
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
