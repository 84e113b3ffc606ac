package trend

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/batchbench/batchbench/internal/gitrepo"
	"github.com/batchbench/batchbench/internal/history"
)

// parents lists commits as a linear history of commitID(0), commitID(1),
// ... would: head's ancestors down to base, excluded, newest first.
func parents(base, head string) ([]string, error) {
	var out []string
	for i := 20; i >= 0; i-- {
		if c := commitID(i); c == head || len(out) > 0 {
			if c == base {
				return out, nil
			}
			out = append(out, c)
		}
	}
	return nil, os.ErrNotExist
}

// chainHistory files commit 1 as a plain run, then a pair per [2]int
// {head, base} of commit indices, on the drifting machine.
func chainHistory(t *testing.T, levels []float64, pairs ...[2]int) string {
	t.Helper()
	db := t.TempDir()
	m := newMachine(drift)
	writeEntry(t, db, 0, m.run(0, levels))
	for _, p := range pairs {
		writeEntry(t, db, p[0], m.pairAgainst(p[0], p[1], levels))
	}
	return db
}

func analyze(t *testing.T, db string) *Trend {
	t.Helper()
	o := Options{Threshold: 0.05, Commits: parents}
	entries, err := history.Read(db)
	if err != nil {
		t.Fatal(err)
	}
	series, err := Load(entries, o)
	if err != nil {
		t.Fatal(err)
	}
	return Analyze(entries, series, o)
}

func lastPoint(t *testing.T, tr *Trend, cell, unit string) Point {
	t.Helper()
	for _, s := range tr.Series {
		if s.Method == Paired && s.Cell == cell && s.Unit == unit {
			return s.Points[len(s.Points)-1]
		}
	}
	t.Fatalf("no paired series %s %s", cell, unit)
	return Point{}
}

func trendMD(t *testing.T, tr *Trend) string {
	t.Helper()
	path, err := Write(tr, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(md)
}

// Commit 3 slows ring by 15%, and its run was cancelled: the history
// holds commits 1, 2 and 4, the last measured against 2, the last
// recorded commit. The chain has no gap, its level holds commit 3's
// change through the 2→4 pair, and trend names the span, in trend.md and
// in the suspect's line.
func TestChainSpansACancelledRun(t *testing.T) {
	levels := []float64{10, 10, 11.5, 11.5}
	tr := analyze(t, chainHistory(t, levels, [2]int{1, 0}, [2]int{3, 1}))

	if len(tr.Chain) != 2 {
		t.Fatalf("chain %+v, want the two pairs", tr.Chain)
	}
	span := tr.Chain[1]
	if span.Gap() || !span.Span() || !slices.Equal(span.Commits, []string{commitID(3), commitID(2)}) {
		t.Errorf("2→4 link %+v: want a span of commits 4 and 3, no gap", span)
	}
	if want := "000000000004 is measured against 000000000002: a span of 2 commits (000000000004, 000000000003)"; !strings.HasPrefix(span.String(), want) {
		t.Errorf("link %q, want it to start %q", span, want)
	}
	p := lastPoint(t, tr, "Size/impl=ring/size=1000", "sec/op")
	if p.Gap || p.Commits != 2 || math.Abs(p.Level/1.15-1) > 0.04 {
		t.Errorf("ring's last point: gap %v, %d commits, level %.3f; want no gap, 2 commits, level about 1.15 (commit 3's change)", p.Gap, p.Commits, p.Level)
	}
	lines := Lines(tr.Suspects)
	if len(lines) != 1 || !strings.Contains(lines[0], "ring/size=1000 at 000000000004") || !strings.Contains(lines[0], "paired against 000000000002, a span of 2 commits)") {
		t.Errorf("suspects %q, want ring at commit 4, its span named", lines)
	}
	md := trendMD(t, tr)
	for _, want := range []string{
		"## Chain of paired entries", "2 entries, 1 spans", "0 gaps",
		"| `000000000004` | 2026-12-04T00:00:00Z | `000000000002` | 2 commits: `000000000004`, `000000000003` | **span**, follows `000000000002` |",
		"| `000000000002` | 2026-12-02T00:00:00Z | `000000000001` | 1 commit | first |",
		"against `000000000002`, a span of 2 commits (n=10+10)",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("trend.md lacks %q:\n%s", want, md)
		}
	}
}

// Commit 2 slows ring by 15%; commit 4 is measured against its parent 3
// although the history's last entry is 2: a gap. The gap is reported,
// and the level starts again at 3 rather than multiply 4/3 onto 2/1 as if
// nothing happened between 2 and 3; the creep before the gap is its own.
func TestChainReportsAGap(t *testing.T) {
	levels := []float64{10, 11.5, 11.5, 11.5}
	tr := analyze(t, chainHistory(t, levels, [2]int{1, 0}, [2]int{3, 2}))

	gap := tr.Chain[1]
	if !gap.Gap() || gap.Span() || gap.Previous != commitID(1) {
		t.Errorf("3→4 link %+v: want a gap after commit 2", gap)
	}
	if !strings.Contains(gap.String(), "a gap; the changes from 000000000002 to 000000000003 are in no ratio") {
		t.Errorf("link %q does not name the gap", gap)
	}
	p := lastPoint(t, tr, "Size/impl=ring/size=1000", "sec/op")
	if !p.Gap || math.Abs(p.Level-1) > 0.04 {
		t.Errorf("ring's last point: gap %v, level %.3f; want a gap and the level started again, about 1 (not 2/1's 1.15)", p.Gap, p.Level)
	}
	var ring []Creep
	for _, c := range tr.Creeps {
		if c.Series.Cell == "Size/impl=ring/size=1000" && c.Series.Unit == "sec/op" {
			ring = append(ring, c)
		}
	}
	if len(ring) != 1 || ring[0].From != "000000000001" || ring[0].To != "000000000002" || ring[0].Steps != 1 {
		t.Errorf("ring's creeps %+v, want one, the stretch 1→2 before the gap", ring)
	}
	md := trendMD(t, tr)
	for _, want := range []string{"0 spans", "1 gaps", "| `000000000004` | 2026-12-04T00:00:00Z | `000000000003` | 1 commit | **gap**: the previous head is `000000000002` |"} {
		if !strings.Contains(md, want) {
			t.Errorf("trend.md lacks %q:\n%s", want, md)
		}
	}
}

// Without a way to list commits, what a pair measures is unknown, and
// trend.md says so rather than call it one commit.
func TestChainCommitsUnknown(t *testing.T) {
	db := chainHistory(t, []float64{10, 10, 10, 10}, [2]int{1, 0}, [2]int{3, 1})
	entries, series := load(t, db)
	tr := Analyze(entries, series, Options{Threshold: 0.05})
	if tr.Chain[1].Commits != nil || tr.Chain[1].Span() || tr.Chain[1].Gap() {
		t.Errorf("link %+v, want commits unknown, no span, no gap", tr.Chain[1])
	}
	if md := trendMD(t, tr); !strings.Contains(md, "| `000000000001` | unknown | first |") || !strings.Contains(md, "For 2 entries the commits between base and head are unknown") {
		t.Errorf("trend.md:\n%s", md)
	}
}

// GitCommits lists what git rev-list base..head does, newest first, and
// fails on what is not a commit hash of the repository.
func TestGitCommits(t *testing.T) {
	ctx := context.Background()
	repo := t.TempDir()
	git := func(args ...string) string {
		t.Helper()
		out, err := gitrepo.Git(ctx, repo, append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	git("init", "-q")
	var c []string
	for i := range 3 {
		git("commit", "-q", "--allow-empty", "-m", string(rune('a'+i)))
		c = append(c, git("rev-parse", "HEAD"))
	}
	list := GitCommits(filepath.Join(repo, "."))
	got, err := list(c[0], c[2])
	if err != nil || !slices.Equal(got, []string{c[2], c[1]}) {
		t.Errorf("GitCommits(1, 3) = %v, %v; want [3 2]", got, err)
	}
	for _, bad := range [][2]string{{c[0], strings.Repeat("0", 40)}, {"--all", c[2]}, {c[0], "HEAD"}} {
		if got, err := list(bad[0], bad[1]); err == nil {
			t.Errorf("GitCommits(%q, %q) = %v, want an error", bad[0], bad[1], got)
		}
	}
}

// Last is the newest entry with its head commit: what the next pair is
// measured against. An empty history has none; a missing one, or a
// damaged last entry, is an error.
func TestLast(t *testing.T) {
	db := chainHistory(t, []float64{10, 10, 10, 10}, [2]int{1, 0}, [2]int{3, 1})
	e, ok, err := history.Last(db)
	if err != nil || !ok || e.Commit != commitID(3) || e.Base != commitID(1) {
		t.Errorf("Last = %+v, %v, %v; want commit 4 against 2", e, ok, err)
	}
	if _, ok, err := history.Last(t.TempDir()); ok || err != nil {
		t.Errorf("empty history: ok %v, %v", ok, err)
	}
	if _, _, err := history.Last(filepath.Join(t.TempDir(), "none")); err == nil {
		t.Error("a missing history is no error")
	}
	if err := os.WriteFile(e.Path, []byte("commit: x\nBenchmarkSize/impl=ring 1 1"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := history.Last(db); err == nil || !strings.Contains(err.Error(), e.Name+" is damaged") {
		t.Errorf("damaged last entry: %v", err)
	}
}

// A batcher that allocates as good as nothing (mutex: a few allocations
// in a hundred thousand items) moves by large ratios from entry to entry:
// 2 against 3 in 100,000 is +50%, and consistently so, yet it is no
// regression. Below the gate's floors the trend flags no change and no
// creep in an allocation unit, as the gate judges none; a real jump, from
// nothing to one allocation per item, is still flagged.
func TestPairedIgnoresAllocationsBelowTheFloor(t *testing.T) {
	db := t.TempDir()
	allocs := []float64{2e-5, 2e-5, 3e-5, 3e-5, 1}
	for i := range allocs {
		var b strings.Builder
		for _, side := range []struct {
			name   string
			commit int
		}{{"base", i - 1}, {"head", i}} {
			if i == 0 {
				if side.name == "base" {
					continue
				}
				side.name = ""
			}
			h := header(side.name, commitID(side.commit), i)
			if side.name == "" {
				h = strings.Replace(h, "source: \n", "", 1)
			}
			b.WriteString(h)
			for r := range 10 {
				fmt.Fprintf(&b, "BenchmarkSize/impl=mutex/size=1000-2 100000 %.4f ns/op %.6g allocs/op\n", 13*(1+0.001*float64(r)), allocs[side.commit]*(1+0.001*float64(r)))
			}
		}
		writeEntry(t, db, i, b.String())
	}
	entries, series := load(t, db)
	tr := Analyze(entries, series, Options{Threshold: 0.05})
	var flagged []string
	for _, s := range tr.Suspects {
		flagged = append(flagged, fmt.Sprintf("%s at %s", s.Series.Unit, s.At.Commit))
	}
	if want := []string{"allocs/op at " + history.Short(commitID(4))}; !slices.Equal(flagged, want) {
		t.Errorf("suspects %q, want only the jump to one allocation per item, %q", flagged, want)
	}
	for _, c := range tr.Creeps {
		if c.Series.Unit == "allocs/op" && c.To != history.Short(commitID(4)) {
			t.Errorf("a creep of allocations below the floor: %+v", c)
		}
	}
}
