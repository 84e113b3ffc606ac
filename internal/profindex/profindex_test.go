package profindex

import (
	"os"
	"path/filepath"
	"testing"
)

func TestResolveConfinesPaths(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "profiles")
	if err := os.MkdirAll(filepath.Join(dir, "Size"), 0o755); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(root, "outside.cpu.pprof")
	for _, f := range []string{filepath.Join(dir, "Size", "x.cpu.pprof"), outside} {
		if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(outside, filepath.Join(dir, "Size", "link.cpu.pprof")); err != nil {
		t.Fatal(err)
	}
	if got, err := Resolve(dir, "Size/x.cpu.pprof"); err != nil || got != filepath.Join(dir, "Size", "x.cpu.pprof") {
		t.Errorf("Resolve(inside) = %q, %v", got, err)
	}
	for _, bad := range []string{"../outside.cpu.pprof", "Size/../../outside.cpu.pprof", outside, "Size/link.cpu.pprof", "", "/etc/passwd"} {
		if got, err := Resolve(dir, bad); err == nil {
			t.Errorf("Resolve(%q) = %q, want an error", bad, got)
		}
	}
}

func TestWriteRead(t *testing.T) {
	dir := t.TempDir()
	x := &Index{Cells: []Entry{{Benchmark: "Size/impl=ring/size=10", Family: "Size", Impl: "ring", CPU: "a.cpu.pprof", Heap: "a.heap.pprof"}}}
	if err := x.Write(dir); err != nil {
		t.Fatal(err)
	}
	got, err := Read(dir)
	if err != nil || len(got.Cells) != 1 || got.Cells[0] != x.Cells[0] {
		t.Fatalf("Read = %+v, %v", got, err)
	}
}
