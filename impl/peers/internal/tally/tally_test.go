package tally

import (
	"errors"
	"testing"
	"time"

	"github.com/batchbench/batchbench/impl"
)

// Join returns at once, without flushing, when everything added is
// processed; otherwise it flushes, waits for the items added before it,
// and times out.
func TestJoin(t *testing.T) {
	tl := New(impl.Config[int]{Processor: func([]int) error { return nil }})
	flushes := 0
	flush := func() { flushes++ }
	if err := tl.Join(time.Millisecond, flush); err != nil || flushes != 0 {
		t.Errorf("Join with nothing added = %v after %d flushes, want nil and none", err, flushes)
	}
	for range 3 {
		tl.Admit()
	}
	if err := tl.Join(time.Millisecond, flush); !errors.Is(err, impl.ErrTimeout) || flushes != 1 {
		t.Errorf("Join with nothing processed = %v after %d flushes, want ErrTimeout and one", err, flushes)
	}
	done := make(chan error, 1)
	go func() { done <- tl.Join(time.Minute, func() {}) }()
	tl.Process([]int{1, 2})
	select {
	case err := <-done:
		t.Fatalf("Join returned %v with 2 of 3 processed", err)
	case <-time.After(10 * time.Millisecond):
	}
	tl.Admit() // after the Join: not waited for
	tl.Process([]int{3})
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Join = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Join did not return with 3 processed")
	}
	if n := tl.Len(); n != 1 {
		t.Errorf("Len = %d, want 1", n)
	}
}

// A panic or an error fails one batch, reaches OnError before the batch
// counts as processed, and never escapes Process.
func TestProcessFailures(t *testing.T) {
	var tl *Tally[int]
	var seen []uint64
	tl = New(impl.Config[int]{
		Processor: func(b []int) error {
			if b[0] == 1 {
				panic("planted")
			}
			return errors.New("planted error")
		},
		OnError: func(err error, batch []int) {
			var pe *impl.PanicError
			if batch[0] == 1 && !errors.As(err, &pe) {
				t.Errorf("OnError got %v for a panic, want a *impl.PanicError", err)
			}
			seen = append(seen, tl.Stats().Processed)
		},
	})
	tl.Admit()
	tl.Admit()
	tl.Process([]int{1})
	tl.Process([]int{2})
	if s := tl.Stats(); s != (impl.Stats{Added: 2, Processed: 2, Batches: 2, Failed: 2}) {
		t.Errorf("Stats = %+v", s)
	}
	if len(seen) != 2 || seen[0] != 0 || seen[1] != 1 {
		t.Errorf("Processed during OnError = %v, want [0 1]", seen)
	}
}

// Len never goes negative when a batch is processed before its items are
// admitted.
func TestLenNeverNegative(t *testing.T) {
	tl := New(impl.Config[int]{Processor: func([]int) error { return nil }})
	tl.Process([]int{1})
	if n := tl.Len(); n != 0 {
		t.Errorf("Len = %d, want 0", n)
	}
}
