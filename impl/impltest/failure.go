package impltest

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/batchbench/batchbench/impl"
	"github.com/batchbench/batchbench/impl/registry"
)

var errPlanted = errors.New("planted processor failure")

// failure is one OnError call.
type failure struct {
	err       error
	batch     []Item
	processed uint64 // Stats.Processed during the call
}

// failures collects OnError calls. Its Batcher is set before the first Add.
type failures struct {
	b    batcher
	mu   sync.Mutex
	list []failure
}

func (f *failures) onError(err error, batch []Item) {
	processed := f.b.Stats().Processed
	f.mu.Lock()
	defer f.mu.Unlock()
	f.list = append(f.list, failure{err, slices.Clone(batch), processed})
}

func (f *failures) all() []failure {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.list)
}

// testProcessorError: a processor error fails its batch only. The batcher
// keeps going, Stats.Failed counts the batch, and OnError gets an error that
// errors.Is the processor's, with the failed batch, before its items count
// as processed.
func testProcessorError(t *T, newBatcher registry.Factory) {
	rec := newRecorder(1)
	var fails failures
	cfg := config(1, func(batch []Item) error {
		rec.process(batch)
		if batch[0]%3 == 0 {
			return fmt.Errorf("item %d: %w", batch[0], errPlanted)
		}
		return nil
	})
	cfg.OnError = fails.onError
	b := start(t, newBatcher, cfg)
	fails.b = b
	add(t, b, seq(0, 10)...)
	mustJoin(t, b)
	// The batcher still works after the failures.
	add(t, b, 10, 11)
	mustJoin(t, b)

	rec.checkExactlyOnce(t, seq(0, 12))
	wantStats(t, b, impl.Stats{Added: 12, Processed: 12, Batches: 12, Failed: 4})
	got := fails.all()
	var ids []Item
	for _, f := range got {
		if len(f.batch) != 1 {
			t.Errorf("OnError got batch %v, want the one failed item", f.batch)
			continue
		}
		id := f.batch[0]
		ids = append(ids, id)
		if !errors.Is(f.err, errPlanted) {
			t.Errorf("OnError for item %d got %v, which does not wrap the processor's error", id, f.err)
		}
		// Concurrency 1 and BatchSize 1: items 0..id-1 are done, id is not.
		if f.processed != uint64(id) {
			t.Errorf("Stats.Processed during OnError for item %d = %d, want %d: the failed batch must not count yet", id, f.processed, id)
		}
	}
	if !slices.Equal(ids, []Item{0, 3, 6, 9}) {
		t.Errorf("OnError called for items %v, want [0 3 6 9]", ids)
	}

	t.Run("NoOnError", func(t *T) {
		b := start(t, newBatcher, config(2, func([]Item) error { return errPlanted }))
		add(t, b, seq(0, 5)...)
		mustJoin(t, b)
		wantStats(t, b, impl.Stats{Added: 5, Processed: 5, Batches: 3, Failed: 3})
	})
}

// testProcessorPanic: a processor panic fails its batch only, and OnError
// gets an *impl.PanicError with the value and the panicking goroutine's
// stack; a panic with an error value also unwraps to it.
func testProcessorPanic(t *T, newBatcher registry.Factory) {
	rec := newRecorder(1)
	var fails failures
	cfg := config(1, func(batch []Item) error {
		rec.process(batch)
		switch batch[0] {
		case 2:
			panic("planted panic")
		case 5:
			panic(errPlanted)
		}
		return nil
	})
	cfg.OnError = fails.onError
	b := start(t, newBatcher, cfg)
	fails.b = b
	add(t, b, seq(0, 8)...)
	mustJoin(t, b)

	rec.checkExactlyOnce(t, seq(0, 8))
	wantStats(t, b, impl.Stats{Added: 8, Processed: 8, Batches: 8, Failed: 2})
	got := fails.all()
	if len(got) != 2 {
		t.Fatalf("OnError called %d times, want 2", len(got))
	}
	for i, want := range []any{"planted panic", errPlanted} {
		f := got[i]
		var pe *impl.PanicError
		if !errors.As(f.err, &pe) {
			t.Errorf("OnError got %T %v, want an error wrapping *impl.PanicError", f.err, f.err)
			continue
		}
		if pe.Value != want {
			t.Errorf("PanicError.Value = %v, want %v", pe.Value, want)
		}
		// The stack is taken before unwinding, so it shows the processor.
		if !bytes.Contains(pe.Stack, []byte("testProcessorPanic")) {
			t.Errorf("PanicError.Stack does not show the panicking processor:\n%s", pe.Stack)
		}
		if err, ok := want.(error); ok && !errors.Is(f.err, err) {
			t.Errorf("OnError got %v, which does not unwrap to the panic's error value", f.err)
		}
		if f.processed != uint64(f.batch[0]) {
			t.Errorf("Stats.Processed during OnError for item %d = %d, want %d", f.batch[0], f.processed, f.batch[0])
		}
	}
}
