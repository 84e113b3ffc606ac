package gate

import (
	"fmt"
	"math"
	"testing"

	"github.com/batchbench/batchbench/reports/table"
)

// withLogRatios returns pairs of cell in sec/op whose log ratios are d.
func withLogRatios(cell string, d ...float64) *Paired {
	p := &Paired{Name: cell, Unit: "sec/op", Better: -1}
	for i, x := range d {
		p.Keys = append(p.Keys, fmt.Sprint(i))
		p.Base = append(p.Base, 1e-8)
		p.Head = append(p.Head, 1e-8*math.Exp(x))
	}
	return p
}

// Ten screen pairs and five fresh ones: their 15 log ratios trimmed by 3
// at each end leave 9, of mean 0.25/9, whose winsorized variance gives a
// standard error of 0.0074287; t(0.975) at 8 degrees of freedom is
// 2.306004 (computed apart from the code under test).
func TestEstimatesPoolTheScreensAndTheFreshPairs(t *testing.T) {
	cell := "Size/impl=a/size=1"
	s := NewSequence(Plan{Options: Options{Threshold: 0.05}})
	s.Screen([]*Paired{withLogRatios(cell, 0.10, -0.05, 0.02, 0.03, 0.50, 0.01, 0.04, -0.40, 0.00, 0.05)}, 1, true)
	s.Confirm([]*Paired{withLogRatios(cell, 0.06, 0.02, 0.03, 0.01, 0.04)}, 1, true)
	es := s.Estimates(0.95)
	if len(es) != 1 {
		t.Fatalf("%d estimates, want 1: %+v", len(es), es)
	}
	e := es[0]
	want := Estimate{Cell: cell, Unit: "sec/op", Pairs: 15, Change: 0.028167177, Lo: 0.010704110, Hi: 0.045931974}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-8 }
	if e.Cell != want.Cell || e.Unit != want.Unit || e.Pairs != want.Pairs || !near(e.Change, want.Change) || !near(e.Lo, want.Lo) || !near(e.Hi, want.Hi) {
		t.Errorf("estimate %+v, want %+v", e, want)
	}
	if wide := s.Estimates(0.99)[0]; !(wide.Lo < e.Lo && wide.Hi > e.Hi && wide.Change == e.Change) {
		t.Errorf("at 99%%: %+v; want a wider interval around the same change than at 95%%: %+v", wide, e)
	}
}

func TestEstimatesOfTooFewPairsHaveNoInterval(t *testing.T) {
	s := NewSequence(Plan{Options: Options{Threshold: 0.05}})
	s.Screen([]*Paired{withLogRatios("Size/impl=a/size=1", math.Log(1.1))}, 1, true)
	e := s.Estimates(0.95)[0]
	if e.Pairs != 1 || math.Abs(e.Change-0.1) > 1e-12 || !math.IsNaN(e.Lo) || !math.IsNaN(e.Hi) {
		t.Errorf("one pair: %+v; want its change and no interval", e)
	}
}

// DecidePaired took each run from its pair: benchmath.NewSample sorted
// the sequence's base and head runs in place for their medians, and an
// estimate after the decision judged the sorted runs' ratios.
func TestDecidingLeavesThePairsPaired(t *testing.T) {
	s := NewSequence(Plan{Options: Options{Threshold: 0.05}})
	s.Screen([]*Paired{synthetic("Size/impl=a/size=1", "sec/op", 40, 1e-8, 0.03, 0.05, 7)}, 1, true)
	before := s.Estimates(0.95)
	DecidePaired(&table.Results{}, &table.Tables{}, Options{Threshold: 0.05}, s)
	if after := s.Estimates(0.95); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("estimates after the decision %+v, before %+v", after, before)
	}
}
