package calibration

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/batchbench/batchbench/reports/gate"
	"github.com/batchbench/batchbench/reports/table"
)

// A Replay makes many simulated decisions of a plan from one recorded
// compare's pairs: the way to bound a gate's error rates tightly without
// the hours thousands of real decisions would take.
//
// The recording must be of identical builds (A/A). Each simulated
// decision draws every cell's pairs at random, with replacement, from
// the cell's recorded pairs, and swaps a drawn pair's base and head at
// random: with the sides' order drawn at random in every pair, a pair of
// identical builds is as likely one way round as the other, so this is
// the null distribution itself, whatever its shape. In the cells Shifted
// selects, head's time per op is then slowed by Shift. It spends the
// budget as a compare does, on a clock that each pair moves by what a
// pair of its cell cost in the recording: the plan's MinPairs pairs of
// every cell, then equal time for every open cell (gate.Turns), a look
// after every round, the confirmation of what the screen flagged on fresh
// draws, with gate.ConfirmShare of the budget, and the screen's open cells
// again with what the confirmation left.
//
// It assumes what the resampling assumes: pairs independent of one
// another, and a recording long enough to show their spread, a few dozen
// pairs a cell.
type Replay struct {
	Plan gate.Plan
	// Recorded are the pairs of one compare's screen, every unit of a
	// cell (see gate.ReadPairs).
	Recorded []*gate.Paired
	// Cost is what a pair of each recorded cell took, its runs'
	// overheads included; Budget is the simulated compare's.
	Cost   map[string]time.Duration
	Budget time.Duration
	// Shift is the relative slowdown planted in head's sec/op and
	// cpu-sec/op, in the cells Shifted selects (nil: every cell).
	Shift   float64
	Shifted func(cell string) bool
	Seed    uint64
}

// Run makes n simulated decisions and returns them as a Calibration.
// It reads Recorded only.
func (r Replay) Run(n int) *Calibration {
	cal := &Calibration{}
	rng := rand.New(rand.NewPCG(r.Seed, 0x62617463686265))
	cells := r.pools()
	for range n {
		cal.Add(r.decide(rng, cells))
	}
	return cal
}

// pool is one cell's recorded pairs: pair i's units are Units[u][i].
type pool struct {
	name   string
	units  []*gate.Paired // every unit of the cell, as recorded
	shifts []float64      // the slowdown planted in each unit's head
}

// pools groups the recorded pairs by cell, centred and shifted.
func (r Replay) pools() []*pool {
	var out []*pool
	index := map[string]*pool{}
	for _, p := range r.Recorded {
		c := index[p.Name]
		if c == nil {
			c = &pool{name: p.Name}
			index[p.Name] = c
			out = append(out, c)
		}
		shift := 0.0
		if p.Unit == "sec/op" || p.Unit == "cpu-sec/op" {
			if r.Shifted == nil || r.Shifted(p.Name) {
				shift = r.Shift
			}
		}
		c.units = append(c.units, p)
		c.shifts = append(c.shifts, shift)
	}
	return out
}

// size is how many pairs the cell has in every unit.
func (c *pool) size() int {
	n := math.MaxInt
	for _, p := range c.units {
		n = min(n, len(p.Keys))
	}
	return n
}

// draw returns n pairs of c, drawn with replacement, each one way round
// or the other at random, with head shifted, as Paired per unit; their
// keys are blank, as nothing reads them.
func (c *pool) draw(rng *rand.Rand, n int) []*gate.Paired {
	size := c.size()
	picks, swaps := make([]int, n), make([]bool, n)
	for i := range picks {
		picks[i], swaps[i] = rng.IntN(size), rng.IntN(2) == 1
	}
	out := make([]*gate.Paired, len(c.units))
	for u, p := range c.units {
		q := &gate.Paired{Name: p.Name, Unit: p.Unit, Better: p.Better, Keys: make([]string, n), Base: make([]float64, n), Head: make([]float64, n)}
		for i, j := range picks {
			q.Base[i], q.Head[i] = p.Base[j], p.Head[j]
			if swaps[i] {
				q.Base[i], q.Head[i] = q.Head[i], q.Base[i]
			}
			q.Head[i] *= 1 + c.shifts[u]
		}
		out[u] = q
	}
	return out
}

// decide makes one simulated decision.
func (r Replay) decide(rng *rand.Rand, cells []*pool) *gate.Decision {
	p := r.Plan
	p.MinPairs = cmp.Or(p.MinPairs, gate.DefaultMinPairs)
	s := gate.NewSequence(p)
	screen := r.newStage(rng, cells, p.MinPairs, r.Budget, s.Screen)
	screen.run(func() time.Duration { return s.ScreenBudget(r.Budget) })
	if flagged := s.Flagged(); len(flagged) > 0 {
		var confirm []*pool
		for _, c := range cells {
			if slices.Contains(flagged, c.name) {
				confirm = append(confirm, c)
			}
		}
		left := max(r.Budget-screen.used, 0)
		fresh := r.newStage(rng, confirm, p.MinPairs, left, s.Confirm)
		fresh.run(func() time.Duration { return left })
		// The screen's open cells take what the confirmation left.
		screen.used += fresh.used
		screen.run(func() time.Duration { return r.Budget })
	}
	return gate.DecidePaired(&table.Results{}, &table.Tables{}, p.Options, s)
}

// A stage simulates one stage of a compare on its cells: minPairs fresh
// pairs of each, then rounds of the open cells' turns, a look after each
// at the fraction of total used, until look leaves none open or another
// round would not fit in its share of the budget (see gate.When).
type stage struct {
	r          Replay
	rng        *rand.Rand
	open       []*pool
	total      time.Duration
	look       func([]*gate.Paired, float64, bool) []string
	drawn      map[*pool][]*gate.Paired
	spent      map[*pool]time.Duration
	used, next time.Duration // the clock, and what the next round would take
}

// newStage draws minPairs pairs of every cell.
func (r Replay) newStage(rng *rand.Rand, cells []*pool, minPairs int, total time.Duration, look func([]*gate.Paired, float64, bool) []string) *stage {
	st := &stage{r: r, rng: rng, open: slices.Clone(cells), total: total, look: look, drawn: map[*pool][]*gate.Paired{}, spent: map[*pool]time.Duration{}}
	for _, c := range cells {
		st.take(c, minPairs)
	}
	return st
}

// take draws n more pairs of c, and moves the clock by what they cost.
func (st *stage) take(c *pool, n int) time.Duration {
	st.drawn[c] = grow(st.drawn[c], c.draw(st.rng, n))
	d := time.Duration(n) * st.r.cost(c)
	st.spent[c] += d
	st.used += d
	return d
}

// run looks and draws until the stage is decided or stops at share; it
// can be run again with a larger share.
func (st *stage) run(share func() time.Duration) {
	for {
		var pairs []*gate.Paired
		for _, c := range st.open {
			pairs = append(pairs, st.drawn[c]...)
		}
		t, final, stop := gate.When(st.used, st.next, st.total, share())
		names := st.look(pairs, t, final)
		st.open = slices.DeleteFunc(st.open, func(c *pool) bool { return !slices.Contains(names, c.name) })
		if stop || len(st.open) == 0 {
			return
		}
		sp, co := make([]time.Duration, len(st.open)), make([]time.Duration, len(st.open))
		for i, c := range st.open {
			sp[i], co[i] = st.spent[c], st.r.cost(c)
		}
		st.next = 0
		for _, i := range gate.Turns(sp, co) {
			st.next += st.take(st.open[i], 1)
		}
	}
}

// cost is what a pair of c takes; never less than a millisecond, so that
// a cell missing from Cost cannot make the clock stand still.
func (r Replay) cost(c *pool) time.Duration { return max(r.Cost[c.name], time.Millisecond) }

// pairsIn is how many pairs a cell's drawn units hold.
func pairsIn(units []*gate.Paired) int {
	if len(units) == 0 {
		return 0
	}
	return len(units[0].Keys)
}

// grow appends more's pairs to have's, unit by unit.
func grow(have, more []*gate.Paired) []*gate.Paired {
	if len(have) == 0 {
		return more
	}
	for u := range have {
		have[u].Keys = append(have[u].Keys, more[u].Keys...)
		have[u].Base = append(have[u].Base, more[u].Base...)
		have[u].Head = append(have[u].Head, more[u].Head...)
	}
	return have
}
