package gate

import (
	"math"
	"slices"
)

// An Estimate is a cell metric's change, head/base − 1, over every pair a
// decision measured of it, the screen's and the confirmation's, with an
// interval at a fixed confidence: the 20%-trimmed mean of the pairs' log
// ratios and Yuen's interval, the gate's own test at the reader's level
// rather than at the levels its looks spent. It describes the pairs; what
// the gate decided is the Verdict. A flagged cell metric's screen pairs
// were picked for looking worse, so its estimate leans that way a little;
// the confirmation judged its fresh pairs alone.
type Estimate struct {
	Cell, Unit string
	Pairs      int
	// Change is the estimated change; Lo and Hi bound it at the
	// confidence asked for, and are NaN below 2 pairs.
	Change, Lo, Hi float64
}

// Estimates are the gated cell metrics' estimates at confidence, in the
// order their verdicts were first seen. An allocation unit below its floor
// is estimated as the gate judges it, in differences relative to the
// floor (see Floor).
func (s *Sequence) Estimates(confidence float64) []Estimate {
	out := make([]Estimate, 0, len(s.order))
	for _, k := range s.order {
		p := s.pairs[k]
		if f := s.fresh[k]; f != nil {
			p = &Paired{Name: p.Name, Unit: p.Unit, Better: p.Better,
				Keys: slices.Concat(p.Keys, f.Keys), Base: slices.Concat(p.Base, f.Base), Head: slices.Concat(p.Head, f.Head)}
		}
		d, _, toChange := scaled(p, s.plan.Threshold)
		e := Estimate{Cell: p.Name, Unit: p.Unit, Pairs: len(d), Lo: math.NaN(), Hi: math.NaN()}
		if len(d) < 2 {
			if len(d) == 1 {
				e.Change = toChange(d[0])
			}
			out = append(out, e)
			continue
		}
		tm := trimmed(d)
		reach := tm.quantile()((1+confidence)/2) * tm.se
		e.Change, e.Lo, e.Hi = toChange(tm.mean), toChange(tm.mean-reach), toChange(tm.mean+reach)
		out = append(out, e)
	}
	return out
}
