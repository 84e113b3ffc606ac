package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/batchbench/batchbench/internal/gitrepo"
)

// history last prints the newest entry's head, which the CI pairs the
// next push with; trend, run on a history inside the repository, names
// the span such a pair measures. Commit 3's run was never recorded.
func TestHistoryLastAndTheSpanItMakes(t *testing.T) {
	repo := t.TempDir()
	git := gitRunner(t, repo)
	git("init", "-q")
	var c []string
	for i := range 4 {
		git("commit", "-q", "--allow-empty", "-m", fmt.Sprint(i+1))
		head, err := gitrepo.ResolveCommit(context.Background(), repo, "HEAD")
		if err != nil {
			t.Fatal(err)
		}
		c = append(c, head)
	}
	db := filepath.Join(repo, "history")
	var o, e bytes.Buffer
	benchrun := func(args ...string) int {
		o.Reset()
		e.Reset()
		return run(args, &o, &e)
	}
	if code := benchrun("history", "last", "-db", t.TempDir()); code != 0 || o.Len() != 0 {
		t.Errorf("history last of an empty history: exit %d, stdout %q, stderr %q", code, o.String(), e.String())
	}
	for _, p := range [][2]int{{0, 1}, {1, 3}} {
		dir := compareDir(t, c[p[0]], c[p[1]], fmt.Sprintf("2026-12-0%dT00:00:00Z", p[1]+1), 13, 13, nil)
		if code := benchrun("history", "add", "-db", db, dir); code != 0 {
			t.Fatalf("history add: exit %d: %s", code, e.String())
		}
	}
	if code := benchrun("history", "last", "-db", db); code != 0 || o.String() != c[3]+"\n" {
		t.Errorf("history last: exit %d, stdout %q, want commit 4", code, o.String())
	}
	if code := benchrun("history", "last"); code != 2 || !strings.Contains(e.String(), "-db DIR is required") {
		t.Errorf("history last without -db: exit %d, %q", code, e.String())
	}
	if code := benchrun("history", "last", "-db", filepath.Join(repo, "none")); code != 2 {
		t.Errorf("history last of a missing history: exit %d, %q", code, e.String())
	}
	if code := benchrun("trend", "-db", db, "-o", t.TempDir()); code != 0 {
		t.Fatalf("trend: exit %d: %s", code, e.String())
	}
	want := fmt.Sprintf("trend: %s is measured against %s: a span of 2 commits (%s, %s)", c[3][:12], c[1][:12], c[3][:12], c[2][:12])
	if !strings.Contains(e.String(), want) {
		t.Errorf("trend stderr %q, want %q", e.String(), want)
	}
}
