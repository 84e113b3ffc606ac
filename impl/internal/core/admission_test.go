package core

import (
	"sync"
	"sync/atomic"
	"testing"
)

// Pending never exceeds the limit, however admissions and releases race
// its reads. Read as releases, then admissions, it once overestimated:
// releases and new admissions between the two reads counted twice.
func TestPendingNeverExceedsTheLimit(t *testing.T) {
	const limit, workers, rounds = 16, 4, 20_000
	a := NewAdmission(limit)
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range rounds {
				if _, err := a.Acquire(); err != nil {
					t.Error(err)
					return
				}
				a.Release(1)
			}
		})
	}
	worst := 0
	done := make(chan struct{})
	go func() {
		defer close(done)
		for !stop.Load() {
			worst = max(worst, a.Pending())
		}
	}()
	wg.Wait()
	stop.Store(true)
	<-done
	if worst > limit {
		t.Errorf("Pending reached %d, above the limit %d", worst, limit)
	}
}
