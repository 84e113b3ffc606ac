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
// of four cells of the quick suite, 600 pairs each, recorded on the
// project's 2-core VM (gate's testdata/aapool, see its README). A sample
// of 40 pairs, drawn without replacement, gives a resolution; samples of
// 40 more, centred on the change of the whole pool and with head slowed
// by that resolution, must be shown worse at the look's level about
// Power of the time, over 20 first samples. (Not resampled with
// replacement from one sample: copies of a few pairs make a trimmed mean
// jump as they cross its trim points, which real pairs do not.)
func TestResolutionIsWhatTheTestDetects(t *testing.T) {
	pairs := readPairs(t, "aapool")
	rng := rand.New(rand.NewPCG(10, 11))
	plan := gate.Plan{Options: gate.Options{Threshold: 0.05}}
	look := func(p *gate.Paired) gate.Verdict {
		s := gate.NewSequence(plan)
		s.Screen([]*gate.Paired{p}, 1, true)
		return verdict(t, s, p.Name, p.Unit)
	}
	const n, firsts, trials = 40, 20, 100
	for _, p := range pairs {
		if p.Unit != "sec/op" {
			continue
		}
		centre := look(p).Change
		detected, resolution := 0, 0.0
		for range firsts {
			first := look(subsample(rng, p, n, 1))
			resolution += first.Resolution / firsts
			for range trials {
				// Detected: worse at the look's level. (Below the threshold,
				// the look may pass such a change instead of flagging it.)
				if look(subsample(rng, p, n, (1+first.Resolution)/(1+centre))).P <= gate.DefaultScreen {
					detected++
				}
			}
		}
		got := float64(detected) / (firsts * trials)
		t.Logf("%s: %d pairs, change %+.2f%%; at %d pairs, resolution %.1f%% (mean), detected in %.1f%%", p.Name, len(p.Keys), 100*centre, n, 100*resolution, 100*got)
		if got < gate.Power-0.05 || got > gate.Power+0.05 {
			t.Errorf("%s: a shift of the reported resolution was detected in %.1f%% of samples, want about %.0f%%", p.Name, 100*got, 100*gate.Power)
		}
	}
}

// subsample draws n of p's pairs without replacement, as recorded, with
// head's value times ratio.
func subsample(rng *rand.Rand, p *gate.Paired, n int, ratio float64) *gate.Paired {
	q := &gate.Paired{Name: p.Name, Unit: p.Unit, Better: p.Better, Keys: make([]string, n), Base: make([]float64, n), Head: make([]float64, n)}
	for i, j := range rng.Perm(len(p.Keys))[:n] {
		q.Keys[i], q.Base[i], q.Head[i] = p.Keys[j], p.Base[j], p.Head[j]*ratio
	}
	return q
}

// readAA reads gate's recorded A/A pairs: four cells of the quick suite,
// 40 pairs each.
func readAA(t *testing.T) []*gate.Paired { return readPairs(t, "aa") }

// readPairs reads the recorded pairs in gate's testdata/dir.
func readPairs(t *testing.T, dir string) []*gate.Paired {
	t.Helper()
	dir = filepath.Join("..", "testdata", dir)
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

// What the confirmation leaves of the budget goes back to the screen's
// open cells: a screen that paused at its share for a confirmation that
// was quick goes on, and its open cell ends with the pairs of nearly the
// whole budget, not of the screen's share alone.
func TestTheScreenGoesOnAfterAQuickConfirmation(t *testing.T) {
	const slowed, open = "Size/impl=pooled/size=1000", "Size/impl=mutex/size=1000"
	var pairs []*gate.Paired
	for _, p := range readAA(t) {
		if p.Name == slowed || p.Name == open {
			pairs = append(pairs, p)
		}
	}
	cost := map[string]time.Duration{slowed: 10 * time.Millisecond, open: 10 * time.Millisecond}
	// A threshold no cell can pass at this budget: open stays open.
	r := Replay{Plan: gate.Plan{Options: gate.Options{Threshold: 0.001}}, Recorded: pairs, Cost: cost, Budget: 4 * time.Second,
		Shift: 0.5, Shifted: func(cell string) bool { return cell == slowed }}
	rng := rand.New(rand.NewPCG(3, 4))
	decided := 0
	for range 20 {
		d := r.decide(rng, r.pools())
		s, o := verdict(t, d.Paired, slowed, "sec/op"), verdict(t, d.Paired, open, "sec/op")
		if s.State != gate.Blocked || o.State != gate.Open {
			continue // the screen flagged open too, or the confirmation was not quick
		}
		decided++
		// Every pair, the screen's and the confirmation's, cost 10 ms:
		// a cell's are its units' most.
		screen, fresh := map[string]int{}, map[string]int{}
		for _, v := range d.Paired.Verdicts() {
			screen[v.Cell], fresh[v.Cell] = max(screen[v.Cell], v.Pairs), max(fresh[v.Cell], v.Fresh)
		}
		if used := time.Duration(screen[slowed]+fresh[slowed]+screen[open]+fresh[open]) * 10 * time.Millisecond; used < r.Budget*9/10 {
			t.Errorf("open cell measured %d pairs and %d fresh, slowed %d and %d fresh: %v of the %v budget; want nearly all of it",
				screen[open], fresh[open], screen[slowed], fresh[slowed], used, r.Budget)
		}
	}
	if decided < 10 {
		t.Errorf("%d of 20 decisions blocked the slowed cell with the other open; want most", decided)
	}
}
