package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/batchbench/batchbench/reports"
	"github.com/batchbench/batchbench/reports/table"
)

// savedRun writes DIR/results.txt as benchrun run would: config lines,
// count runs of each cell at ns (±0.2%), then extra (failure blocks).
func savedRun(t *testing.T, config string, ns map[string]float64, count int, extra string) string {
	t.Helper()
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("harness: batchbench test\ncommit: abc\ndate: 2026-12-01T00:00:00Z\n" + config)
	for i := range count {
		for _, cell := range sortedKeys(ns) {
			fmt.Fprintf(&b, "Benchmark%s-2 100000 %g ns/op\n", cell, ns[cell]*(1+0.002*float64(i%5-2)))
		}
	}
	b.WriteString(extra)
	if err := os.WriteFile(filepath.Join(dir, "results.txt"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func sortedKeys(m map[string]float64) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

var ringCells = map[string]float64{"Size/impl=ring/size=1000": 13, "Size/impl=ring/size=10000": 14}

// benchrunGate runs benchrun and returns its exit code, stdout and the
// decision that opens report.md in out.
func benchrunGate(t *testing.T, out string, args ...string) (code int, stdout, stderr, top string) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	if data, err := os.ReadFile(filepath.Join(out, "report.md")); err == nil {
		lines := strings.Split(string(data), "\n")
		if len(lines) > 2 {
			top = lines[2] // "# Title", "", then the decision
		}
	}
	return code, o.String(), e.String(), top
}

// agree checks that the exit status, the first line of report.md and the
// headline on stdout are one decision.
func agree(t *testing.T, code int, stdout, top, want string) {
	t.Helper()
	if !strings.HasPrefix(top, "**"+want) {
		t.Errorf("report.md opens with %q, want %q", top, want)
	}
	if !strings.Contains(stdout, want) {
		t.Errorf("stdout lacks %q:\n%s", want, stdout)
	}
	status := map[string]int{"Merge blocked": 1, "Gate inconclusive": 2, "No regression": 0}
	for prefix, c := range status {
		if strings.HasPrefix(want, prefix) && code != c {
			t.Errorf("exit %d for %q, want %d", code, want, c)
		}
	}
}

// A head cell that failed in saved results blocks the merge, in compare
// and in report -head alike, and every output says so.
func TestSavedFailedHeadCellBlocks(t *testing.T) {
	base := savedRun(t, "goos: linux\n", ringCells, 10, "")
	head := savedRun(t, "goos: linux\n", ringCells, 10, "--- FAIL: BenchmarkSize/impl=ring/size=10\n    self-check: 3 items lost\nFAIL\n")
	out := filepath.Join(t.TempDir(), "cmp")
	code, stdout, stderr, top := benchrunGate(t, out, "compare", "-base", base, "-head", head, "-impl", "^ring$", "-scenario", "^Size", "-o", out)
	agree(t, code, stdout, top, "Merge blocked: 1 failed head cell.")
	if !strings.Contains(stderr, "FAILED HEAD BenchmarkSize/impl=ring/size=10: self-check: 3 items lost") {
		t.Errorf("stderr does not name the failed cell:\n%s", stderr)
	}

	out = filepath.Join(t.TempDir(), "rep")
	code, stdout, _, top = benchrunGate(t, out, "report", "-in", "base="+base, "-in", "head="+head, "-head", "head", "-baseline", "base", "-o", out)
	agree(t, code, stdout, top, "Merge blocked: 1 failed head cell.")
}

func TestIncomparableInputsExitTwo(t *testing.T) {
	base := savedRun(t, "goos: linux\ngoarch: amd64\n", ringCells, 10, "")
	head := savedRun(t, "goos: darwin\ngoarch: arm64\n", ringCells, 10, "")
	out := filepath.Join(t.TempDir(), "cmp")
	code, stdout, _, top := benchrunGate(t, out, "compare", "-base", base, "-head", head, "-impl", "^ring$", "-scenario", "^Size", "-o", out)
	agree(t, code, stdout, top, "Gate inconclusive: base and head are not comparable: they differ in goarch (base: amd64; head: arm64), goos (base: linux; head: darwin)")
	// The package states the facts; the command line words the advice,
	// on stdout and under the decision in report.md.
	advice := "If the difference does not matter, pass -ignore goarch,goos."
	if md, _ := os.ReadFile(filepath.Join(out, "report.md")); !strings.Contains(string(md), "> "+advice) || !strings.Contains(stdout, advice) {
		t.Errorf("report.md or stdout does not suggest -ignore; stdout:\n%s", stdout)
	}
	out = filepath.Join(t.TempDir(), "ign")
	code, stdout, _, top = benchrunGate(t, out, "compare", "-base", base, "-head", head, "-ignore", "goos,goarch", "-impl", "^ring$", "-scenario", "^Size", "-o", out)
	agree(t, code, stdout, top, "No regression ≥ 5% in 2 cells.")
}

func TestGateWithoutEvidenceExitsTwo(t *testing.T) {
	empty := t.TempDir()
	if err := os.WriteFile(filepath.Join(empty, "results.txt"), []byte("goos: linux\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	head := savedRun(t, "", ringCells, 10, "")
	var o, e bytes.Buffer
	if code := run([]string{"compare", "-base", empty, "-head", head, "-o", t.TempDir()}, &o, &e); code != 2 || !strings.Contains(o.String(), "results.txt holds no benchmark results") {
		t.Errorf("empty base: exit %d, stdout %q", code, o.String())
	}
	out := filepath.Join(t.TempDir(), "rep")
	code, stdout, _, top := benchrunGate(t, out, "report", "-in", "base="+head, "-in", "head="+head, "-baseline", "base", "-head", "nomatch", "-o", out)
	agree(t, code, stdout, top, "Gate inconclusive: compared nothing")
	one := savedRun(t, "", ringCells, 1, "")
	out = filepath.Join(t.TempDir(), "one")
	code, stdout, _, top = benchrunGate(t, out, "report", "-in", "base="+one, "-in", "head="+one, "-baseline", "base", "-head", "head", "-o", out)
	agree(t, code, stdout, top, "Gate inconclusive: count 1 is too small")
	if code := run([]string{"compare", "-base", "HEAD", "-count", "1", "-o", t.TempDir()}, &o, &e); code != 2 {
		t.Errorf("compare -count 1 exited %d, want 2 before building anything", code)
	}
}

// A compare directory whose pairs do not match is refused, naming the
// cell, with exit 2: a pair missing from head, and one repeated.
func TestMismatchedPairsExitTwo(t *testing.T) {
	pair := func(key string, ns float64) string {
		return fmt.Sprintf("pair: %s\nBenchmarkSize/impl=ring/size=1000-2 1000 %g ns/op\n", key, ns)
	}
	for _, tc := range []struct{ name, head, want string }{
		{"missing", pair("0 base-first", 10) + pair("2 head-first", 10), `cell Size/impl=ring/size=1000: pair "1 head-first" is missing from head`},
		{"repeated", pair("0 base-first", 10) + pair("0 base-first", 10), `cell Size/impl=ring/size=1000: pair "0 base-first" appears twice`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for side, body := range map[string]string{"base": pair("0 base-first", 10) + pair("1 head-first", 11), "head": tc.head} {
				if err := os.MkdirAll(filepath.Join(dir, side), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, side, "results.txt"), []byte("source: "+side+"\n"+body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			var o, e bytes.Buffer
			code := run([]string{"report", "-in", dir, "-head", "head", "-o", filepath.Join(t.TempDir(), "rep")}, &o, &e)
			if code != 2 || !strings.Contains(e.String(), tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, e.String(), tc.want)
			}
		})
	}
}

// report takes several -in, as benchstat takes several files: each is a
// column, labelled by its name or path.
func TestReportSeveralInputs(t *testing.T) {
	a := savedRun(t, "", ringCells, 6, "")
	b := savedRun(t, "", map[string]float64{"Size/impl=ring/size=1000": 20, "Size/impl=ring/size=10000": 14}, 6, "")
	out := t.TempDir()
	var o, e bytes.Buffer
	if code := run([]string{"report", "-in", "old=" + a, "-in", b, "-o", out}, &o, &e); code != 0 {
		t.Fatalf("exit %d: %s", code, e.String())
	}
	md, err := os.ReadFile(filepath.Join(out, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| old sec/op | " + b + " sec/op | vs base |", "+53.85%", "old=" + filepath.Join(a, "results.txt")} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
}

// Impossible values are excluded, and parse errors and exclusions reach
// stderr with their file and line: the first few, then a count.
func TestReportNamesBadLinesOnStderr(t *testing.T) {
	var b strings.Builder
	for i := range 6 {
		fmt.Fprintf(&b, "BenchmarkSize/impl=ring/size=10 1 %d ns/op\nBenchmarkSize/impl=channel/size=10 1 %d ns/op\n", 10+i, 100+i)
	}
	b.WriteString("BenchmarkSize/impl=ring/size=10 1 -5 ns/op\n")
	for range 8 {
		b.WriteString("BenchmarkSize/impl=ring/size=10 1 x ns/op\n")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "garbled.txt")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var o, e bytes.Buffer
	if code := run([]string{"report", "-in", path, "-o", dir}, &o, &e); code != 0 {
		t.Fatalf("exit %d: %s", code, e.String())
	}
	stderr := e.String()
	if !strings.Contains(stderr, "EXCLUDED "+path+":13: BenchmarkSize/impl=ring/size=10: -5 ns/op is negative") {
		t.Errorf("stderr does not name the negative value:\n%s", stderr)
	}
	if n := strings.Count(stderr, "UNPARSED "+path+":"); n != maxProblems || !strings.Contains(stderr, "UNPARSED ... and 3 more") {
		t.Errorf("stderr lists %d parse errors, want %d and a count:\n%s", n, maxProblems, stderr)
	}
	md, _ := os.ReadFile(filepath.Join(dir, "report.md"))
	if !strings.Contains(string(md), "-5 ns/op is negative") || strings.Contains(string(md), "-101") {
		t.Errorf("report.md does not list the exclusion, or used the value")
	}
}

// Shard outputs of a compare merge into one decision; a missing or
// repeated shard is refused, naming it.
func TestMergeShardedCompares(t *testing.T) {
	root := t.TempDir()
	shard := func(i int, cells map[string]float64, headNs float64) {
		for _, side := range []string{"base", "head"} {
			dir := filepath.Join(root, "shards", fmt.Sprintf("shard-%d", i), side)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			fmt.Fprintf(&b, "harness: batchbench test\nshard: %d/2\nrunner: runner-%d\nsource: %s\n", i, i, side)
			for run := range 10 {
				for _, cell := range sortedKeys(cells) {
					ns := cells[cell]
					if side == "head" {
						ns *= headNs
					}
					fmt.Fprintf(&b, "Benchmark%s-2 100000 %g ns/op\n", cell, ns*(1+0.002*float64(run%5-2)))
				}
			}
			if err := os.WriteFile(filepath.Join(dir, "results.txt"), []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	shard(1, map[string]float64{"Size/impl=ring/size=10": 20}, 1)
	shard(2, map[string]float64{"Size/impl=ring/size=1000": 13}, 1.2)
	out := filepath.Join(root, "merged")
	code, stdout, stderr, top := benchrunGate(t, out, "report", "-in", filepath.Join(root, "shards"), "-o", out)
	agree(t, code, stdout, top, "Merge blocked: 1 regression.")
	if !strings.Contains(stderr, "REGRESSION Size/impl=ring/size=1000 sec/op: +20.00%") {
		t.Errorf("stderr:\n%s", stderr)
	}
	md, _ := os.ReadFile(filepath.Join(out, "report.md"))
	for _, want := range []string{"runner-1", "runner-2", "`shard (ignored)`"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report.md lacks %q: the Environment must list each shard's machine", want)
		}
	}

	// Shard 2 missing, then shard 1 given twice.
	var o, e bytes.Buffer
	if code := run([]string{"report", "-in", filepath.Join(root, "shards", "shard-1"), "-o", t.TempDir()}, &o, &e); code != 2 || !strings.Contains(e.String(), "missing shard(s) 2/2 of 2") {
		t.Errorf("one shard of two: exit %d, stderr %q", code, e.String())
	}
	e.Reset()
	s1 := filepath.Join(root, "shards", "shard-1")
	if code := run([]string{"report", "-in", s1, "-in", s1, "-in", filepath.Join(root, "shards", "shard-2"), "-o", t.TempDir()}, &o, &e); code != 2 || !strings.Contains(e.String(), "shard 1/2 of base is given 2 times") {
		t.Errorf("a shard twice: exit %d, stderr %q", code, e.String())
	}
}

// history add files a run under its date and commit, and never replaces
// an entry without -force.
func TestHistoryAdd(t *testing.T) {
	run1 := savedRun(t, "", ringCells, 2, "")
	db := filepath.Join(t.TempDir(), "history")
	var o, e bytes.Buffer
	if code := run([]string{"history", "add", "-db", db, run1}, &o, &e); code != 0 {
		t.Fatalf("exit %d: %s", code, e.String())
	}
	entry := filepath.Join(db, "20261201T000000Z-abc", "results.txt")
	if got, err := os.ReadFile(entry); err != nil || !strings.Contains(string(got), "commit: abc") {
		t.Fatalf("entry %s: %v", entry, err)
	}
	e.Reset()
	if code := run([]string{"history", "add", "-db", db, run1}, &o, &e); code != 2 || !strings.Contains(e.String(), "already filed") {
		t.Errorf("second add: exit %d, %q", code, e.String())
	}
	if code := run([]string{"history", "add", "-db", db, "-force", run1}, &o, &e); code != 0 {
		t.Errorf("add -force: exit %d", code)
	}
	foreign := filepath.Join(t.TempDir(), "foreign.txt")
	if err := os.WriteFile(foreign, []byte("BenchmarkX 1 1 ns/op\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.Reset()
	if code := run([]string{"history", "add", "-db", db, foreign}, &o, &e); code != 2 || !strings.Contains(e.String(), "must carry commit and date") {
		t.Errorf("foreign file: exit %d, %q", code, e.String())
	}
}

// Merging -shard 1/3, 2/3 and 3/3 of a run gives the same cells, counts
// and table shape as the same run unsharded.
func TestMergedShardsMatchOneRun(t *testing.T) {
	root := t.TempDir()
	sel := []string{"-quick", "-impl", "^(ring|mutex)$", "-scenario", "^Size", "-count", "2", "-profile=false", "-runtime", "1ms"}
	var o, e bytes.Buffer
	if code := run(append([]string{"run", "-o", filepath.Join(root, "whole")}, sel...), &o, &e); code != 0 {
		t.Fatalf("run exited %d\n%s", code, e.String())
	}
	for i := 1; i <= 3; i++ {
		args := append([]string{"run", "-shard", fmt.Sprintf("%d/3", i), "-o", filepath.Join(root, "shards", fmt.Sprintf("s%d", i))}, sel...)
		if code := run(args, &o, &e); code != 0 {
			t.Fatalf("shard %d exited %d\n%s", i, code, e.String())
		}
	}
	shape := func(ins ...string) []string {
		t.Helper()
		var named []table.Input
		for _, in := range ins {
			named = append(named, table.Input{Path: in})
		}
		x, err := reports.Expand(named)
		if err != nil {
			t.Fatal(err)
		}
		o := reportOptions(t.TempDir(), "", "", 0)
		o.Inputs = x.Inputs
		s, err := reports.Generate(o)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, tb := range s.Tables.Tables {
			for _, row := range tb.Rows {
				for j, c := range row.Cells {
					if c != nil {
						out = append(out, fmt.Sprintf("%s %s %s %s n=%d", s.Tables.SectionTitle(tb), tb.Unit, row.Label, tb.Cols[j], len(c.Sample.Values)))
					}
				}
			}
		}
		slices.Sort(out) // rows appear in run order, which shards change
		return out
	}
	whole, merged := shape(filepath.Join(root, "whole")), shape(filepath.Join(root, "shards"))
	if len(whole) == 0 || strings.Join(whole, "\n") != strings.Join(merged, "\n") {
		t.Errorf("merged shards:\n%s\nwant, as one run:\n%s", strings.Join(merged, "\n"), strings.Join(whole, "\n"))
	}
	// Given one by one, the shards are pooled as their directory would
	// be, never shown as three columns of fragments.
	s := func(i int) string { return filepath.Join(root, "shards", fmt.Sprintf("s%d", i)) }
	if oneByOne := shape(s(1), s(2), s(3)); strings.Join(oneByOne, "\n") != strings.Join(whole, "\n") {
		t.Errorf("shards given one by one:\n%s\nwant, as one run:\n%s", strings.Join(oneByOne, "\n"), strings.Join(whole, "\n"))
	}
	var o2, e2 bytes.Buffer
	if code := run([]string{"report", "-in", s(1), "-in", s(3), "-o", t.TempDir()}, &o2, &e2); code != 2 || !strings.Contains(e2.String(), "missing shard(s) 2/3 of 3") {
		t.Errorf("two shards of three: exit %d, stderr %q", code, e2.String())
	}
}

// A directory of shard outputs with nothing in it, or a shard without its
// results, is a usage error that says what is missing.
func TestShardDirectoryWithoutResults(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "shards", "shard-1"), 0o755); err != nil {
		t.Fatal(err)
	}
	var o, e bytes.Buffer
	if code := run([]string{"report", "-in", filepath.Join(root, "shards"), "-o", t.TempDir()}, &o, &e); code != 2 || !strings.Contains(e.String(), "holds no results.txt") {
		t.Errorf("empty shard directory: exit %d, %q", code, e.String())
	}
}

// NAME=PATH is split once, at the flag: a directory whose own name holds
// "=" is read whole, alone or labelled.
func TestReportPathWithEquals(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "runs", "count=6")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	src := savedRun(t, "", ringCells, 6, "")
	data, _ := os.ReadFile(filepath.Join(src, "results.txt"))
	if err := os.WriteFile(filepath.Join(dir, "results.txt"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{dir, "old=" + dir} {
		var o, e bytes.Buffer
		out := t.TempDir()
		if code := run([]string{"report", "-in", in, "-in", "new=" + src, "-o", out}, &o, &e); code != 0 {
			t.Fatalf("report -in %s exited %d: %s", in, code, e.String())
		}
		md, _ := os.ReadFile(filepath.Join(out, "report.md"))
		label, _, _ := strings.Cut(in, "=")
		if in == dir {
			label = dir
		}
		if !strings.Contains(string(md), "| "+label+" sec/op | new sec/op |") {
			t.Errorf("report -in %s: no column %q in report.md", in, label)
		}
	}
}

// -confidence sets the level of the intervals a report shows, as
// benchstat's does: the tables' and the paired estimates'; a level out of
// range is a usage error.
func TestReportConfidence(t *testing.T) {
	dir := t.TempDir()
	for side, ns := range map[string]float64{"base": 10, "head": 11} {
		var b strings.Builder
		b.WriteString("source: " + side + "\n")
		for i := range 12 {
			fmt.Fprintf(&b, "pair: %d base-first\nBenchmarkSize/impl=ring/size=1000-2 1000 %g ns/op\n", i, ns*(1+0.01*float64(i%4)))
		}
		if err := os.MkdirAll(filepath.Join(dir, side), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, side, "results.txt"), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, bad := range []string{"100%", "0", "1.5", "x"} {
		var o, e bytes.Buffer
		if code := run([]string{"report", "-in", dir, "-confidence", bad, "-o", t.TempDir()}, &o, &e); code != 2 || !strings.Contains(e.String(), "bad confidence") {
			t.Errorf("-confidence %s: exit %d, stderr %q; want 2 and a bad confidence", bad, code, e.String())
		}
	}
	for _, level := range []string{"95%", "99%"} {
		out := t.TempDir()
		args := []string{"report", "-in", dir, "-o", out}
		if level != "95%" {
			args = append(args, "-confidence", level)
		}
		var o, e bytes.Buffer
		run(args, &o, &e)
		md, err := os.ReadFile(filepath.Join(out, "report.md"))
		if err != nil {
			t.Fatalf("%v: %v; stderr %s", args, err, e.String())
		}
		for _, want := range []string{"## Paired estimates", "Yuen's " + level + " interval", "median ± the " + level + " confidence interval", "| `Size/impl=ring/size=1000` | sec/op | 12 | +10.00% |"} {
			if !strings.Contains(string(md), want) {
				t.Errorf("%v: report.md lacks %q", args, want)
			}
		}
	}
}
