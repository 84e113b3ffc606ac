package gate

import (
	"math"
	"slices"

	"github.com/aclements/go-moremath/stats"
)

// trim is the share of a cell metric's pairs that its paired test sets
// aside at each end. The pairs' log ratios on a shared VM have heavy
// tails (spells of runs twice as slow, a few milliseconds long), and a
// mean follows its tails. Resampled from recorded A/A pairs of the
// closed-loop cells, 90 pairs a cell, the test of the 20%-trimmed mean
// detected a 4% shift in a median 75% of resamples where the test of the
// mean detected it in 66% (docs/merge-gate.md).
const trim = 0.2

// A trimmedMean is a sample summarised for Yuen's one-sample test: the
// mean of its middle values, trim of them set aside at each end, and that
// mean's standard error, from the variance of the sample winsorized at
// the same points. It is a stats.TTestSample whose Weight is the values
// kept, so stats.OneSampleTTest of it is Yuen's test, with one degree of
// freedom fewer than the values kept. Below 5 values nothing is trimmed,
// and it is the mean and the t-test.
type trimmedMean struct {
	mean, se float64
	kept     int
}

// trimmed summarises d, which it does not modify; d has 2 values or more.
func trimmed(d []float64) trimmedMean {
	x := slices.Sorted(slices.Values(d))
	n := len(x)
	g := int(trim * float64(n))
	lo, hi := x[g], x[n-1-g]
	for i := range g {
		x[i], x[n-1-i] = lo, hi
	}
	kept := n - 2*g
	sum := 0.0
	for _, v := range x[g : n-g] {
		sum += v
	}
	// Yuen: the winsorized variance over h(h−1) rather than n(n−1).
	se := math.Sqrt(stats.Variance(x) * float64(n-1) / float64(kept*(kept-1)))
	return trimmedMean{mean: sum / float64(kept), se: se, kept: kept}
}

func (t trimmedMean) Weight() float64   { return float64(t.kept) }
func (t trimmedMean) Mean() float64     { return t.mean }
func (t trimmedMean) Variance() float64 { return t.se * t.se * float64(t.kept) }

// spread is the standard deviation the test sees in n values: for a
// normal sample, about their standard deviation.
func (t trimmedMean) spread(n int) float64 { return t.se * math.Sqrt(float64(n)) }

// quantile is the quantile function of the test's t distribution.
func (t trimmedMean) quantile() func(float64) float64 {
	return stats.InvCDF(stats.TDist{V: float64(t.kept - 1)})
}
