package profindex

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzRead reads arbitrary bytes as a profile index, as a report reads
// one from a pull request's artifact: Read returns an index or an error
// naming the file, never panics, and every path Resolve accepts stays
// inside the profile directory.
func FuzzRead(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		root := t.TempDir()
		dir := filepath.Join(root, "profiles")
		if err := os.MkdirAll(filepath.Join(dir, "Size"), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{filepath.Join(dir, "Size", "a.cpu.pprof"), filepath.Join(root, "secret")} {
			if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, File), data, 0o644); err != nil {
			t.Fatal(err)
		}
		x, err := Read(dir)
		if err != nil {
			if !strings.Contains(err.Error(), File) && !strings.Contains(err.Error(), "index") {
				t.Errorf("error %q does not name the index", err)
			}
			return
		}
		for _, e := range x.Cells {
			for _, rel := range []string{e.CPU, e.Heap} {
				full, err := Resolve(dir, rel)
				if err != nil {
					continue
				}
				if r, err := filepath.Rel(dir, full); err != nil || strings.HasPrefix(r, "..") {
					t.Errorf("Resolve(%q) = %q, outside %s", rel, full, dir)
				}
			}
		}
	})
}
