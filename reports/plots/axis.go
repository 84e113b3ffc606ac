package plots

import (
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
)

// logTicks labels a log axis at 1-2-5 steps when it spans up to three
// decades and at powers of ten (with unlabelled minor ticks) beyond that.
// plot.LogTicks labels only powers of ten, which leaves a one-decade axis
// with a single label or none. It never panics: a range that is not
// positive gets no ticks (the caller keeps such data off log axes).
func logTicks(min, max float64) []plot.Tick {
	if !(min > 0 && max > min) || math.IsInf(max, 0) {
		return nil
	}
	mantissas := []float64{1, 2, 5}
	if math.Log10(max/min) > 3 {
		mantissas = []float64{1}
	}
	var ticks []plot.Tick
	for e := math.Floor(math.Log10(min)); e <= math.Ceil(math.Log10(max)); e++ {
		decade := math.Pow(10, e)
		for m := 1.0; m < 10; m++ {
			v := m * decade
			if v < min*(1-1e-9) || v > max*(1+1e-9) {
				continue
			}
			t := plot.Tick{Value: v}
			for _, lm := range mantissas {
				if m == lm {
					t.Label = formatTick(v)
				}
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}

// logBounds widens [lo, hi] (both > 0) to the nearest labelled ticks of
// logTicks below and above, so every value drawn lies between labels:
// 1-2-5 steps up to three decades, powers of ten beyond.
func logBounds(lo, hi float64) (float64, float64) {
	mantissas := []float64{1, 2, 5}
	if math.Log10(hi/lo) > 3 {
		mantissas = []float64{1}
	}
	down, up := math.Inf(-1), math.Inf(1)
	for e := math.Floor(math.Log10(lo)) - 1; e <= math.Ceil(math.Log10(hi))+1; e++ {
		for _, m := range mantissas {
			v := m * math.Pow(10, e)
			if v <= lo*(1+1e-9) {
				down = math.Max(down, v)
			}
			if v >= hi*(1-1e-9) {
				up = math.Min(up, v)
			}
		}
	}
	return down, up
}

// linearMax rounds hi up to the next label of linearTicks(0, hi).
func linearMax(hi float64) float64 {
	if !(hi > 0) || math.IsInf(hi, 0) {
		return hi
	}
	step := linearStep(0, hi)
	return math.Ceil(hi/step*(1-1e-12)) * step
}

// formatTick prints a tick value with at most three significant digits and
// no exponent for the magnitudes a scaled axis shows.
func formatTick(v float64) string {
	if v != 0 && (math.Abs(v) >= 1e6 || math.Abs(v) < 1e-3) {
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// paramTicks labels the x axis exactly at the parameter values, with the
// strings from the benchmark names ("1k", "10ms"), thinned so at most
// maxLabels are labelled and labels do not collide.
func paramTicks(pos []float64, labels []string) plot.ConstantTicks {
	const maxLabels = 12
	step := (len(pos) + maxLabels - 1) / maxLabels
	ticks := make(plot.ConstantTicks, len(pos))
	for i := range pos {
		ticks[i] = plot.Tick{Value: pos[i]}
		if i%step == 0 {
			ticks[i].Label = labels[i]
		}
	}
	return ticks
}

// spansDecades reports whether positive values range over at least ratio.
func spansDecades(min, max, ratio float64) bool {
	return min > 0 && max/min >= ratio
}

// linearTicks labels a linear axis at 1-2-2.5-5 steps, about five labels,
// with minor ticks between; gonum's DefaultTicks often labels only two
// values and pads them with zeros ("250.00").
func linearTicks(min, max float64) []plot.Tick {
	if !(max > min) || math.IsInf(max-min, 0) {
		return nil
	}
	step := linearStep(min, max)
	var ticks []plot.Tick
	for i := math.Ceil(min / step * 2); i*step/2 <= max*(1+1e-12); i++ {
		v := i * step / 2
		t := plot.Tick{Value: v}
		if math.Mod(i, 2) == 0 {
			t.Label = formatStep(v, step)
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// linearStep is the labelled step of a linear axis: 1, 2, 2.5 or 5 times
// a power of ten, about five labels over the range.
func linearStep(min, max float64) float64 {
	raw := (max - min) / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*mag >= raw {
			return m * mag
		}
	}
	return 10 * mag
}

// formatStep prints a multiple of step with just the decimals step needs,
// so float noise (0.6000000000000001) never reaches a label.
func formatStep(v, step float64) string {
	prec := 0
	for ; prec < 12; prec++ {
		scaled := step * math.Pow(10, float64(prec))
		if math.Abs(scaled-math.Round(scaled)) < 1e-9*scaled {
			break
		}
	}
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}
