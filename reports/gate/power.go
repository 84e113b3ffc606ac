package gate

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"

	"golang.org/x/perf/benchmath"
)

// The gate's power is estimated by simulation with benchmath's own test:
// a cell's noise is the spread of its runs around their medians, and a
// change of δ is detectable when samples drawn from that noise, with
// head scaled by 1+δ, reach p <= alpha in at least Power of the trials.
// The draws are a smoothed bootstrap (each resampled run jittered by a
// normal kernel of Silverman's bandwidth), because a handful of runs
// resampled as they are makes a coarse grid of ties that hides small
// shifts. Trials are seeded by the cell, so a report is reproducible.

// trials is the number of simulated comparisons per power estimate:
// enough for a ±3-point estimate of an 80% power.
const trials = 200

// MinCount returns the smallest number of runs per side at which
// benchmath's U test can reach p <= alpha at all (two samples that do not
// overlap); 0 when no count up to 100 can.
func MinCount(alpha float64) int {
	for n := 1; n <= 100; n++ {
		if smallestP(n) <= alpha {
			return n
		}
	}
	return 0
}

// smallestP is the smallest p benchmath's U test gives n runs per side:
// that of two samples that do not overlap.
func smallestP(n int) float64 {
	a, b := make([]float64, n), make([]float64, n)
	for i := range n {
		a[i], b[i] = float64(i), float64(n+i)
	}
	th := benchmath.DefaultThresholds
	return benchmath.AssumeNothing.Compare(benchmath.NewSample(a, &th), benchmath.NewSample(b, &th)).P
}

// residuals are both samples' runs relative to their own medians: the
// noise around whatever each side's level is.
func residuals(base, head []float64) []float64 {
	var out []float64
	for _, s := range [][]float64{base, head} {
		m := median(s)
		for _, v := range s {
			if m != 0 {
				out = append(out, v/m)
			} else {
				out = append(out, 1)
			}
		}
	}
	return out
}

func median(s []float64) float64 {
	if len(s) == 0 {
		return 0
	}
	c := slices.Clone(s)
	slices.Sort(c)
	if len(c)%2 == 1 {
		return c[len(c)/2]
	}
	return (c[len(c)/2-1] + c[len(c)/2]) / 2
}

// bandwidth is Silverman's robust rule-of-thumb kernel width: the spread
// is the smaller of the standard deviation and the interquartile range
// over 1.34, so one outlier run does not blur every draw.
func bandwidth(noise []float64, sd float64) float64 {
	s := slices.Clone(noise)
	slices.Sort(s)
	q := func(p float64) float64 { return s[int(p*float64(len(s)-1)+0.5)] }
	spread := sd
	if iqr := (q(0.75) - q(0.25)) / 1.34; iqr > 0 && iqr < spread {
		spread = iqr
	}
	return 0.9 * spread * math.Pow(float64(len(noise)), -0.2)
}

// meanSD is the sample mean and standard deviation.
func meanSD(s []float64) (m, sd float64) {
	m = mean(s)
	if len(s) < 2 {
		return m, 0
	}
	v := 0.0
	for _, x := range s {
		v += (x - m) * (x - m)
	}
	return m, math.Sqrt(v / float64(len(s)-1))
}

// mean gives the direction of a simulated difference; medians of
// resampled runs tie too often to.
func mean(s []float64) float64 {
	t := 0.0
	for _, v := range s {
		t += v
	}
	return t / float64(len(s))
}

// power estimates the probability that the test at alpha finds head,
// nBase and nHead runs drawn from noise with head scaled by 1+delta,
// significantly higher than base.
func power(noise []float64, nBase, nHead int, a benchmath.Assumption, alpha, delta float64, seed uint64) float64 {
	th := benchmath.DefaultThresholds
	th.CompareAlpha = alpha
	rng := rand.New(rand.NewPCG(seed, uint64(nBase)<<32|uint64(nHead)))
	m, sd := meanSD(noise)
	h := bandwidth(noise, sd)
	shrink := 1 / math.Sqrt(1+h*h/math.Max(sd*sd, 1e-300)) // keeps the variance the runs have
	draw := func() float64 { return m + (noise[rng.IntN(len(noise))]-m+h*rng.NormFloat64())*shrink }
	hits := 0
	base, head := make([]float64, nBase), make([]float64, nHead)
	for range trials {
		for i := range base {
			base[i] = draw()
		}
		for i := range head {
			head[i] = draw() * (1 + delta)
		}
		bs, hs := benchmath.NewSample(slices.Clone(base), &th), benchmath.NewSample(slices.Clone(head), &th)
		if c := a.Compare(bs, hs); c.P <= alpha && mean(head) > mean(base) {
			hits++
		}
	}
	return float64(hits) / trials
}

// resolve returns the smallest relative change that nBase and nHead runs
// with the given noise detect with probability Power at alpha, to about
// 2% of itself; +Inf when even a tenfold change is not detected (too few
// runs to reach alpha).
func resolve(noise []float64, nBase, nHead int, a benchmath.Assumption, alpha float64, seed uint64) float64 {
	if min(nBase, nHead) < 1 || len(noise) == 0 {
		return math.Inf(1)
	}
	const lo0, hi0 = 1e-4, 10.0
	if power(noise, nBase, nHead, a, alpha, hi0, seed) < Power {
		return math.Inf(1)
	}
	if power(noise, nBase, nHead, a, alpha, lo0, seed) >= Power {
		return lo0
	}
	lo, hi := lo0, hi0
	for hi/lo > 1.02 {
		mid := math.Sqrt(lo * hi)
		if power(noise, nBase, nHead, a, alpha, mid, seed) >= Power {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// needCount returns about how many runs per side resolve threshold with
// this noise: the smallest count, from n up, at which a change of
// threshold is detected with probability Power; 0 when even 1000 runs
// would not.
func needCount(noise []float64, n int, a benchmath.Assumption, alpha, threshold float64, seed uint64) int {
	ok := func(n int) bool { return power(noise, n, n, a, alpha, threshold, seed) >= Power }
	lo, hi := max(n, 1), max(n, 1)*2
	for !ok(hi) {
		if hi >= 1000 {
			return 0
		}
		lo, hi = hi, min(hi*2, 1000)
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if ok(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// cellSeed derives a reproducible seed from the cell's identity.
func cellSeed(c Cell) uint64 {
	h := fnv.New64a()
	h.Write([]byte(c.Section + "\x00" + c.Row + "\x00" + c.Unit))
	return h.Sum64()
}
