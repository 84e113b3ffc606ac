package gate

import (
	"math"
	"slices"

	"github.com/aclements/go-moremath/stats"
)

// A Plan is how a paired gate decides, look after look, as pairs come in.
//
// At each look every gated cell metric still open is judged on its pairs'
// log ratios log(head/base) with a paired t-test. It passes when the
// upper end of its one-sided interval, at the level spent for passes,
// lies below the threshold: a regression of the threshold is ruled out.
// It blocks when its change is worse than zero at the level spent for
// blocks, and a regression of the threshold is not ruled out. Otherwise
// it stays open, and the caller measures it again.
//
// The levels are spent over the looks (Lan and DeMets' Pocock-type
// function of the fraction of the budget used, log(1+(e−1)t)), so that,
// by the union bound over looks, a cell metric that has not regressed
// blocks with probability at most Alpha/M, M being the gated cell
// metrics, whatever the number of looks: identical builds block a
// decision with probability at most Alpha. Likewise a cell metric that
// regressed by the threshold passes with probability at most Miss.
type Plan struct {
	Options
	Alpha float64 // false blocks per decision; default 0.05
	Miss  float64 // per cell metric, a pass of a regression of the threshold; default 0.05
	// MinPairs is how many pairs a cell metric needs before its first
	// look; default 10.
	MinPairs int
	// Cover is the share of the gated cells that must pass for the gate
	// to pass; default 1, every one: a pass must cover what it claims.
	Cover float64
}

func (p Plan) withDefaults() Plan {
	if p.Alpha == 0 {
		p.Alpha = 0.05
	}
	if p.Miss == 0 {
		p.Miss = 0.05
	}
	if p.MinPairs == 0 {
		p.MinPairs = 10
	}
	if p.Cover == 0 {
		p.Cover = 1
	}
	if p.Units == nil {
		p.Units = Units
	}
	return p
}

// normalQuantile is the standard normal's quantile function.
var normalQuantile = stats.InvCDF(stats.NormalDist{Mu: 0, Sigma: 1})

// spend is the share of a level spent by the fraction t of the budget.
func spend(t float64) float64 {
	t = min(max(t, 0), 1)
	return math.Log1p((math.E - 1) * t)
}

// State is what the gate has made of a cell metric, or of a cell.
type State int

const (
	Open    State = iota // neither ruled out nor shown: measure it again
	Passed               // a regression of the threshold is ruled out
	Blocked              // a regression is shown, and one of the threshold not ruled out
)

func (s State) String() string { return [...]string{"open", "passed", "blocked"}[s] }

// A Verdict is one cell metric as a paired gate judged it at its last
// look.
type Verdict struct {
	Cell, Unit string
	Better     int
	State      State
	Pairs      int
	// Change is the estimated relative change, head/base − 1: the ratio
	// of the geometric means; Lo and Hi bound it at the last pass level.
	Change, Lo, Hi float64
	// P is the one-sided p-value of a change for the worse.
	P float64
	// Resolution is the smallest change for the worse the block test
	// detects with probability Power at the cell metric's whole level,
	// Alpha/M, from its pairs' spread and number; 0 for runs that never
	// vary, +Inf before the first look.
	Resolution float64
	// Noise is the pairs' spread: the standard deviation of their log
	// ratios.
	Noise float64
	// Spent are the levels used so far, for blocks and for passes.
	SpentBlock, SpentPass float64
	// Final reports that the budget ended with the cell metric open.
	Final bool
}

// A Sequence is one decision of a paired gate in progress.
type Sequence struct {
	plan     Plan
	m        int // gated cell metrics, fixed at the first look
	verdicts map[string]*Verdict
	pairs    map[string]*Paired // the last look's, by cell and unit
	order    []string           // cell and unit, as first seen
}

// NewSequence starts a decision.
func NewSequence(p Plan) *Sequence {
	return &Sequence{plan: p.withDefaults(), verdicts: map[string]*Verdict{}, pairs: map[string]*Paired{}}
}

// Look judges the pairs so far, t being the fraction of the budget used,
// and returns the cells still open, in the pairs' order. With final, the
// last look, every level is spent to its end. Cell metrics already
// decided keep their verdict.
func (s *Sequence) Look(pairs []*Paired, t float64, final bool) []string {
	var gated []*Paired
	for _, p := range pairs {
		if slices.Contains(s.plan.Units, p.Unit) && p.Better != 0 {
			gated = append(gated, p)
		}
	}
	if s.m == 0 {
		s.m = len(gated)
	}
	if final {
		t = 1
	}
	blockLevel := s.plan.Alpha / float64(max(s.m, 1))
	var open []string
	for _, p := range gated {
		k := p.Name + "\x00" + p.Unit
		s.pairs[k] = p
		v := s.verdicts[k]
		if v == nil {
			v = &Verdict{Cell: p.Name, Unit: p.Unit, Better: p.Better, Resolution: math.Inf(1)}
			s.verdicts[k] = v
			s.order = append(s.order, k)
		}
		if v.State == Open && (len(p.Keys) >= s.plan.MinPairs || final) {
			a := blockLevel*spend(t) - v.SpentBlock
			b := s.plan.Miss*spend(t) - v.SpentPass
			judgePairs(v, p, s.plan.Threshold, a, b, blockLevel)
			v.SpentBlock, v.SpentPass = v.SpentBlock+max(a, 0), v.SpentPass+max(b, 0)
			v.Final = final && v.State == Open
		}
		if v.State == Open && !slices.Contains(open, p.Name) {
			open = append(open, p.Name)
		}
	}
	return open
}

// Verdicts are the gated cell metrics' verdicts, in the order first seen.
func (s *Sequence) Verdicts() []Verdict {
	out := make([]Verdict, len(s.order))
	for i, k := range s.order {
		out[i] = *s.verdicts[k]
	}
	return out
}

// judgePairs judges one cell metric at one look: a is the level this
// look may spend on a block, b on a pass, whole the metric's whole block
// level (for its resolution).
func judgePairs(v *Verdict, p *Paired, threshold, a, b, whole float64) {
	d, limit, toChange := scaled(p, threshold)
	n := len(d)
	v.Pairs = n
	worse := -float64(p.Better) // the sign of a change for the worse
	mean, sd := stats.Mean(d), 0.0
	if n > 1 {
		sd = stats.StdDev(d)
	}
	v.Noise = sd
	v.Change = toChange(mean)
	if sd == 0 || n < 2 {
		// Runs that never vary: the change is what it is.
		v.Lo, v.Hi, v.Resolution, v.P = v.Change, v.Change, 0, 1
		switch {
		case mean*worse > 0 && math.Abs(mean) >= limit:
			v.State, v.P = Blocked, 0
		case sd == 0 && n >= 2:
			v.State = Passed
		}
		return
	}
	se := sd / math.Sqrt(float64(n))
	tdist := stats.TDist{V: float64(n - 1)}
	q := stats.InvCDF(tdist)
	// The worse end of the interval at the pass level, and the better.
	upper, lower := mean+worse*q(1-b)*se, mean-worse*q(1-b)*se
	if b <= 0 {
		upper, lower = worse*math.Inf(1), -worse*math.Inf(1)
	}
	v.Lo, v.Hi = toChange(min(upper, lower)), toChange(max(upper, lower))
	v.P = 1 - tdist.CDF(worse*mean/se)
	v.Resolution = toChange((q(1-whole) + q(Power)) * se)
	switch {
	case worse*upper < limit:
		v.State = Passed
	case a > 0 && v.P <= a:
		v.State = Blocked
	}
}

// scaled returns a paired cell metric's pairs on the scale the gate
// judges them: log ratios, with the threshold as log(1+threshold); or,
// where a value is not positive, differences relative to base's mean,
// with the threshold as it is. toChange turns a value of that scale back
// into a relative change. Where base's mean is zero, any change is
// infinite, and the differences are judged with a threshold of 0.
func scaled(p *Paired, threshold float64) (d []float64, limit float64, toChange func(float64) float64) {
	if d, ok := p.LogRatios(); ok {
		return d, math.Log1p(threshold), math.Expm1
	}
	scale := stats.Mean(p.Base)
	d = make([]float64, len(p.Keys))
	if scale == 0 {
		for i := range d {
			d[i] = p.Head[i] - p.Base[i]
		}
		return d, 0, func(x float64) float64 {
			switch {
			case x > 0:
				return math.Inf(1)
			case x < 0:
				return math.Inf(-1)
			}
			return 0
		}
	}
	for i := range d {
		d[i] = (p.Head[i] - p.Base[i]) / scale
	}
	return d, threshold, func(x float64) float64 { return x }
}
