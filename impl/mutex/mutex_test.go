package mutex_test

import (
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/batchbench/batchbench/impl"
	"github.com/batchbench/batchbench/impl/mutex"
)

// TestKeepsEveryBuffer runs the producer ahead of a stalled Processor by
// many batches, twice: the second round must reuse the buffers the first
// one made, not allocate them again (an allocation per batch is garbage the
// baseline would pay for and a careful design does not).
func TestKeepsEveryBuffer(t *testing.T) {
	const size, ahead = 1000, 16
	var stall sync.RWMutex // held by the test: the Processor waits
	b, err := mutex.New(impl.Config[int64]{
		BatchSize:     size,
		BatchInterval: time.Hour,
		Processor: func([]int64) error {
			stall.RLock()
			stall.RUnlock()
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
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
