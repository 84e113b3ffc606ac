package history

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// side writes a compare side's results as the harness does.
func side(t testing.TB, dir, name, commit string, ns float64) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "goos: linux\ncommit: %s\ndate: 2026-12-01T00:00:00Z\nharness: batchbench test\ncount: 4\nseed: 7\nsource: %s\nrunner: here\n", commit, name)
	for i := range 4 {
		fmt.Fprintf(&b, "BenchmarkSize/impl=ring/size=1000-2 100000 %g ns/op\n", ns+float64(i)*0.01)
	}
	if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name, "results.txt"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A compare directory is filed as one paired entry under head's commit,
// read back with its base, and never replaced without force.
func TestAddReadPair(t *testing.T) {
	db, cmp := t.TempDir(), t.TempDir()
	side(t, cmp, "base", "aaa1", 13)
	side(t, cmp, "head", "bbb2", 16)
	e, err := Add(db, cmp, false)
	if err != nil {
		t.Fatal(err)
	}
	if e.Name != "20261201T000000Z-bbb2" || e.Commit != "bbb2" || e.Base != "aaa1" || !e.Paired() {
		t.Errorf("Add = %+v", e)
	}
	if _, err := Add(db, cmp, false); !errors.Is(err, ErrExists) {
		t.Errorf("second Add = %v, want ErrExists", err)
	}
	if _, err := Add(db, cmp, true); err != nil {
		t.Errorf("Add with force = %v", err)
	}
	got, err := Read(db)
	if err != nil || len(got) != 1 || got[0].Base != "aaa1" || got[0].Commit != "bbb2" || got[0].Results.Count != 8 {
		t.Fatalf("Read = %+v, %v", got, err)
	}
	var se *SourceError
	if _, err := Add(db, filepath.Join(cmp, "base", "results.txt"), false); !errors.As(err, &se) || !strings.Contains(err.Error(), "base side of a compare") {
		t.Errorf("Add(base side) = %v, want a SourceError", err)
	}
}

// FuzzRead files arbitrary bytes as a history entry beside a good one:
// Read returns the entries, or an error that names the damaged entry (or
// the history), never a panic.
func FuzzRead(f *testing.F) {
	// The good entry is filed once; each input replaces only the other.
	db, cmp := f.TempDir(), f.TempDir()
	side(f, cmp, "base", "aaa1", 13)
	side(f, cmp, "head", "bbb2", 16)
	if _, err := Add(db, cmp, false); err != nil {
		f.Fatal(err)
	}
	entry := filepath.Join(db, "20261202T000000Z-ccc3")
	if err := os.MkdirAll(entry, 0o755); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(filepath.Join(entry, "results.txt"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		entries, err := Read(db)
		var de *DamagedError
		switch {
		case errors.As(err, &de):
			if de.Entry != "20261202T000000Z-ccc3" {
				t.Errorf("damage blamed on %s", de.Entry)
			}
		case err != nil:
			if !strings.Contains(err.Error(), entry) {
				t.Errorf("error %q names neither the entry nor its file", err)
			}
		case len(entries) != 2:
			t.Errorf("Read = %d entries, want 2", len(entries))
		}
	})
}
