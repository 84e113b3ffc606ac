package workflowcheck

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func check(t *testing.T, path string) []Finding {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	found, err := Check(path, src)
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// The project's own workflows have the shape GitHub's guidance asks for.
func TestOurWorkflows(t *testing.T) {
	paths, err := filepath.Glob("../../.github/workflows/*.yml")
	if err != nil || len(paths) < 2 {
		t.Fatalf("workflows %v, %v: want bench.yml and bench-comment.yml", paths, err)
	}
	for _, path := range paths {
		for _, f := range check(t, path) {
			t.Error(f)
		}
	}
}

// Near misses are no findings: a privileged job that checks out the
// default branch and reads an artifact as data, a read-only job that
// checks out the head, a run's own artifact, the payload through env:.
func TestSafe(t *testing.T) {
	for _, f := range check(t, "testdata/safe.yml") {
		t.Error(f)
	}
}

var want = regexp.MustCompile(`(#|//) want ([a-z-]+): (.*)$`)

// Every breach in the unsafe workflows is found, at its line, and
// nothing else is: each line marked "# want KIND: TEXT" must have a
// finding of that kind saying TEXT, and every finding a mark.
func TestUnsafe(t *testing.T) {
	paths, _ := filepath.Glob("testdata/unsafe-*.yml")
	if len(paths) == 0 {
		t.Fatal("no testdata/unsafe-*.yml")
	}
	for _, path := range paths {
		src, _ := os.ReadFile(path)
		marks := map[int][2]string{}
		for i, line := range strings.Split(string(src), "\n") {
			if m := want.FindStringSubmatch(line); m != nil {
				marks[i+1] = [2]string{m[2], m[3]}
			}
		}
		for _, f := range check(t, path) {
			m, ok := marks[f.Line]
			if !ok || f.Kind != m[0] || !strings.Contains(f.What, m[1]) {
				t.Errorf("unexpected finding %s (the line's mark: %q)", f, m)
				continue
			}
			delete(marks, f.Line)
		}
		for line, m := range marks {
			t.Errorf("%s:%d: no %s finding saying %q", path, line, m[0], m[1])
		}
	}
}

// A workflow actionlint cannot parse is an error naming the file.
func TestUnparsable(t *testing.T) {
	if _, err := Check("bad.yml", []byte("on: [push\njobs: {")); err == nil || !strings.HasPrefix(err.Error(), "bad.yml:") {
		t.Errorf("err %v", err)
	}
}
