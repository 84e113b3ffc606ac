package rundir

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, path, data string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// shard is a run's results recording shard i of n.
func shard(i, n int) string {
	return "shard: " + itoa(i) + "/" + itoa(n) + "\nBenchmarkX-2 1 5 ns/op\n"
}

func itoa(i int) string { return string(rune('0' + i)) }

func TestFind(t *testing.T) {
	root := t.TempDir()
	file := write(t, filepath.Join(root, "old.txt"), "BenchmarkX 1 5 ns/op\n")
	run := filepath.Dir(write(t, filepath.Join(root, "run", ResultsFile), shard(1, 1)))
	cmp := filepath.Join(root, "cmp")
	write(t, SideResults(cmp, Base), "")
	write(t, SideResults(cmp, Head), "")
	shards := filepath.Join(root, "shards")
	write(t, filepath.Join(shards, "s2", ResultsFile), shard(2, 2))
	write(t, filepath.Join(shards, "s1", ResultsFile), shard(1, 2))
	for path, want := range map[string]Found{
		file:   {Runs: []string{file}},
		run:    {Runs: []string{filepath.Join(run, ResultsFile)}},
		cmp:    {Compares: []string{cmp}},
		shards: {Runs: []string{filepath.Join(shards, "s1", ResultsFile), filepath.Join(shards, "s2", ResultsFile)}, Shards: true},
	} {
		got, err := Find(path)
		if err != nil || strings.Join(got.Runs, " ") != strings.Join(want.Runs, " ") || strings.Join(got.Compares, " ") != strings.Join(want.Compares, " ") || got.Shards != want.Shards {
			t.Errorf("Find(%s) = %+v, %v; want %+v", path, got, err, want)
		}
	}
	mixed := filepath.Join(root, "mixed")
	write(t, filepath.Join(mixed, "a", ResultsFile), "")
	write(t, SideResults(filepath.Join(mixed, "b"), Base), "")
	write(t, SideResults(filepath.Join(mixed, "b"), Head), "")
	empty := filepath.Join(root, "empty")
	if err := os.MkdirAll(filepath.Join(empty, "shard-1"), 0o755); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{mixed: "both run outputs", empty: "holds no results.txt", filepath.Join(root, "nope"): "no such file"} {
		if _, err := Find(path); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Find(%s) = %v, want an error saying %q", path, err, want)
		}
	}
}

func TestCheckShards(t *testing.T) {
	dir := t.TempDir()
	s := func(name, data string) string { return write(t, filepath.Join(dir, name, ResultsFile), data) }
	one, two, three := s("a", shard(1, 3)), s("b", shard(2, 3)), s("c", shard(3, 3))
	plain, other, bad := s("d", "BenchmarkX 1 5 ns/op\n"), s("e", shard(1, 2)), s("f", "shard: 4/3\nBenchmarkX 1 5 ns/op\n")
	if err := CheckShards("head", []string{one, two, three}); err != nil {
		t.Errorf("whole split: %v", err)
	}
	if err := CheckShards("head", []string{plain, plain}); err != nil {
		t.Errorf("unsharded: %v", err)
	}
	for name, c := range map[string]struct {
		files []string
		want  string
	}{
		"missing":   {[]string{one, three}, "head is missing shard(s) 2/3 of 3"},
		"repeated":  {[]string{one, two, three, two}, "shard 2/3 of head is given 2 times"},
		"two ways":  {[]string{one, other}, "split the suite 3 ways"},
		"unsharded": {[]string{one, two, three, plain}, plain + " carries no shard"},
		"bad value": {[]string{bad}, bad + ":2: bad shard \"4/3\""},
	} {
		if err := CheckShards("head", c.files); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
}

// FuzzShards opens a directory of two shards whose results are arbitrary
// bytes, as a report opens CI artifacts: Find and CheckShards return the
// shards or an error, never a panic, and an error about a shard names a
// file or the column.
func FuzzShards(f *testing.F) {
	f.Fuzz(func(t *testing.T, a, b []byte) {
		dir := filepath.Join(t.TempDir(), "shards")
		write(t, filepath.Join(dir, "shard-1", ResultsFile), string(a))
		write(t, filepath.Join(dir, "shard-2", ResultsFile), string(b))
		found, err := Find(dir)
		if err != nil {
			t.Fatalf("Find: %v", err)
		}
		if err := CheckShards("head", found.Runs); err != nil && !strings.Contains(err.Error(), dir) && !strings.Contains(err.Error(), "head") {
			t.Errorf("CheckShards: %q names neither a file nor the column", err)
		}
	})
}

func TestConfirmedSide(t *testing.T) {
	for path, want := range map[string]string{
		filepath.Join("out", "cmp", "base", "results.txt"): filepath.Join("out", "cmp", "confirm", "base", "results.txt"),
		filepath.Join("cmp", "head", "results.txt"):        filepath.Join("cmp", "confirm", "head", "results.txt"),
		filepath.Join("out", "run", "results.txt"):         "",
		filepath.Join("cmp", "head", "old.txt"):            "",
		filepath.Join("cmp", "shard-1", "results.txt"):     "",
	} {
		if got := ConfirmedSide(path); got != want {
			t.Errorf("ConfirmedSide(%q) = %q, want %q", path, got, want)
		}
	}
}
