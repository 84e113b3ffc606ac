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
	const producers, perProducer = 4, 20_000
	type item struct{ producer, seq int }
	var (
		mu      sync.Mutex
		next    [producers]int
		copied  int
		batches int
		b       *Batcher[item]
		errs    []string
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
	t.Logf("%d of %d batches were interleaved and copied", copied, batches)
	if copied == 0 {
		t.Error("no batch interleaved producers on several Ps: the copy path was not exercised")
	}
}
