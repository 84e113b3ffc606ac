package gate

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/batchbench/batchbench/reports/table"
)

// synthetic returns n pairs of cell in unit whose log ratios are change
// plus normal noise of spread sd, from a fixed seed.
func synthetic(cell, unit string, n int, base, change, sd float64, seed uint64) *Paired {
	rng := rand.New(rand.NewPCG(seed, 1))
	p := &Paired{Name: cell, Unit: unit, Better: -1}
	for i := range n {
		b := base * math.Exp(0.2*rng.NormFloat64()) // drift both sides share
		p.Keys = append(p.Keys, fmt.Sprint(i))
		p.Base = append(p.Base, b)
		p.Head = append(p.Head, b*math.Exp(math.Log1p(change)+sd*rng.NormFloat64()))
	}
	return p
}

// mirrored returns p with each pair's mirror image added, head and base
// swapped: pairs that lean neither way, whatever their noise.
func mirrored(p *Paired) *Paired {
	q := &Paired{Name: p.Name, Unit: p.Unit, Better: p.Better}
	for i, k := range p.Keys {
		q.Keys = append(q.Keys, k, k+"'")
		q.Base = append(q.Base, p.Base[i], p.Head[i])
		q.Head = append(q.Head, p.Head[i], p.Base[i])
	}
	return q
}

// first returns p's first n pairs.
func first(p *Paired, n int) *Paired {
	return &Paired{Name: p.Name, Unit: p.Unit, Better: p.Better, Keys: p.Keys[:n], Base: p.Base[:n], Head: p.Head[:n]}
}

func verdict(t *testing.T, s *Sequence, cell, unit string) Verdict {
	t.Helper()
	for _, v := range s.Verdicts() {
		if v.Cell == cell && v.Unit == unit {
			return v
		}
	}
	t.Fatalf("no verdict for %s %s in %+v", cell, unit, s.Verdicts())
	return Verdict{}
}

func TestScreenLooksWhenThePairsDouble(t *testing.T) {
	p := synthetic("Size/impl=a/size=1", "sec/op", 80, 1e-8, 0, 0.3, 1)
	s := NewSequence(Plan{Options: Options{Threshold: 0.05}})
	var looked []int
	for n := 1; n <= 80; n++ {
		s.Screen([]*Paired{first(p, n)}, float64(n)/80, false)
		if v := verdict(t, s, p.Name, p.Unit); len(looked) == 0 || v.Pairs != looked[len(looked)-1] {
			if v.Pairs > 0 {
				looked = append(looked, v.Pairs)
			}
		}
	}
	// DefaultMinPairs is 6: then 12, 24, 48, and no 96 within 80; and 56,
	// at 70% of the budget, the last look that can flag (ConfirmShare).
	if fmt.Sprint(looked) != "[6 12 24 48 56]" {
		t.Errorf("looked at %v pairs, want [6 12 24 48 56]", looked)
	}
}

func TestScreenPassesFlagsOrLeavesOpen(t *testing.T) {
	plan := Plan{Options: Options{Threshold: 0.05}}
	for _, tc := range []struct {
		name       string
		change, sd float64
		want       State
	}{
		{"no change, quiet", 0, 0.02, Passed},
		{"20% worse, quiet", 0.20, 0.02, Flagged},
		{"20% better, quiet", -0.20, 0.02, Passed},
		{"no change, noisy", 0, 0.5, Open},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := synthetic("Size/impl=a/size=1", "sec/op", 30, 1e-8, tc.change, tc.sd, 2)
			if tc.want == Open {
				p = mirrored(first(p, 15)) // noise alone, not a lean of the draw
			}
			s := NewSequence(plan)
			s.Screen([]*Paired{p}, 1, true)
			v := verdict(t, s, p.Name, p.Unit)
			if v.State != tc.want {
				t.Errorf("state %v, want %v (change %+.3f, interval %+.3f…%+.3f, p=%.4f)", v.State, tc.want, v.Change, v.Lo, v.Hi, v.P)
			}
			if math.Abs(v.Change-tc.change) > 4*tc.sd/math.Sqrt(30)+0.01 {
				t.Errorf("change %+.3f, planted %+.3f", v.Change, tc.change)
			}
			if tc.want == Open && !v.Final {
				t.Error("an open cell at the last look is not marked Final")
			}
		})
	}
}

func TestScreenFlagsOnlyWhileTheConfirmationCanFollow(t *testing.T) {
	plan := Plan{Options: Options{Threshold: 0.05}}
	noisy := mirrored(first(synthetic("Size/impl=a/size=1", "sec/op", 6, 1e-8, 0, 0.5, 10), 3))
	worse := synthetic(noisy.Name, "sec/op", 8, 1e-8, 0.20, 0.02, 11)
	deadline := 1 - ConfirmShare
	for _, tc := range []struct {
		name  string
		t     float64 // when the worse pairs are seen
		want  State
		pairs int
	}{
		// Before the deadline, 8 pairs are not due for a look (12 are).
		{"before the deadline", deadline - 0.1, Open, 6},
		// At it, every open cell gets its last look for flags, due or not.
		{"at the deadline", deadline + 0.01, Flagged, 8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSequence(plan)
			s.Screen([]*Paired{noisy}, 0.1, false)
			s.Screen([]*Paired{worse}, tc.t, false)
			if v := verdict(t, s, noisy.Name, "sec/op"); v.State != tc.want || v.Pairs != tc.pairs {
				t.Errorf("%v on %d pairs, want %v on %d", v.State, v.Pairs, tc.want, tc.pairs)
			}
		})
	}
	// After its last look for flags, a cell can pass but not be flagged:
	// the confirmation would have no time to follow.
	s := NewSequence(plan)
	s.Screen([]*Paired{noisy}, deadline+0.01, false)
	last := verdict(t, s, noisy.Name, "sec/op")
	if last.State != Open || math.IsInf(last.Resolution, 1) {
		t.Fatalf("noise alone: %v resolving %v, want open with a resolution", last.State, last.Resolution)
	}
	late := synthetic(noisy.Name, "sec/op", 24, 1e-8, 0.20, 0.02, 12)
	s.Screen([]*Paired{late}, 0.9, false)
	v := verdict(t, s, noisy.Name, "sec/op")
	if v.State != Open || v.Pairs != 24 {
		t.Errorf("20%% worse after the deadline: %v on %d pairs, want open on 24", v.State, v.Pairs)
	}
	if v.Resolution != last.Resolution {
		t.Errorf("resolution %v after the deadline, want the last look for flags' %v", v.Resolution, last.Resolution)
	}
	// The screen keeps the whole budget until it flags a cell.
	s = NewSequence(plan)
	s.Screen([]*Paired{noisy}, 0.1, false)
	if got := s.ScreenBudget(time.Minute); got != time.Minute {
		t.Errorf("screen budget with nothing flagged: %v, want all of it", got)
	}
	s.Screen([]*Paired{synthetic("Size/impl=b/size=1", "sec/op", 6, 1e-8, 0.20, 0.02, 13)}, deadline-0.1, false)
	if got, want := s.ScreenBudget(time.Minute), time.Duration(float64(time.Minute)*deadline); got != want {
		t.Errorf("screen budget once a cell is flagged: %v, want %v", got, want)
	}
}

func TestConfirmationJudgesTheFreshPairsAlone(t *testing.T) {
	plan := Plan{Options: Options{Threshold: 0.05}}
	worse := synthetic("Size/impl=a/size=1", "sec/op", 30, 1e-8, 0.20, 0.02, 3)
	for _, tc := range []struct {
		name  string
		fresh *Paired
		want  State
	}{
		{"repeated", synthetic(worse.Name, "sec/op", 30, 1e-8, 0.20, 0.02, 4), Blocked},
		{"not repeated", synthetic(worse.Name, "sec/op", 30, 1e-8, 0, 0.02, 5), Cleared},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSequence(plan)
			s.Screen([]*Paired{worse}, 1, true)
			if got := s.Flagged(); len(got) != 1 || got[0] != worse.Name {
				t.Fatalf("flagged %v, want the worse cell", got)
			}
			s.Confirm([]*Paired{tc.fresh}, 1, true)
			v := verdict(t, s, worse.Name, "sec/op")
			if v.State != tc.want || v.Fresh != 30 || v.Pairs != 30 {
				t.Errorf("state %v on %d fresh pairs (screen %d), want %v on 30 and 30", v.State, v.Fresh, v.Pairs, tc.want)
			}
			d := DecidePaired(&table.Results{}, &table.Tables{}, Options{Threshold: 0.05}, s)
			if want := map[State]Status{Blocked: Block, Cleared: Pass}[tc.want]; d.Status != want {
				t.Errorf("decision %v, want %v: %s", d.Status, want, d.Headline())
			}
			// A blocked cell's line gives the fresh pairs' change and
			// interval, and their number: not the screen's medians.
			if tc.want == Blocked {
				c := d.Regressed[0]
				want := fmt.Sprintf("Size/impl=a/size=1 sec/op: %+.2f%% [%+.1f%%, %+.1f%%] (p=%.3f, 30 fresh pairs after 30)", 100*c.Delta, 100*c.Lo, 100*c.Hi, c.P)
				if got := c.String(); got != want || c.Lo >= c.Delta || c.Hi <= c.Delta {
					t.Errorf("blocked cell reads %q, want %q", got, want)
				}
			}
		})
	}
}

func TestAPassCoversEveryGatedCell(t *testing.T) {
	quiet := synthetic("Size/impl=a/size=1", "sec/op", 30, 1e-8, 0, 0.02, 6)
	noisy := synthetic("Size/impl=b/size=1", "sec/op", 30, 1e-8, 0, 0.5, 7)
	for _, tc := range []struct {
		cover float64
		want  Status
	}{{0, Inconclusive}, {0.5, Pass}} {
		s := NewSequence(Plan{Options: Options{Threshold: 0.05, Cover: tc.cover}})
		s.Screen([]*Paired{quiet, noisy}, 1, true)
		d := DecidePaired(&table.Results{}, &table.Tables{}, Options{Threshold: 0.05}, s)
		if d.Status != tc.want {
			t.Errorf("cover %v: %v, want %v: %s", tc.cover, d.Status, tc.want, d.Headline())
		}
		if tc.want == Inconclusive && (!strings.Contains(d.Reason, noisy.Name) || strings.Contains(d.Reason, quiet.Name)) {
			t.Errorf("reason %q should name the open cell only", d.Reason)
		}
	}
}

func TestAllocationsBelowTheFloorAreJudgedAgainstIt(t *testing.T) {
	plan := Plan{Options: Options{Threshold: 0.05}}
	// The runtime's own allocations: 2 in 100,000 ops doubling is noise.
	tiny := synthetic("Size/impl=a/size=1000", "allocs/op", 20, 2e-5, 1.0, 0.02, 8)
	// One allocation every item more than half of one is a regression.
	real := synthetic("Size/impl=b/size=1000", "allocs/op", 20, 0.5, 1.0, 0.02, 9)
	s := NewSequence(plan)
	s.Screen([]*Paired{tiny, real}, 1, true)
	if v := verdict(t, s, tiny.Name, "allocs/op"); v.State != Passed {
		t.Errorf("2e-5 → 4e-5 allocs/op: %v, change %+.4f; want passed, judged against the floor", v.State, v.Change)
	}
	if v := verdict(t, s, real.Name, "allocs/op"); v.State != Flagged {
		t.Errorf("0.5 → 1 allocs/op: %v, want flagged", v.State)
	}
}

func TestTurns(t *testing.T) {
	ms := time.Millisecond
	for _, tc := range []struct {
		spent, cost []time.Duration
		want        string
	}{
		{[]time.Duration{0, 0}, []time.Duration{10 * ms, 300 * ms}, "[0 1]"},
		// The cheap cell takes pairs until it has spent a dear pair's time.
		{[]time.Duration{100 * ms, 700 * ms}, []time.Duration{10 * ms, 300 * ms}, "[0]"},
		{[]time.Duration{310 * ms, 300 * ms}, []time.Duration{10 * ms, 300 * ms}, "[0 1]"},
		{[]time.Duration{700 * ms, 300 * ms}, []time.Duration{10 * ms, 300 * ms}, "[1]"},
	} {
		if got := fmt.Sprint(Turns(tc.spent, tc.cost)); got != tc.want {
			t.Errorf("Turns(%v, %v) = %s, want %s", tc.spent, tc.cost, got, tc.want)
		}
	}
}

func TestReadPairs(t *testing.T) {
	const head = "pkg: x\n"
	run := func(key, v string) string {
		return fmt.Sprintf("pair: %s\nBenchmarkSize/impl=a/size=1-2 100 %s ns/op\n", key, v)
	}
	write := func(t *testing.T, name, body string) []table.Input {
		path := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(path, []byte(head+body), 0o644); err != nil {
			t.Fatal(err)
		}
		return []table.Input{{Label: name, Path: path}}
	}
	t.Run("matched by key in any order", func(t *testing.T) {
		pairs, err := ReadPairs(write(t, "base", run("0 base-first", "10")+run("1 head-first", "20")),
			write(t, "head", run("1 head-first", "22")+run("0 base-first", "11")))
		if err != nil || len(pairs) != 1 {
			t.Fatalf("%d pairs, %v", len(pairs), err)
		}
		if p := pairs[0]; fmt.Sprintf("%.3g %.3g", p.Base, p.Head) != "[1e-08 2e-08] [1.1e-08 2.2e-08]" {
			t.Errorf("base %v head %v, want each run with its pair", p.Base, p.Head)
		}
	})
	t.Run("unpaired files give no pairs", func(t *testing.T) {
		pairs, err := ReadPairs(write(t, "base", "BenchmarkX 1 1 ns/op\n"), write(t, "head", "BenchmarkX 1 1 ns/op\n"))
		if err != nil || pairs != nil {
			t.Errorf("%v, %v; want nothing and no error", pairs, err)
		}
	})
	for _, tc := range []struct {
		name, base, head, want string
	}{
		{"missing", run("0 base-first", "10") + run("1 base-first", "10"), run("0 base-first", "10") + run("2 base-first", "10"), `pair "1 base-first" is missing from head`},
		{"repeated", run("0 base-first", "10") + run("0 base-first", "10"), run("0 base-first", "10"), `pair "0 base-first" appears twice`},
		{"counts", run("0 base-first", "10"), run("0 base-first", "10") + run("1 base-first", "10"), "base has 1 runs and head 2"},
		{"layouts", "layout: 1\n" + run("0 base-first", "10"), "layout: 2\n" + run("0 base-first", "10"), `pair "0 base-first" ran base in layout "1" and head in "2"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadPairs(write(t, "base", tc.base), write(t, "head", tc.head))
			var pe *PairError
			if !errors.As(err, &pe) || pe.Cell != "Size/impl=a/size=1" || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want a *PairError naming the cell: %s", err, tc.want)
			}
		})
	}
}

// A stage stops when its next round would not fit in its share, and
// looks for the last time only when it would not fit in its total; a
// stage paused at its share looks as if it had used the share, so that
// the screen's last look for flags is made before the confirmation.
func TestWhen(t *testing.T) {
	const s = time.Second
	for _, c := range []struct {
		used, next, total, share time.Duration
		t                        float64
		final, stop              bool
	}{
		{used: 2 * s, next: s, total: 10 * s, share: 10 * s, t: 0.2},
		{used: 6 * s, next: 2 * s, total: 10 * s, share: 7 * s, t: 0.7, stop: true}, // paused: told the share
		{used: 7 * s, next: s, total: 10 * s, share: 7 * s, t: 0.7, stop: true},
		{used: 8 * s, next: 0, total: 10 * s, share: 10 * s, t: 0.8},
		{used: 9 * s, next: 2 * s, total: 10 * s, share: 10 * s, t: 0.9, final: true, stop: true},
		{used: 9 * s, next: 2 * s, total: 10 * s, share: 7 * s, t: 0.9, final: true, stop: true},
		{used: s, total: 0, share: 0, t: 1, final: true, stop: true}, // no budget: one look
	} {
		tt, final, stop := When(c.used, c.next, c.total, c.share)
		if math.Abs(tt-c.t) > 1e-9 || final != c.final || stop != c.stop {
			t.Errorf("When(%v, %v, %v, %v) = %.2f, final %v, stop %v; want %.2f, %v, %v",
				c.used, c.next, c.total, c.share, tt, final, stop, c.t, c.final, c.stop)
		}
	}
}
