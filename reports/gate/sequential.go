package gate

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/aclements/go-moremath/stats"
)

// A Plan is how a paired gate decides, look after look, as pairs come in.
// It has two stages.
//
// The screen measures every gated cell in pairs, and looks at a cell
// metric each time its pairs have doubled. A cell metric passes when the
// worse end of its interval lies within the threshold: a regression of
// the threshold is ruled out. It is flagged when it is worse than zero at
// the screen's level, and a regression of the threshold is not ruled
// out. Otherwise it stays open, and the caller measures it again. Each
// cell metric is judged by Yuen's test of the trimmed mean (see trim) of
// its pairs' log ratios, log(head/base): a t-test that sets the pairs'
// tails aside.
//
// The confirmation measures the flagged cells again, fresh, and judges
// the fresh pairs alone, the same way: a cell metric blocks when it is
// worse than zero at Alpha/k, k being the cell metrics flagged, and a
// regression of the threshold is not ruled out; it is cleared when one is.
// On identical builds the fresh pairs are independent of the ones that
// flagged them, so, whatever the screen flags, the chance that any
// confirmation succeeds is at most k·Alpha/k: identical builds block a
// decision with probability at most Alpha.
//
// Every level is spent over its stage's looks, as the fraction t of the
// stage's budget used grows (see spend): by the union bound over looks,
// however many there are, a test never errs with more than its level. So
// a cell metric that regressed by the threshold passes the screen, or is
// cleared, with probability at most Miss each. The screen spends its
// level for flags by the time the confirmation's share of the budget
// (ConfirmShare) is all that is left, so that what it flags can still be
// confirmed; after that its looks can only pass, and it goes on with what
// the confirmation leaves of the budget.
type Plan struct {
	Options
	Alpha  float64 // false blocks per decision; default 0.05
	Screen float64 // the screen's level for flagging a cell metric; default DefaultScreen
	Miss   float64 // per cell metric and stage, a pass of a regression of the threshold; default 0.05
	// MinPairs is how many pairs a cell metric needs before its first
	// look in each stage; default DefaultMinPairs.
	MinPairs int
}

// DefaultMinPairs is how many pairs of every cell a stage measures before
// its first look. Few: the first pairs of every cell, however cheap its
// spread makes it to decide, cost a quick decision most of its screen
// (Interval's and Memory's runs last 30–330 ms), and what they leave is
// what the undecided cells get. Replayed on a recorded A/A suite at the
// quick budget, 6 resolved a median 7.8% in sec/op where 10 resolved
// 9.1%, at the same false blocks (docs/merge-gate.md).
const DefaultMinPairs = 6

// DefaultScreen is the screen's level for flags. A flag costs no false
// blocks, which the confirmation bounds whatever the screen flags, only
// confirmation time; a screen that flags more readily leaves a slowdown
// more of it. Replayed on a recorded A/A suite at the quick budget
// (docs/merge-gate.md), 0.1 missed a planted 5% as often as 0.05 did
// (13.5% of decisions against 13.2%), a planted 3% less often (59.2%
// against 61.1%), and resolved a median 7.3% against 8.3%; 0.2, flagging
// noise that then shares the confirmation, missed 27% and 69%.
const DefaultScreen = 0.1

func (p Plan) withDefaults() Plan {
	for _, f := range []*float64{&p.Alpha, &p.Miss} {
		if *f == 0 {
			*f = 0.05
		}
	}
	p.Screen = cmp.Or(p.Screen, DefaultScreen)
	if p.MinPairs == 0 {
		p.MinPairs = DefaultMinPairs
	}
	if p.Cover == 0 {
		p.Cover = 1
	}
	if p.Units == nil {
		p.Units = Units
	}
	return p
}

// ConfirmShare is the share of a paired gate's budget that the screen
// leaves for the confirmation once it has flagged a cell.
const ConfirmShare = 0.3

// ScreenBudget is the screen's share of a decision's budget: all of it
// while the screen has flagged nothing, so that every pair it measures
// can pass a cell, and what the confirmation's share leaves once it has.
func (s *Sequence) ScreenBudget(budget time.Duration) time.Duration {
	if len(s.Flagged()) > 0 {
		return time.Duration(float64(budget) * (1 - ConfirmShare))
	}
	return budget
}

// When is where a stage of a paired gate stands, used of its total
// budget spent and its next round taking next: t, the fraction of total
// used, for its look; final, when no round fits in total, so that the
// look is the stage's last; and stop, when no round fits in share, the
// stage's part of total (the screen's, see ScreenBudget), or final. A
// stage that stops short of its total is paused, to go on later, and its
// look is told a t of share's fraction at least: the screen's last look
// that can flag then comes before the confirmation, never after it.
func When(used, next, total, share time.Duration) (t float64, final, stop bool) {
	if total <= 0 {
		return 1, true, true
	}
	t = float64(used) / float64(total)
	final = used+next > total
	if stop = final || used+next > share; stop && !final {
		t = max(t, float64(share)/float64(total))
	}
	return t, final, stop
}

// spend is the share of a level spent by the fraction t of the budget:
// Lan and DeMets' power family at ρ = 3, t³. It keeps most of the level
// for the last looks, where a cell metric that did not pass early is
// decided; on the replayed pairs it resolved a median 8.5% where the
// Pocock-type log(1+(e−1)t) resolved 11.7%, at no more false blocks.
func spend(t float64) float64 {
	t = min(max(t, 0), 1)
	return t * t * t
}

// State is what the gate has made of a cell metric, or of a cell.
type State int

const (
	Open    State = iota // neither ruled out nor shown: measure it again
	Passed               // the screen ruled out a regression of the threshold
	Flagged              // the screen found it worse: to confirm on fresh pairs
	Cleared              // flagged, and the fresh pairs ruled the regression out
	Blocked              // flagged, and the fresh pairs confirmed it
)

func (s State) String() string {
	return [...]string{"open", "passed", "flagged", "cleared", "blocked"}[s]
}

// decided reports whether s needs no more pairs of its stage.
func (s State) decided() bool { return s != Open }

// A Verdict is one cell metric as a paired gate judged it at its last
// look: the screen's, or the confirmation's for a flagged one.
type Verdict struct {
	Cell, Unit string
	Better     int
	State      State
	// Pairs are the screen's; Fresh the confirmation's.
	Pairs, Fresh int
	// Change is the estimated relative change, head/base − 1, from the
	// trimmed mean of the last stage's pairs' log ratios (for an
	// allocation unit below its floor, of their differences relative to
	// the floor); Lo and Hi bound it at the level last spent on passes.
	Change, Lo, Hi float64
	// P is the one-sided p-value of a change for the worse.
	P float64
	// Resolution is the smallest change for the worse the screen's last
	// look that could flag detects with probability Power at the level it
	// tested, from the pairs it saw: their spread and number; 0 for runs
	// that never vary, +Inf before the first look.
	Resolution float64
	// Noise is the screen's pairs' spread as their test sees it: the
	// standard error of their trimmed mean times the square root of
	// their number (for normal pairs, the standard deviation of their log
	// ratios).
	Noise float64
	// Final reports that the budget ended with the cell metric open.
	Final bool

	spentFlag, spentPass float64 // levels the current stage has spent
	flagsSpent           bool    // the screen's level for flags is spent: its looks can only pass
	level                float64 // the level of the last look for a change for the worse
	nextLook             int     // the pairs the current stage's next look waits for
}

// A Sequence is one decision of a paired gate in progress: its screen,
// then the confirmation of what the screen flagged.
type Sequence struct {
	plan     Plan
	verdicts map[string]*Verdict
	pairs    map[string]*Paired // the screen's last pairs, by cell and unit
	fresh    map[string]*Paired // the confirmation's last pairs, by cell and unit
	order    []string           // cell and unit, as first seen
	metrics  int                // gated cell metrics, fixed at the first look
	flagged  int                // k: the cell metrics the confirmation shares Alpha among
}

// NewSequence starts a decision.
func NewSequence(p Plan) *Sequence {
	return &Sequence{plan: p.withDefaults(), verdicts: map[string]*Verdict{}, pairs: map[string]*Paired{}, fresh: map[string]*Paired{}}
}

// Screen judges the screen's pairs so far, t being the fraction of the
// decision's budget used, and returns the cells still open, in the pairs'
// order. Its level for flags is spent over the first 1−ConfirmShare of
// the budget: every open cell metric gets a last look for flags there,
// and looks after it can only pass. With final, its last look, the
// screen spends its levels to the end, and a cell metric it could not
// decide stays open for good.
func (s *Sequence) Screen(pairs []*Paired, t float64, final bool) []string {
	gated := s.gated(pairs)
	if s.metrics == 0 {
		s.metrics = len(gated)
	}
	flagT := min(t/(1-ConfirmShare), 1) // the fraction of the level for flags' spending
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
		lastFlag := flagT >= 1 && !v.flagsSpent
		if !v.State.decided() && s.due(v, p, final || lastFlag) {
			state, tm, toChange := s.look(v, p, flagT, t, final, s.plan.Screen)
			v.Pairs, v.Noise = len(p.Keys), tm.spread(len(p.Keys))
			if !v.flagsSpent { // what the last look that could flag saw
				v.Resolution = resolution(tm, v.level, toChange)
			}
			v.flagsSpent = v.flagsSpent || lastFlag || final
			if state == Blocked {
				state = Flagged
			}
			v.State, v.Final = state, final && state == Open
		}
		if !v.State.decided() && !slices.Contains(open, p.Name) {
			open = append(open, p.Name)
		}
	}
	return open
}

// Flagged are the cells the screen flagged, in order: those to confirm.
func (s *Sequence) Flagged() []string {
	var out []string
	for _, k := range s.order {
		if v := s.verdicts[k]; v.State == Flagged && !slices.Contains(out, v.Cell) {
			out = append(out, v.Cell)
		}
	}
	return out
}

// Confirm judges the flagged cell metrics on their fresh pairs, t being
// the fraction of the confirmation's budget used, and returns the cells
// still undecided. The first call fixes k, the flagged cell metrics
// Alpha is shared among; the screen must be over.
func (s *Sequence) Confirm(fresh []*Paired, t float64, final bool) []string {
	if s.flagged == 0 {
		for _, v := range s.verdicts {
			if v.State == Flagged {
				s.flagged++
				v.spentFlag, v.spentPass, v.nextLook = 0, 0, 0 // the confirmation spends its own
			}
		}
	}
	var open []string
	for _, p := range s.gated(fresh) {
		k := p.Name + "\x00" + p.Unit
		v := s.verdicts[k]
		if v != nil {
			s.fresh[k] = p
		}
		if v == nil || v.State != Flagged {
			continue
		}
		if s.due(v, p, final) {
			v.Fresh = len(p.Keys)
			if state, _, _ := s.look(v, p, t, t, final, s.plan.Alpha/float64(max(s.flagged, 1))); state != Open {
				v.State = map[State]State{Passed: Cleared, Blocked: Blocked}[state]
			}
			v.Final = final && v.State == Flagged
		}
		if v.State == Flagged && !slices.Contains(open, p.Name) {
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

func (s *Sequence) gated(pairs []*Paired) []*Paired {
	var out []*Paired
	for _, p := range pairs {
		if slices.Contains(s.plan.Units, p.Unit) && p.Better != 0 {
			out = append(out, p)
		}
	}
	return out
}

// lookGrowth is how much a cell metric's pairs grow between its looks:
// they double. Every look spends a share of the level, and a test at a
// sliver of it sees little, so few looks see more than many: replayed on
// recorded A/A pairs (docs/merge-gate.md), looking at every doubling
// rather than every half more cut the quick suite's median resolution
// from 12.4% to 11.7% and missed a planted 10% in 13% of decisions
// rather than 19.5%.
const lookGrowth = 2

// due reports whether p's pairs are enough for v's next look: MinPairs at
// first, then lookGrowth times as many as at the last look; or it is the
// last.
func (s *Sequence) due(v *Verdict, p *Paired, final bool) bool {
	n := len(p.Keys)
	if final && n > 0 {
		return true
	}
	return n >= max(s.plan.MinPairs, v.nextLook)
}

// look judges one cell metric at one look of a stage whose level for a
// change for the worse is level: it returns Passed when a regression of
// the threshold is ruled out, Blocked when a change for the worse is
// shown and one of the threshold not ruled out, and Open otherwise, and
// spends the levels of the look, up to the fraction flagT of its level's
// spending and passT of Miss's. It also returns the pairs' trimmed
// sample and the map from their scale to a relative change, for the
// look's spread and resolution.
func (s *Sequence) look(v *Verdict, p *Paired, flagT, passT float64, final bool, level float64) (State, trimmedMean, func(float64) float64) {
	if final {
		flagT, passT = 1, 1
	}
	a := level*spend(flagT) - v.spentFlag
	b := s.plan.Miss*spend(passT) - v.spentPass
	v.spentFlag, v.spentPass = v.spentFlag+max(a, 0), v.spentPass+max(b, 0)
	v.level = max(a, 0)
	d, limit, toChange := scaled(p, s.plan.Threshold)
	n := len(d)
	v.nextLook = int(math.Ceil(float64(n) * lookGrowth))
	worse := -float64(p.Better) // the sign of a change for the worse
	tm := trimmedMean{mean: stats.Mean(d), kept: n}
	if n >= 2 {
		tm = trimmed(d)
	}
	v.Change = toChange(tm.mean)
	if tm.se == 0 {
		// Pairs whose middle never varies: the change is what it is.
		v.Lo, v.Hi, v.P = v.Change, v.Change, 1
		switch {
		case tm.mean*worse > 0 && math.Abs(tm.mean) >= limit:
			v.P = 0
			return Blocked, tm, toChange
		case n >= 2:
			return Passed, tm, toChange
		}
		return Open, tm, toChange
	}
	alt := stats.LocationGreater
	if worse < 0 {
		alt = stats.LocationLess
	}
	r, err := stats.OneSampleTTest(tm, 0, alt)
	if err != nil { // not reached: 2 pairs or more, with a spread
		return Open, tm, toChange
	}
	v.P = r.P
	// The worse end of the interval at the pass level.
	reach := math.Inf(1)
	if b > 0 {
		reach = tm.quantile()(1-b) * tm.se
	}
	v.Lo, v.Hi = toChange(tm.mean-reach), toChange(tm.mean+reach)
	switch {
	case worse*tm.mean+reach < limit:
		return Passed, tm, toChange
	case a > 0 && v.P <= a:
		return Blocked, tm, toChange
	}
	return Open, tm, toChange
}

// resolution is the smallest change for the worse that a look at level
// detects with probability Power, from the look's trimmed sample tm:
// (t(1−level) + t(Power)) standard errors of its trimmed mean, as a
// relative change by toChange. It is the look's own level, what is left
// of the stage's after the looks before it, so the resolution is what
// the test that ran could see.
func resolution(tm trimmedMean, level float64, toChange func(float64) float64) float64 {
	switch {
	case tm.kept < 2 || level <= 0:
		return math.Inf(1)
	case tm.se == 0:
		return 0
	}
	q := tm.quantile()
	return toChange((q(1-level) + q(Power)) * tm.se)
}

// floors are the amounts of the allocation units below which a cell
// allocates as good as nothing: a batcher that allocates once every
// hundred items, or a byte an item, does so per batch, and a background
// allocation of the runtime's moves that much by a large ratio from run
// to run. Where base's mean is below a unit's floor, a change is judged
// relative to the floor: with a threshold of 5%, an allocation every
// 2,000 items more, or a byte every 20.
var floors = map[string]float64{"allocs/op": 0.01, "B/op": 1}

// Floor is the amount of an allocation unit below which a cell allocates
// as good as nothing (0.01 allocs/op, 1 B/op), and 0 for any other unit:
// a ratio of two amounts below it says nothing.
func Floor(unit string) float64 { return floors[unit] }

// scaled returns a paired cell metric's pairs on the scale the gate
// judges them: log ratios, with the threshold as log(1+threshold); or,
// where a value is not positive or base's mean is below the unit's floor
// (floors), differences relative to base's mean or the floor, with the
// threshold as it is. toChange turns a value of that scale back into a
// relative change. Where the scale is zero, any change is infinite, and
// the differences are judged with a threshold of 0.
func scaled(p *Paired, threshold float64) (d []float64, limit float64, toChange func(float64) float64) {
	logs, scale := scaleOf(p)
	if logs {
		d, _ := p.LogRatios()
		return d, math.Log1p(threshold), math.Expm1
	}
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

// scaleOf says on which scale the gate judges p (see scaled): by log
// ratios, or by differences relative to scale.
func scaleOf(p *Paired) (logs bool, scale float64) {
	mean, floor := stats.Mean(p.Base), floors[p.Unit]
	if _, ok := p.LogRatios(); ok && mean >= floor {
		return true, 0
	}
	return false, max(mean, floor)
}
