package atomicfile_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/batchbench/batchbench/internal/atomicfile"
)

func TestWriteFileReplaces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "results.txt")
	for _, want := range []string{"old\n", "new\n"} {
		if err := atomicfile.WriteFile(path, []byte(want)); err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(path); string(got) != want {
			t.Errorf("content = %q, want %q", got, want)
		}
	}
}

func TestFailedWriteKeepsOldContentAndLeavesNoDebris(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "results.txt")
	if err := atomicfile.WriteFile(path, []byte("old\n")); err != nil {
		t.Fatal(err)
	}
	// The writer fails halfway.
	boom := errors.New("boom")
	err := atomicfile.Write(path, func(w io.Writer) error {
		io.WriteString(w, "half")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Write = %v, want boom", err)
	}
	// The rename fails: the target is a non-empty directory.
	blocked := filepath.Join(dir, "blocked")
	if err := os.MkdirAll(filepath.Join(blocked, "keep"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := atomicfile.WriteFile(blocked, []byte("lost\n")); err == nil {
		t.Error("write over a non-empty directory succeeded")
	}
	if got, _ := os.ReadFile(path); string(got) != "old\n" {
		t.Errorf("content after failed writes = %q, want old", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("directory holds %d entries, want results.txt and blocked only", len(entries))
	}
}
