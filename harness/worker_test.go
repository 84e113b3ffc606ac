package harness

import (
	"errors"
	"testing"
	"time"
)

// A cell that costs 30 ns an item and 0.2 ms a run, whose first run in a
// process costs 100 ns an item: a cold warm-up of 12,500 items alone
// predicts 172,000 items, runs of 5.4 ms for a 20 ms runtime.
func TestScaleItemsLooksPastAColdWarmUp(t *testing.T) {
	const runTime = 20 * time.Millisecond
	cost := func(n int, perItem time.Duration) time.Duration {
		return 200*time.Microsecond + time.Duration(n)*perItem
	}
	calls := 0
	got, err := scaleItems(runTime, 50_000, 12_500, cost(12_500, 100), func(n int) (time.Duration, error) {
		calls++
		return cost(n, 30), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls == 0 || calls > calibrationRuns {
		t.Errorf("%d discarded runs; want 1 to %d", calls, calibrationRuns)
	}
	if wall := cost(got, 30); wall < runTime*9/10 || wall > runTime*11/10 {
		t.Errorf("scaled to %d items, a run of %v; want about %v", got, wall, runTime)
	}
}

func TestScaleItemsKeepsItsFloorAndItsErrors(t *testing.T) {
	slow := func(n int) (time.Duration, error) { return time.Duration(n) * time.Millisecond, nil }
	if got, err := scaleItems(20*time.Millisecond, 5_000, 100, 100*time.Millisecond, slow); err != nil || got != 5_000 {
		t.Errorf("slow cell scaled to %d, %v; want its floor, 5000", got, err)
	}
	broken := errors.New("self-check failed")
	if _, err := scaleItems(20*time.Millisecond, 1, 100, time.Millisecond, func(int) (time.Duration, error) { return 0, broken }); !errors.Is(err, broken) {
		t.Errorf("err = %v; want the discarded run's", err)
	}
}
