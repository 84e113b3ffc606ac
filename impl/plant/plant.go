// Package plant is where the merge gate's calibration plants a slowdown
// of known size in head: the top of mutex's Add, the design the gate's
// calibration measures. In an ordinary build nothing is planted and the
// point compiles to nothing; in a build with the "plant" tag, the
// implementation that the environment's Env names stalls for a number of
// dependent multiply-adds once every so many items, a cost per item that
// the spacing sets finely and whose size the calibration measures. The
// base a planted head is measured against runs the same build with an
// empty stall (Spec.Empty).
package plant

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Env names the planted implementation and the slowdown to a worker, as
// "IMPL:EVERY:ROUNDS", e.g. "mutex:40:64".
const Env = "BATCHBENCH_PLANT"

// Rounds is how many dependent multiply-adds one planted stall runs:
// enough that out-of-order execution hides little of the chain in the
// shadow of the items' own work. With 64 (a 69 ns stall, alone), a plant
// sized to add 5% to mutex's Size/1000 added 1.9%; with 1024 (1.2 µs),
// 6.0% where base's time per item put it at 5.7%.
const Rounds = 1024

// A Spec is a planted slowdown.
type Spec struct {
	Impl   string
	Every  int // items per stall
	Rounds int // multiply-adds per stall
}

func (s Spec) String() string { return fmt.Sprintf("%s:%d:%d", s.Impl, s.Every, s.Rounds) }

// Empty is s with an empty stall: the point still counts its items and
// calls Stall, so that a side running it differs from one running s by
// the multiply-adds alone.
func (s Spec) Empty() Spec {
	s.Rounds = 0
	return s
}

// Parse reads Env's value.
func Parse(v string) (Spec, error) {
	parts := strings.Split(v, ":")
	if len(parts) != 3 {
		return Spec{}, fmt.Errorf("bad %s %q: want IMPL:EVERY:ROUNDS", Env, v)
	}
	every, err1 := strconv.Atoi(parts[1])
	rounds, err2 := strconv.Atoi(parts[2])
	if err1 != nil || err2 != nil || every < 1 || rounds < 0 {
		return Spec{}, fmt.Errorf("bad %s %q: EVERY must be >= 1 and ROUNDS >= 0", Env, v)
	}
	return Spec{parts[0], every, rounds}, nil
}

// A Point is a planted slowdown at work. Its caller counts the items
// itself, inline, and calls Stall when Calls reaches Every: a call per
// item would cost more than the small slowdowns it plants, as generic
// code instantiated in another package does not inline it. The count is
// not atomic: it only spaces the stalls out, and a plant build never runs
// under the race detector.
type Point struct {
	Calls, Every, rounds int
}

// sink keeps a stall's result, so that the compiler cannot drop it.
var sink uint64

// Stall resets the count and runs the point's dependent multiply-adds.
func (p *Point) Stall() {
	p.Calls = 0
	w := sink
	for i := range uint64(p.rounds) {
		w = w*0x9E3779B97F4A7C15 + i
	}
	sink = w
}

// StallTime is what one stall of Rounds takes on this machine: the
// fastest of a few timings of many, the one least disturbed.
func StallTime() time.Duration {
	const n = 1 << 14
	p := &Point{rounds: Rounds}
	best := time.Duration(1<<63 - 1)
	for range 5 {
		start := time.Now()
		for range n {
			p.Stall()
		}
		best = min(best, time.Since(start))
	}
	return best / n
}

// Sized returns the slowdown of impl that adds about perItem nanoseconds
// to each item, when one stall of Rounds takes stall nanoseconds (see
// StallTime): a stall every so many items. Both are float64 nanoseconds,
// as a few percent of a fast cell is well under one (5% of 7 ns is 0.35).
// Nothing is planted (Rounds 0) when perItem is not positive.
func Sized(impl string, perItem, stall float64) Spec {
	if perItem <= 0 {
		return Spec{Impl: impl, Every: 1}
	}
	return Spec{Impl: impl, Every: max(1, int(stall/perItem+0.5)), Rounds: Rounds}
}
