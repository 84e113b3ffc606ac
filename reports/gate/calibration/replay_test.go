package calibration

import (
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/batchbench/batchbench/reports/gate"
	"github.com/batchbench/batchbench/reports/table"
)

func TestReplayHoldsTheLevelAndSeesAPlant(t *testing.T) {
	pairs := readAA(t)
	cost := map[string]time.Duration{}
	for _, p := range pairs {
		cost[p.Name] = 50 * time.Millisecond
	}
	r := Replay{Plan: gate.Plan{Options: gate.Options{Threshold: 0.05}}, Recorded: pairs, Cost: cost, Budget: 20 * time.Second, Seed: 1}
	aa := r.Run(2000)
	if up := aa.BlockRate().Upper; up > 0.05 {
		t.Errorf("A/A replay: %v; want a one-sided upper bound of at most 5%%", aa.BlockRate())
	}
	r.Shift = 0.5
	r.Shifted = func(cell string) bool { return strings.Contains(cell, "impl=pooled") }
	planted := r.Run(200)
	if planted.BlockRate().Observed() < 0.9 {
		t.Errorf("a planted 50%% in pooled: %v blocked; want nearly all", planted.BlockRate())
	}
	for _, c := range planted.Cells() {
		if c.Blocked > 0 && !strings.Contains(c.Name, "impl=pooled") {
			t.Errorf("%s %s blocked %d times; only pooled was slowed", c.Name, c.Unit, c.Blocked)
		}
	}
}

// TestResolutionIsWhatTheTestDetects checks the resolution a look
// reports against what the look's test detects, on real pairs: A/A runs
// of four cells of the quick suite, 40 pairs each, recorded on the
// project's 2-core VM (gate's testdata/aa, from benchrun compare -base HEAD
// -head HEAD -quick -budget 0 -count 40). Resampled, each pair either way
// round, with head slowed by the reported resolution, the test must flag
// about Power of them.
func TestResolutionIsWhatTheTestDetects(t *testing.T) {
	pairs := readAA(t)
	rng := rand.New(rand.NewPCG(10, 11))
	plan := gate.Plan{Options: gate.Options{Threshold: 0.05}}
	for _, p := range pairs {
		if p.Unit != "sec/op" {
			continue
		}
		s := gate.NewSequence(plan)
		s.Screen([]*gate.Paired{p}, 1, true)
		first := verdict(t, s, p.Name, p.Unit)
		res := first.Resolution
		c := &pool{name: p.Name, units: []*gate.Paired{p}, shifts: []float64{res}}
		const trials = 2000
		detected := 0
		for range trials {
			s := gate.NewSequence(plan)
			s.Screen(c.draw(rng, len(p.Keys)), 1, true)
			if v := verdict(t, s, p.Name, p.Unit); v.State == gate.Flagged {
				detected++
			}
		}
		got := float64(detected) / trials
		t.Logf("%s: resolution %.1f%% (noise %.1f%%), detected in %.1f%%", p.Name, 100*res, 100*first.Noise, 100*got)
		if got < gate.Power-0.1 || got > gate.Power+0.1 {
			t.Errorf("%s: a shift of the reported resolution, %.1f%%, was detected in %.1f%% of resamples, want about %.0f%%",
				p.Name, 100*res, 100*got, 100*gate.Power)
		}
	}
}

// readAA reads gate's recorded A/A pairs: four cells of the quick suite,
// 40 pairs each.
func readAA(t *testing.T) []*gate.Paired {
	t.Helper()
	dir := filepath.Join("..", "testdata", "aa")
	pairs, err := gate.ReadPairs([]table.Input{{Label: "base", Path: filepath.Join(dir, "base.txt")}},
		[]table.Input{{Label: "head", Path: filepath.Join(dir, "head.txt")}})
	if err != nil || len(pairs) == 0 {
		t.Fatalf("reading %s: %d pairs, %v", dir, len(pairs), err)
	}
	return pairs
}

func verdict(t *testing.T, s *gate.Sequence, cell, unit string) gate.Verdict {
	t.Helper()
	for _, v := range s.Verdicts() {
		if v.Cell == cell && v.Unit == unit {
			return v
		}
	}
	t.Fatalf("no verdict for %s %s in %+v", cell, unit, s.Verdicts())
	return gate.Verdict{}
}
