package ring

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/batchbench/batchbench/impl"
)

// TestInterleavedBatchesKeepEveryProducersOrder drives producers on
// several Ps into the same batches, so that batches are copied by following
// the links (the path a lone producer never takes), and checks that every
// item arrives once and each producer's items in Add order.
func TestInterleavedBatchesKeepEveryProducersOrder(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("needs GOMAXPROCS >= 2 for producers on several Ps")
	}
	// Whether producers share batches is up to the scheduler: measure
	// again, up to a few times, until some batch was copied.
	for attempt := 1; ; attempt++ {
		copied, batches := interleave(t)
		t.Logf("attempt %d: %d of %d batches were interleaved and copied", attempt, copied, batches)
		if copied > 0 || t.Failed() {
			return
		}
		if attempt == 10 {
			t.Fatal("no batch interleaved producers on several Ps in 10 attempts: the copy path was not exercised")
		}
	}
}

// interleave runs 4 producers through one batcher, yielding now and then
// so that they move between Ps, checks every producer's order and count,
// and returns how many batches were copied (not in a chunk) of how many.
func interleave(t *testing.T) (copied, batches int) {
	const producers, perProducer = 4, 20_000
	type item struct{ producer, seq int }
	var (
		mu   sync.Mutex
		next [producers]int
		b    *Batcher[item]
		errs []string
	)
	inChunk := func(p *item) bool {
		for i := range b.chunks {
			if c := b.chunks[i].Load(); c != nil && len(c.items) > 0 {
				lo := uintptr(unsafe.Pointer(&c.items[0]))
				if a := uintptr(unsafe.Pointer(p)); a >= lo && a < lo+uintptr(len(c.items))*unsafe.Sizeof(c.items[0]) {
					return true
				}
			}
		}
		return false
	}
	var err error
	b, err = New(impl.Config[item]{
		BatchSize:     64,
		BatchInterval: time.Millisecond,
		Processor: func(batch []item) error {
			mu.Lock()
			defer mu.Unlock()
			batches++
			if !inChunk(&batch[0]) {
				copied++
			}
			for _, it := range batch {
				if it.seq != next[it.producer] && len(errs) < 5 {
					errs = append(errs, fmt.Sprintf("producer %d: got seq %d, want %d", it.producer, it.seq, next[it.producer]))
				}
				next[it.producer] = it.seq + 1
			}
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for p := range producers {
		wg.Go(func() {
			for i := range perProducer {
				if err := b.Add(item{p, i}); err != nil {
					t.Error(err)
					return
				}
				if i%16 == 15 {
					runtime.Gosched() // let another producer onto this P, and this one onto another
				}
			}
		})
	}
	wg.Wait()
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	for _, e := range errs {
		t.Error(e)
	}
	for p, n := range next {
		if n != perProducer {
			t.Errorf("producer %d: %d items arrived, want %d", p, n, perProducer)
		}
	}
	return copied, batches
}
