package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// compareDir writes what benchrun compare leaves: base/results.txt and
// head/results.txt, one header each, ring's cell measured count times per
// side at the given ns/op. edit may change a side's text before it is
// written.
func compareDir(t *testing.T, baseCommit, headCommit, date string, baseNs, headNs float64, edit func(side, text string) string) string {
	t.Helper()
	dir := t.TempDir()
	for _, side := range []struct {
		name, commit string
		ns           float64
	}{{"base", baseCommit, baseNs}, {"head", headCommit, headNs}} {
		var b strings.Builder
		fmt.Fprintf(&b, "Unit ns/op better=lower\ngoos: linux\ngoarch: amd64\ncpu: test\ngo: go1.26.8\ngomaxprocs: 2\ncommit: %s\ndirty: false\n"+
			"date: %s\nharness: batchbench test\nsuite: default\ncount: 10\nseed: 7\nsource: %s\nrunner: here\n\n", side.commit, date, side.name)
		for i := range 10 {
			fmt.Fprintf(&b, "BenchmarkSize/impl=ring/size=1000-2 100000 %g ns/op\n", side.ns*(1+0.002*float64(i%5-2)))
		}
		text := b.String()
		if edit != nil {
			text = edit(side.name, text)
		}
		if err := os.MkdirAll(filepath.Join(dir, side.name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, side.name, "results.txt"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// listing is every file under db, to check that a refused add leaves the
// history as it was.
func listing(t *testing.T, db string) string {
	t.Helper()
	var out []string
	filepath.Walk(db, func(path string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			data, _ := os.ReadFile(path)
			out = append(out, fmt.Sprintf("%s %d", path, len(data)))
		}
		return nil
	})
	return strings.Join(out, "\n")
}

// history add of a compare directory files one paired entry under head's
// commit and date, base's results then head's, which trend judges by
// their ratio; it is never replaced without -force.
func TestHistoryAddPair(t *testing.T) {
	db := filepath.Join(t.TempDir(), "history")
	var o, e bytes.Buffer
	add := func(args ...string) int {
		o.Reset()
		e.Reset()
		return run(append([]string{"history", "add", "-db", db}, args...), &o, &e)
	}
	commits := []string{"aaa1", "bbb2", "ccc3", "ddd4"}
	ns := []float64{13, 13, 16, 16}
	for i := 1; i < len(commits); i++ {
		dir := compareDir(t, commits[i-1], commits[i], fmt.Sprintf("2026-12-0%dT00:00:00Z", i), ns[i-1], ns[i], nil)
		if code := add(dir); code != 0 {
			t.Fatalf("add pair %d: exit %d: %s", i, code, e.String())
		}
		if !strings.Contains(o.String(), fmt.Sprintf("(paired: %s against %s)", commits[i], commits[i-1])) {
			t.Errorf("stdout %q", o.String())
		}
	}
	entry := filepath.Join(db, "20261202T000000Z-ccc3", "results.txt")
	data, err := os.ReadFile(entry)
	if err != nil {
		t.Fatal(err)
	}
	if s := string(data); strings.Count(s, "source: base") != 1 || strings.Count(s, "source: head") != 1 || strings.Index(s, "source: base") > strings.Index(s, "source: head") {
		t.Errorf("entry %s is not base then head:\n%s", entry, s)
	}
	again := compareDir(t, "bbb2", "ccc3", "2026-12-02T00:00:00Z", 13, 16, nil)
	if code := add(again); code != 2 || !strings.Contains(e.String(), "already filed; -force replaces it") {
		t.Errorf("second add: exit %d, %q", code, e.String())
	}
	if code := add("-force", again); code != 0 {
		t.Errorf("add -force: exit %d: %s", code, e.String())
	}

	o.Reset()
	e.Reset()
	if code := run([]string{"trend", "-db", db, "-o", t.TempDir()}, &o, &e); code != 0 {
		t.Fatalf("trend: exit %d: %s", code, e.String())
	}
	lines := strings.Split(strings.TrimSpace(o.String()), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "SUSPECT Size/impl=ring/size=1000 at ccc3 (2026-12-02T00:00:00Z): sec/op +23.") ||
		!strings.Contains(lines[0], "paired against bbb2") {
		t.Errorf("trend stdout %q, want ccc3 alone, paired", lines)
	}
	if !strings.Contains(e.String(), "3 commits, 3 paired") {
		t.Errorf("trend stderr %q", e.String())
	}
	// A threshold above the change flags nothing; a bare 25 is refused.
	o.Reset()
	if code := run([]string{"trend", "-db", db, "-threshold", "30%", "-o", t.TempDir()}, &o, &e); code != 0 || o.Len() != 0 {
		t.Errorf("trend -threshold 30%%: exit %d, stdout %q", code, o.String())
	}
	e.Reset()
	if code := run([]string{"trend", "-db", db, "-threshold", "25", "-o", t.TempDir()}, &o, &e); code != 2 || !strings.Contains(e.String(), `invalid value "25" for flag -threshold: bad threshold "25"`) {
		t.Errorf("trend -threshold 25: exit %d, %q", code, e.String())
	}
}

// What cannot be a paired entry is refused with exit 2 and a message that
// names the file, and the history is left as it was.
func TestHistoryAddRefusesBadPairs(t *testing.T) {
	db := filepath.Join(t.TempDir(), "history")
	var o, e bytes.Buffer
	if code := run([]string{"history", "add", "-db", db, compareDir(t, "aaa1", "bbb2", "2026-12-01T00:00:00Z", 13, 13, nil)}, &o, &e); code != 0 {
		t.Fatalf("add: exit %d: %s", code, e.String())
	}
	before := listing(t, db)
	noBase := compareDir(t, "aaa1", "ccc3", "2026-12-02T00:00:00Z", 13, 13, nil)
	os.RemoveAll(filepath.Join(noBase, "base"))
	cutHead := compareDir(t, "aaa1", "ccc3", "2026-12-02T00:00:00Z", 13, 13, func(side, s string) string {
		if side == "head" {
			return s[:strings.LastIndex(s, " ns/op")-3]
		}
		return s
	})
	otherSeed := compareDir(t, "aaa1", "ccc3", "2026-12-02T00:00:00Z", 13, 13, func(side, s string) string {
		if side == "head" {
			return strings.Replace(s, "seed: 7", "seed: 8", 1)
		}
		return s
	})
	extraKey := compareDir(t, "aaa1", "ccc3", "2026-12-02T00:00:00Z", 13, 13, func(side, s string) string {
		if side == "base" {
			return strings.Replace(s, "runner: here\n", "runner: here\nshard: 1/2\n", 1)
		}
		return s
	})
	swapped := compareDir(t, "aaa1", "ccc3", "2026-12-02T00:00:00Z", 13, 13, func(side, s string) string {
		return strings.Replace(s, "source: head", "source: base", 1)
	})
	for name, c := range map[string]struct{ src, want string }{
		"no base":            {noBase, "without base/results.txt"},
		"head cut short":     {cutHead, filepath.Join(cutHead, "head", "results.txt") + " is damaged or cut short"},
		"not measured alike": {otherSeed, "base and head were not measured together (seed \"7\" and \"8\")"},
		"a key base alone":   {extraKey, "sets \"shard\" and"},
		"head is base":       {swapped, "holds results of source \"base\", not \"head\""},
		"base side alone":    {filepath.Join(swapped, "base", "results.txt"), "is the base side of a compare"},
	} {
		e.Reset()
		if code := run([]string{"history", "add", "-db", db, c.src}, &o, &e); code != 2 || !strings.Contains(e.String(), c.want) {
			t.Errorf("%s: exit %d, stderr %q; want 2 and %q", name, code, e.String(), c.want)
		}
	}
	if after := listing(t, db); after != before {
		t.Errorf("refused adds changed the history:\n%s\nwas:\n%s", after, before)
	}

	// An entry damaged on disk is an error of trend that names it.
	entry := filepath.Join(db, "20261201T000000Z-bbb2", "results.txt")
	data, _ := os.ReadFile(entry)
	if err := os.WriteFile(entry, data[:strings.Index(string(data), "source: base")+len("source: base\n")+40], 0o644); err != nil {
		t.Fatal(err)
	}
	e.Reset()
	o.Reset()
	if code := run([]string{"trend", "-db", db, "-o", t.TempDir()}, &o, &e); code == 0 || o.Len() != 0 || !strings.Contains(e.String(), "history entry 20261201T000000Z-bbb2 is damaged") {
		t.Errorf("trend on a damaged entry: exit %d, stdout %q, stderr %q", code, o.String(), e.String())
	}
}
