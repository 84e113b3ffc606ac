package mb_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/batchbench/batchbench/impl"
	"github.com/batchbench/batchbench/impl/peers/mb"
)

// TestWaitsRacingTimeLimitsAndJoins is the conformance suite's stress
// round that hung (1 run in 30): one-item batches, producers filling a
// small buffer, Waits ending by time limit or by a Join's cancellation.
// When several goroutines Wait, mb v3.0.2 hands one waiter to two Waits and
// releaseWaiter blocks holding mb's lock, so every Add and Wait hangs.
func TestWaitsRacingTimeLimitsAndJoins(t *testing.T) {
	const producers, perProducer, rounds, size = 8, 2000, 30, 1
	for round := range rounds {
		b, err := mb.New(impl.Config[int]{
			BatchSize:     size,
			BatchInterval: 50 * time.Microsecond,
			Concurrency:   4,
			MaxQueueSize:  size,
			Processor:     func([]int) error { return nil },
		})
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			var wg sync.WaitGroup
			for range producers {
				wg.Go(func() {
					for i := range perProducer {
						if err := b.Add(i); err != nil {
							t.Errorf("Add = %v", err)
							return
						}
					}
				})
			}
			stop := make(chan struct{})
			var joins sync.WaitGroup
			joins.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					if err := b.Join(time.Millisecond); err != nil && !errors.Is(err, impl.ErrTimeout) {
						t.Errorf("Join = %v", err)
					}
				}
			})
			wg.Wait()
			close(stop)
			joins.Wait()
			if err := b.Close(); err != nil {
				t.Errorf("Close = %v", err)
			}
		}()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("round %d: Adds, Joins and Close did not return within 20s", round)
		}
		if s := b.Stats(); s.Processed != producers*perProducer {
			t.Errorf("round %d: processed %d items, want %d", round, s.Processed, producers*perProducer)
		}
	}
}
