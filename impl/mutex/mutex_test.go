package mutex

import (
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/batchbench/batchbench/impl"
)

// TestKeepsEveryBuffer runs the producer ahead of a stalled Processor by
// many batches, twice: the second round must reuse the buffers the first
// one made, not allocate them again (an allocation per batch is garbage the
// baseline would pay for and a careful design does not).
func TestKeepsEveryBuffer(t *testing.T) {
	const size, ahead = 1000, 16
	var stall sync.RWMutex
	b := stalled(t, impl.Config[int64]{BatchSize: size}, &stall)
	defer b.Close()
	round := func() uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		stall.Lock()
		for i := range ahead * size {
			if err := b.Add(int64(i)); err != nil {
				t.Fatal(err)
			}
		}
		stall.Unlock()
		if err := b.Join(time.Minute); err != nil {
			t.Fatal(err)
		}
		// Join returns once the last batch is processed; its buffer comes
		// back just after. Wait for the buffers the batcher keeps, so that
		// a slow consumer cannot leave the next round one short.
		kept := min(ahead, b.keep)
		waitUntil(t, b, "the kept buffers back", func() bool { return len(b.free) >= kept })
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	first := round()
	second := round()
	t.Logf("bytes allocated: first round %d, second %d", first, second)
	if buffer := uint64(size * 8); second >= buffer {
		t.Errorf("the second round allocated %d bytes, at least one batch buffer (%d): buffers were dropped and made again", second, buffer)
	}
}

// TestKeepsNoMoreBuffersThanAFullQueue puts 20 one-item batches in flight
// (each Join swaps its partial batch out) behind a stalled Processor: the
// batcher must then keep only the buffers a full queue of full batches
// needs, not every buffer a burst of partial batches made.
func TestKeepsNoMoreBuffersThanAFullQueue(t *testing.T) {
	var stall sync.RWMutex
	stall.Lock()
	b := stalled(t, impl.Config[int64]{BatchSize: 10, MaxQueueSize: 40}, &stall)
	var joins sync.WaitGroup
	for i := range 20 {
		if err := b.Add(int64(i)); err != nil {
			t.Fatal(err)
		}
		joins.Go(func() {
			if err := b.Join(time.Minute); err != nil {
				t.Error(err)
			}
		})
		waitUntil(t, b, "the Join to take the item", func() bool { return len(*b.batch) == 0 })
	}
	stall.Unlock()
	joins.Wait()
	if err := b.Close(); err != nil { // every buffer is back
		t.Fatal(err)
	}
	if want := 40/10 + 1 + 2; b.keep != want || len(b.free) > want {
		t.Errorf("%d buffers kept (keep %d), want at most %d", len(b.free), b.keep, want)
	}
}

// stalled returns a mutex Batcher for cfg, with an hour's interval, whose
// Processor waits while the test holds stall.
func stalled(t *testing.T, cfg impl.Config[int64], stall *sync.RWMutex) *Batcher[int64] {
	t.Helper()
	cfg.BatchInterval = time.Hour
	cfg.Processor = func([]int64) error {
		stall.RLock()
		stall.RUnlock()
		return nil
	}
	b, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// waitUntil polls cond, under b's lock, until it holds; after a minute it
// fails the test for want.
func waitUntil(t *testing.T, b *Batcher[int64], want string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); ; runtime.Gosched() {
		b.mu.Lock()
		ok := cond()
		b.mu.Unlock()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited a minute for %s", want)
		}
	}
}
