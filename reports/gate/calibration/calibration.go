// Package calibration measures a merge gate's error rates per decision,
// on one machine: how often identical builds block (false blocks), how
// often a planted regression is not blocked (misses), each with its exact
// interval (Rate), and the change each cell resolves at the budget. The
// decisions are real ones (Calibration.Add) or replayed on the pairs of
// one recorded A/A compare (Replay), thousands at a time.
package calibration

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/batchbench/batchbench/reports/gate"
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
	Judged     int       // decisions that compared it
	Blocked    int       // decisions in which it blocked
	Open       int       // decisions that left it open (paired gates only)
	Noise      []float64 // its noise, per decision (see Cell.Noise)
	Resolution []float64 // the smallest change it resolved, per decision
	Change     []float64 // the change measured, per decision
	Pairs      []int     // the pairs it was judged on, per decision (paired gates only)
}

// Add records one decision.
func (c *Calibration) Add(d *gate.Decision) {
	c.Decisions++
	switch d.Status {
	case gate.Block:
		c.Blocked++
	case gate.Inconclusive:
		c.Inconclusive++
	}
	if c.cells == nil {
		c.cells = map[string]*CellStats{}
	}
	blocked := map[string]bool{}
	for _, x := range d.Regressed {
		blocked[x.Name()+"\x00"+x.Unit] = true
	}
	for _, x := range d.First.Cells {
		k := x.Name() + "\x00" + x.Unit
		s, ok := c.cells[k]
		if !ok {
			s = &CellStats{Name: x.Name(), Unit: x.Unit}
			c.cells[k] = s
			c.order = append(c.order, k)
		}
		s.Judged++
		s.Noise, s.Resolution, s.Change = append(s.Noise, x.Noise), append(s.Resolution, x.Resolution), append(s.Change, x.Delta)
		if x.Pairs > 0 {
			s.Pairs = append(s.Pairs, x.Pairs)
		}
		if blocked[k] {
			s.Blocked++
		}
		if x.Pairs > 0 && x.State == gate.Open {
			s.Open++
		}
	}
}

// BlockRate is the share of decisions that blocked: the false-block rate
// of an A/A calibration, the detection rate of a planted one.
func (c *Calibration) BlockRate() Rate { return NewRate(c.Blocked, c.Decisions) }

// PassRate is the share of decisions that did not block: the miss rate
// of a planted calibration (an inconclusive decision blocks nothing).
func (c *Calibration) PassRate() Rate { return NewRate(c.Decisions-c.Blocked, c.Decisions) }

// Cells returns every cell and unit seen, most often blocked first.
func (c *Calibration) Cells() []CellStats {
	out := make([]CellStats, 0, len(c.order))
	for _, k := range c.order {
		out = append(out, *c.cells[k])
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Blocked > out[j].Blocked })
	return out
}

// Resolutions are the cells' resolutions in unit, over every decision
// that judged them, sorted: the distribution of the change each cell
// could resolve at the budget, for cells whose name matches keep.
func (c *Calibration) Resolutions(unit string, keep func(cell string) bool) []float64 {
	var out []float64
	for _, s := range c.cells {
		if s.Unit == unit && keep(s.Name) {
			out = append(out, s.Resolution...)
		}
	}
	slices.Sort(out)
	return out
}

// Markdown renders the calibration: the rate per decision with its
// interval, how finely the cells resolved, then every cell's noise, how
// often it blocked, and the smallest change it could resolve. planted
// names head's planted regression ("" for identical builds: a block is
// then false; otherwise a pass is a miss); setup is a paragraph saying
// how the decisions were made.
func (c *Calibration) Markdown(planted string, threshold float64, setup string) string {
	var b strings.Builder
	b.WriteString("# Merge gate calibration\n\n")
	b.WriteString(setup + "\n\n")
	what, r := "False-block rate (identical builds, exit 1)", c.BlockRate()
	if planted != "" {
		what, r = "Miss rate ("+planted+", exit 0 or 2)", c.PassRate()
	}
	fmt.Fprintf(&b, "**%s: %s**, Clopper–Pearson. %d inconclusive.\n\n", what, r, c.Inconclusive)
	all := func(string) bool { return true }
	if res := c.Resolutions("sec/op", all); len(res) > 0 {
		fmt.Fprintf(&b, "Resolution in sec/op over %d cell decisions: median %s, quartiles %s and %s; %s resolve 3%%, %s 4%%, %s 5%%.\n\n",
			len(res), md.Resolution(quantile(res, 0.5)), md.Resolution(quantile(res, 0.25)), md.Resolution(quantile(res, 0.75)),
			md.Percent(share(res, 0.03)), md.Percent(share(res, 0.04)), md.Percent(share(res, 0.05)))
	}
	fmt.Fprintf(&b, "Per cell, medians over the decisions: noise is the spread the gate saw (paired: of log(head/base)); resolves is the smallest change detected with %.0f%% power at the gate's level.\n\n", gate.Power*100)
	md.Row(&b, "cell", "unit", "noise", "pairs", "change", "blocked", "open", fmt.Sprintf("resolves (threshold %s)", md.Percent(threshold)))
	md.Align(&b, "---", 7, "--:")
	for _, s := range c.Cells() {
		pairs := ""
		if len(s.Pairs) > 0 {
			ps := make([]float64, len(s.Pairs))
			for i, p := range s.Pairs {
				ps[i] = float64(p)
			}
			pairs = fmt.Sprint(int(middle(ps)))
		}
		md.Row(&b, md.Code(s.Name), s.Unit, md.Percent(middle(s.Noise)), pairs, fmt.Sprintf("%+.2f%%", middle(s.Change)*100),
			fmt.Sprintf("%d of %d", s.Blocked, s.Judged), fmt.Sprint(s.Open), md.Resolution(middle(s.Resolution)))
	}
	return b.String()
}

// quantile is the q-quantile of sorted xs (nearest rank).
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	return xs[min(len(xs)-1, int(q*float64(len(xs))))]
}

// share is the share of sorted xs at most limit.
func share(xs []float64, limit float64) float64 {
	n, _ := slices.BinarySearch(xs, math.Nextafter(limit, math.Inf(1)))
	return float64(n) / float64(len(xs))
}

// middle is the median of xs, nearest rank, as quantile takes it.
func middle(xs []float64) float64 {
	c := slices.Clone(xs)
	slices.Sort(c)
	return quantile(c, 0.5)
}
