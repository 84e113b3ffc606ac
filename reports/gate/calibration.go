package gate

import (
	"slices"
	"sort"
)

// A Calibration accumulates decisions made on one machine with identical
// builds (A/A: every block is false) or with a planted regression (every
// pass is a miss), so a team can measure its own runners.
type Calibration struct {
	Decisions, Blocked, Inconclusive int
	cells                            map[string]*CellStats
	order                            []string
}

// CellStats is one gated cell and unit across a calibration's decisions.
type CellStats struct {
	Name, Unit string
	Judged     int       // decisions whose first stage compared it
	Flagged    int       // decisions whose first stage called it a regression
	Confirmed  int       // decisions it blocked
	Noise      []float64 // its coefficient of variation, per decision
	Resolution []float64 // the smallest change it resolved, per decision
}

// Add records one decision.
func (c *Calibration) Add(d *Decision) {
	c.Decisions++
	switch d.Status {
	case Block:
		c.Blocked++
	case Inconclusive:
		c.Inconclusive++
	}
	if c.cells == nil {
		c.cells = map[string]*CellStats{}
	}
	get := func(x Cell) *CellStats {
		k := x.Name() + "\x00" + x.Unit
		s, ok := c.cells[k]
		if !ok {
			s = &CellStats{Name: x.Name(), Unit: x.Unit}
			c.cells[k] = s
			c.order = append(c.order, k)
		}
		return s
	}
	for _, x := range d.First.Cells {
		s := get(x)
		s.Judged++
		s.Noise = append(s.Noise, x.Noise)
		s.Resolution = append(s.Resolution, x.Resolution)
	}
	for _, x := range d.First.Regressed {
		get(x).Flagged++
	}
	for _, x := range d.Regressed {
		get(x).Confirmed++
	}
}

// BlockRate is the share of decisions that blocked: the false-block rate
// of an A/A calibration, the detection rate of a planted one.
func (c *Calibration) BlockRate() Rate { return NewRate(c.Blocked, c.Decisions) }

// PassRate is the share of decisions that did not block: the miss rate
// of a planted calibration (an inconclusive decision blocks nothing).
func (c *Calibration) PassRate() Rate { return NewRate(c.Decisions-c.Blocked, c.Decisions) }

// Cells returns every cell and unit seen, most often flagged first.
func (c *Calibration) Cells() []CellStats {
	out := make([]CellStats, 0, len(c.order))
	for _, k := range c.order {
		out = append(out, *c.cells[k])
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Flagged > out[j].Flagged })
	return out
}

// Median is the median of xs (0 for none).
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	return median(slices.Clone(xs))
}
