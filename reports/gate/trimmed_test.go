package gate

import (
	"math"
	"testing"

	"github.com/aclements/go-moremath/stats"
)

func TestTrimmedMeanSetsTheTailsAside(t *testing.T) {
	near := func(got, want float64) bool { return math.Abs(got-want) < 1e-9 }
	// 1…10: 2 set aside at each end, the mean of 3…8; the winsorized
	// sample 3,3,3,4,5,6,7,8,8,8 has variance 42.5/9, and Yuen's standard
	// error is √(9·(42.5/9)/(6·5)).
	tm := trimmed([]float64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1})
	if tm.kept != 6 || !near(tm.mean, 5.5) || !near(tm.se, math.Sqrt(42.5/30)) {
		t.Errorf("1…10: %+v; want mean 5.5, se %.6f, 6 kept", tm, math.Sqrt(42.5/30))
	}
	// Two wild values in ten move the mean, not the trimmed mean.
	wild := trimmed([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 1000})
	if !near(wild.mean, 5.5) || !near(wild.se, tm.se) {
		t.Errorf("with a wild value: %+v; want %+v", wild, tm)
	}
	// Below 5 values nothing is trimmed: the mean and its standard error.
	few := []float64{1, 2, 4, 9}
	if tm := trimmed(few); tm.kept != 4 || !near(tm.mean, stats.Mean(few)) || !near(tm.se, stats.StdDev(few)/2) {
		t.Errorf("%v: %+v; want the mean and its standard error", few, tm)
	}
	// The library's one-sample t-test of it is Yuen's: t = mean/se on
	// kept−1 degrees of freedom.
	r, err := stats.OneSampleTTest(tm, 0, stats.LocationGreater)
	if err != nil || !near(r.T, 5.5/tm.se) || r.DoF != 5 {
		t.Errorf("OneSampleTTest: %+v, %v; want t %.4f on 5 degrees of freedom", r, err, 5.5/tm.se)
	}
}
