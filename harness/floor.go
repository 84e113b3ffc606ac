package harness

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// floorOps is how many operations one timing of a reference cost takes:
// long enough to dwarf the clock, short enough that all three cost a few
// tens of milliseconds.
const floorOps = 1 << 20

// floor is what the cheapest synchronisation costs on this machine, per
// operation: the floor under any batcher's per-item cost, so a reader can
// tell "13 ns on this VM" from "13 ns on a laptop".
type floor struct {
	AtomicAdd float64 // ns per uncontended atomic.Uint64.Add
	Mutex     float64 // ns per uncontended sync.Mutex Lock and Unlock
	Chan      float64 // ns per send and receive on a buffered channel, one goroutine
}

// measureFloor times each reference cost a few times and keeps the
// fastest, the one least disturbed by the rest of the machine. It is
// measured once per process.
var measureFloor = sync.OnceValue(func() floor {
	best := func(op func(n int)) float64 {
		d := time.Duration(1<<63 - 1)
		for range 5 {
			start := time.Now()
			op(floorOps)
			d = min(d, time.Since(start))
		}
		return float64(d.Nanoseconds()) / floorOps
	}
	return floor{
		AtomicAdd: best(func(n int) {
			var x atomic.Uint64
			for range n {
				x.Add(1)
			}
		}),
		Mutex: best(func(n int) {
			var mu sync.Mutex
			for range n {
				mu.Lock()
				mu.Unlock() //nolint:staticcheck // the empty critical section is what is timed
			}
		}),
		Chan: best(func(n int) {
			c := make(chan int, 1)
			for i := range n {
				c <- i
				<-c
			}
		}),
	}
})

// ns prints a reference cost in nanoseconds with two decimals, e.g. "2.71ns".
func ns(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) + "ns" }
