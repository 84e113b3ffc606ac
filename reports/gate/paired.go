package gate

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/aclements/go-moremath/stats"
	"golang.org/x/perf/benchmath"

	"github.com/batchbench/batchbench/reports/internal/md"
	"github.com/batchbench/batchbench/reports/table"
)

// DecidePaired makes the decision of a paired gate from its sequence's
// last looks: res and ts are the same runs as benchstat's tables show
// them, for the report, judged by o, and the judgement's cells are the
// sequence's verdicts. A cell blocks when one of its metrics was
// confirmed, or it failed on head; the gate passes when none blocks and
// at least the plan's Cover of the gated cells passed the screen or were
// cleared, and is inconclusive otherwise, naming the cells left open or
// left unconfirmed.
func DecidePaired(res *table.Results, ts *table.Tables, o Options, s *Sequence) *Decision {
	j := newJudgement(res, ts, o, false)
	j.Paired, j.Metrics, j.Alpha, j.Cover = true, s.metrics, s.plan.Alpha, s.plan.Cover
	j.Cells, j.Regressed, j.Improved, j.Noisy, j.OneSided = nil, nil, nil, nil, nil
	sections := map[string]string{}
	for _, t := range j.Tables.Tables {
		for _, r := range t.Rows {
			sections[Cell{Group: t.Group, Row: r.Label}.Name()] = t.Section()
		}
	}
	for _, v := range s.Verdicts() {
		group, row, _ := strings.Cut(v.Cell, "/")
		c := Cell{Section: sections[v.Cell], Group: group, Row: row, Unit: v.Unit, Delta: v.Change, Lo: v.Lo, Hi: v.Hi,
			P: v.P, BaseN: v.Pairs, N: v.Pairs, Pairs: v.Pairs, State: v.State, Resolution: v.Resolution, Noise: v.Noise,
			Significant: v.State == Blocked || v.State == Flagged, Worse: v.Change*float64(v.Better) < 0, Fresh: v.Fresh}
		c.Base, c.Head = s.medians(v.Cell, v.Unit)
		j.Cells = append(j.Cells, c)
		if v.State == Blocked {
			j.Regressed = append(j.Regressed, c)
		}
	}
	d := &Decision{First: j, Paired: s}
	for _, f := range j.FailedHead {
		d.FailedHead = append(d.FailedHead, f.Benchmark+": "+f.Reason)
	}
	d.Regressed = j.Regressed
	compared, resolved := j.CellCount()
	open := j.Underpowered()
	switch {
	case len(d.Regressed) > 0 || len(d.FailedHead) > 0:
		d.Status = Block
	case compared == 0:
		d.Status = Inconclusive
		d.Reason = "compared nothing: no gated cell was measured in pairs on both sides"
	case float64(resolved) < j.Cover*float64(compared):
		d.Status = Inconclusive
		d.NeedPairs = s.needPairs()
		names := make([]string, len(open))
		for i, c := range open {
			names[i] = c.Name()
		}
		d.Reason = fmt.Sprintf("%s of %d could neither pass nor block on the pairs measured: %s", plural(len(open), "cell"), compared, joinNames(names, 6))
		if j.Cover < 1 {
			d.Reason += fmt.Sprintf(" (%d passed; %s must)", resolved, md.Percent(j.Cover))
		}
	default:
		d.Status = Pass
	}
	return d
}

// medians are the medians of a cell metric's base and head runs. It
// leaves the pairs as they are: benchmath.NewSample sorts its values in
// place, which would take each run from its pair.
func (s *Sequence) medians(cell, unit string) (base, head float64) {
	p := s.pairs[cell+"\x00"+unit]
	if p == nil {
		return math.NaN(), math.NaN()
	}
	th := benchmath.DefaultThresholds
	return benchmath.AssumeNothing.Summary(benchmath.NewSample(slices.Clone(p.Base), &th), 0.95).Center,
		benchmath.AssumeNothing.Summary(benchmath.NewSample(slices.Clone(p.Head), &th), 0.95).Center
}

// needPairs is about how many pairs the open cell metrics would need to
// pass, were their change zero: the pairs at which the interval's half
// width at the pass level falls to the threshold; 0 when none is open.
func (s *Sequence) needPairs() int {
	need := 0
	z := stats.InvCDF(stats.NormalDist{Mu: 0, Sigma: 1})(1 - s.plan.Miss)
	for _, v := range s.Verdicts() {
		if v.State.decided() && v.State != Flagged || v.Noise == 0 {
			continue
		}
		n := math.Pow(z*v.Noise/math.Log1p(s.plan.Threshold), 2)
		need = max(need, int(math.Ceil(n)))
	}
	return need
}

// DecideSaved decides on runs measured before, such as a compare's saved
// directory: in pairs, at one last look of the screen, when the
// baseline's and head's runs carry pair keys (see ReadPairs) and the
// columns are inputs (the tables' Col is .file), and at one last look of
// the confirmation when confirm holds its fresh runs (labelled by side);
// as two unpaired samples otherwise, which the decision's details say. A
// paired file whose pairs do not match is a *PairError.
func DecideSaved(res *table.Results, ts *table.Tables, p Plan, confirm []table.Input) (*Decision, error) {
	unpaired := func(err error) (*Decision, error) { return Decide(Judge(res, ts, p.Options)), err }
	if ts.Config.Col != ".file" || len(incomparable(ts, ts.Config.Baseline, p.Head)) > 0 {
		return unpaired(nil)
	}
	pairs, err := ReadPairs(bySide(res.Inputs, ts.Config.Baseline, p.Head))
	if err != nil || len(pairs) == 0 {
		return unpaired(err)
	}
	s := NewSequence(p)
	s.Screen(pairs, 1, true)
	if len(confirm) > 0 && len(s.Flagged()) > 0 {
		fresh, err := ReadPairs(bySide(confirm, ts.Config.Baseline, p.Head))
		if err != nil {
			return nil, err
		}
		s.Confirm(fresh, 1, true)
	}
	return DecidePaired(res, ts, p.Options, s), nil
}

// bySide splits inputs into the base's and the head's, by label.
func bySide(inputs []table.Input, base, head string) (b, h []table.Input) {
	for _, in := range inputs {
		switch in.Label {
		case base:
			b = append(b, in)
		case head:
			h = append(h, in)
		}
	}
	return b, h
}
