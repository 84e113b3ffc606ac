package gate

import (
	"fmt"
	"sort"
	"strings"

	"github.com/batchbench/batchbench/reports/internal/md"
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

// Markdown renders the calibration: the rate per decision with its
// interval, then every cell's noise, how often the first stage flagged
// it, and the smallest change it could resolve. planted says whether head
// carried a planted regression (a pass is then a miss) or was identical
// to base (a block is then false); setup is a paragraph saying how the
// decisions were made.
func (c *Calibration) Markdown(planted bool, threshold float64, setup string) string {
	var b strings.Builder
	b.WriteString("# Merge gate calibration\n\n")
	b.WriteString(setup + "\n\n")
	what, r := "False-block rate (identical builds, exit 1)", c.BlockRate()
	if planted {
		what, r = "Miss rate (planted regression, exit 0 or 2)", c.PassRate()
	}
	fmt.Fprintf(&b, "**%s: %s**, Clopper–Pearson. %d inconclusive.\n\n", what, r, c.Inconclusive)
	fmt.Fprintf(&b, "Per cell: noise is the runs' coefficient of variation (median over decisions); flagged counts the decisions whose first test called the cell a regression; resolves is the median smallest change detected with %.0f%% power at the gate's α.\n\n", Power*100)
	md.Row(&b, "cell", "unit", "noise (CV)", "flagged first", "blocked", fmt.Sprintf("resolves (threshold %s)", pct(threshold)))
	md.Align(&b, "---", 5, "--:")
	for _, s := range c.Cells() {
		md.Row(&b, md.Code(s.Name), s.Unit, pct(median(s.Noise)), fmt.Sprintf("%d of %d", s.Flagged, s.Judged), fmt.Sprint(s.Confirmed), resolution(median(s.Resolution)))
	}
	return b.String()
}
