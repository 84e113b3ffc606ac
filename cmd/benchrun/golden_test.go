package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenFile is one input a golden case writes, relative to its
// directory.
type goldenFile struct{ name, data string }

// sides writes a gate's base and head: ring's size cells, head's size=1000
// at ring1000 ns, count runs each, the header given.
func sides(header string, count int, ring1000 float64) []goldenFile {
	var out []goldenFile
	for _, s := range []struct {
		name string
		ns   float64
	}{{"base.txt", 13.1}, {"head.txt", ring1000}} {
		var b strings.Builder
		b.WriteString(header)
		for i := range count {
			j := 1 + 0.002*float64(i%5-2)
			fmt.Fprintf(&b, "BenchmarkSize/impl=ring/size=1000-2 100000 %.4g ns/op\nBenchmarkSize/impl=ring/size=10000-2 100000 %.4g ns/op\n", s.ns*j, 13.3*j)
		}
		out = append(out, goldenFile{s.name, b.String()})
	}
	return out
}

// TestGoldenCLI runs benchrun as a user would, in a directory of its own
// with relative paths and a fixed clock, and compares what the user sees
// (the command, its exit status, stdout and stderr) with
// testdata/golden. Run with -update to rewrite them after an intended
// change.
func TestGoldenCLI(t *testing.T) {
	nsx, err := os.ReadFile(filepath.Join("..", "..", "reports", "testdata", "nsxbet-enqueue-darwin-arm64.txt"))
	if err != nil {
		t.Fatal(err)
	}
	golden, err := filepath.Abs(filepath.Join("testdata", "golden"))
	if err != nil {
		t.Fatal(err)
	}
	linux := "goos: linux\ngoarch: amd64\n"
	pair := compareDir(t, "aaa1", "bbb2", "2026-12-01T00:00:00Z", 13, 16, nil)
	for _, tc := range []struct {
		name  string
		files []goldenFile
		setup func(t *testing.T) // after the files, before the commands
		cmds  [][]string
	}{
		{name: "report-foreign", files: []goldenFile{{"nsxbet.txt", string(nsx)}},
			cmds: [][]string{{"report", "-in", "nsxbet.txt", "-o", "out"}}},
		{name: "report-head-blocks", files: sides(linux, 10, 15.2),
			cmds: [][]string{{"report", "-in", "base=base.txt", "-in", "head=head.txt", "-baseline", "base", "-head", "head", "-o", "out"}}},
		{name: "report-head-inconclusive", files: append(sides(linux, 10, 13.1)[:1], sides("goos: darwin\ngoarch: arm64\n", 10, 13.1)[1]),
			cmds: [][]string{{"report", "-in", "base=base.txt", "-in", "head=head.txt", "-baseline", "base", "-head", "head", "-o", "out"}}},
		{name: "compare-saved", files: sides(linux, 10, 15.2), cmds: [][]string{
			{"compare", "base.txt", "head.txt"},
			{"compare", "-base", "base.txt", "-head", "head.txt", "-o", "cmp"},
		}},
		{name: "history-add-twice", setup: func(t *testing.T) { copyDir(t, pair, "pair") }, cmds: [][]string{
			{"history", "add", "-db", "db", "pair"},
			{"history", "add", "-db", "db", "pair"},
		}},
		{name: "trend-damaged", setup: func(t *testing.T) {
			copyDir(t, pair, "pair")
			if code := run([]string{"history", "add", "-db", "db", "pair"}, &bytes.Buffer{}, &bytes.Buffer{}); code != 0 {
				t.Fatalf("history add exited %d", code)
			}
			entry := filepath.Join("db", "20261201T000000Z-bbb2", "results.txt")
			data, _ := os.ReadFile(entry)
			if err := os.WriteFile(entry, data[:bytes.LastIndex(data, []byte(" ns/op"))-3], 0o644); err != nil {
				t.Fatal(err)
			}
		}, cmds: [][]string{{"trend", "-db", "db", "-o", "trend"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			defer func(old func() time.Time) { now = old }(now)
			now = func() time.Time { return time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC) }
			for _, f := range tc.files {
				if err := os.WriteFile(f.name, []byte(f.data), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if tc.setup != nil {
				tc.setup(t)
			}
			var got strings.Builder
			for _, args := range tc.cmds {
				var o, e bytes.Buffer
				code := run(args, &o, &e)
				fmt.Fprintf(&got, "$ benchrun %s\nexit %d\n-- stdout --\n%s-- stderr --\n%s\n", strings.Join(args, " "), code, o.String(), e.String())
			}
			path := filepath.Join(golden, tc.name+".txt")
			if *update {
				if err := os.WriteFile(path, []byte(got.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got.String() != string(want) {
				t.Errorf("benchrun's output differs from %s (run with -update after an intended change):\n%s", path, got.String())
			}
		})
	}
}

// copyDir copies the files under src to dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(path string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(dst, filepath.Dir(rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
