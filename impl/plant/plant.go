// Package plant is where the merge gate's calibration plants a slowdown
// of known size in head: the top of mutex's Add, the design the gate's
// calibration measures. In an ordinary build nothing is planted and the
// point compiles to nothing; in a build with the "plant" tag, the
// implementation that the environment's Env names stalls for a number of
// dependent multiply-adds once every so many items, a cost per item that
// the spacing sets finely and whose size the calibration measures. The
// spacing may differ by cell, as an item's cost does (the harness's
// worker calls Select before each run), so that each cell carries the
// same fraction of its own time. The base a planted head is measured
// against runs the same build with an empty stall (Spec.Empty).
package plant

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Env names the planted implementation and the slowdown to a worker, as
// "IMPL:EVERY:ROUNDS", e.g. "mutex:40:64", followed by any cells spaced
// otherwise, each as ";CELL@EVERY", e.g. ";Size/impl=mutex/size=10@7".
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
	Every  int // items per stall, in cells Cells does not name
	Rounds int // multiply-adds per stall
	// Cells, if not nil, gives the items per stall of the cells it names,
	// by cell name.
	Cells map[string]int
}

func (s Spec) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d:%d", s.Impl, s.Every, s.Rounds)
	for _, c := range slices.Sorted(maps.Keys(s.Cells)) {
		fmt.Fprintf(&b, ";%s@%d", c, s.Cells[c])
	}
	return b.String()
}

// Empty is s with an empty stall: the point still counts its items and
// calls Stall as often, so that a side running it differs from one
// running s by the multiply-adds alone.
func (s Spec) Empty() Spec {
	s.Rounds = 0
	return s
}

// Parse reads Env's value.
func Parse(v string) (Spec, error) {
	fields := strings.Split(v, ";")
	parts := strings.Split(fields[0], ":")
	if len(parts) != 3 {
		return Spec{}, fmt.Errorf("bad %s %q: want IMPL:EVERY:ROUNDS", Env, v)
	}
	every, err1 := strconv.Atoi(parts[1])
	rounds, err2 := strconv.Atoi(parts[2])
	if err1 != nil || err2 != nil || every < 1 || rounds < 0 {
		return Spec{}, fmt.Errorf("bad %s %q: EVERY must be >= 1 and ROUNDS >= 0", Env, v)
	}
	s := Spec{Impl: parts[0], Every: every, Rounds: rounds}
	for _, f := range fields[1:] {
		cell, e, ok := strings.Cut(f, "@")
		n, err := strconv.Atoi(e)
		if !ok || cell == "" || err != nil || n < 1 {
			return Spec{}, fmt.Errorf("bad %s %q: want ;CELL@EVERY with EVERY >= 1, got %q", Env, v, f)
		}
		if _, dup := s.Cells[cell]; dup {
			return Spec{}, fmt.Errorf("bad %s %q: %s spaced twice", Env, v, cell)
		}
		if s.Cells == nil {
			s.Cells = map[string]int{}
		}
		s.Cells[cell] = n
	}
	return s, nil
}

// A Point is a planted slowdown at work. Its caller counts the items
// itself, inline, and calls Stall when Calls reaches Every: a call per
// item would cost more than the small slowdowns it plants, as generic
// code instantiated in another package does not inline it. The count is
// not atomic: it only spaces the stalls out, and a plant build never runs
// under the race detector.
type Point struct {
	Calls, Every, rounds int
	spec                 Spec // for Select
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
	return Spec{Impl: impl, Every: spacing(perItem, stall), Rounds: Rounds}
}

// SizedIn returns s with cell's stalls spaced to add perItem nanoseconds
// to each of its items, as Sized spaces them. s is not changed; a cell
// where perItem is not positive keeps s's spacing.
func (s Spec) SizedIn(cell string, perItem, stall float64) Spec {
	if perItem <= 0 {
		return s
	}
	s.Cells = maps.Clone(s.Cells)
	if s.Cells == nil {
		s.Cells = map[string]int{}
	}
	s.Cells[cell] = spacing(perItem, stall)
	return s
}

func spacing(perItem, stall float64) int { return max(1, int(stall/perItem+0.5)) }

// every is how many items apart s's stalls are in cell.
func (s Spec) every(cell string) int {
	if n, ok := s.Cells[cell]; ok {
		return n
	}
	return s.Every
}
