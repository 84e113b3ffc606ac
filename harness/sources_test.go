package harness

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// A build in several layouts gives the linker's own executable and one
// more per layout, linked in another function order: the same program,
// other bytes.
func TestABuildInLayoutsLinksEachInAnotherOrder(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program three times")
	}
	dir := t.TempDir()
	for name, text := range map[string]string{
		"go.mod":  "module example.com/hello\n\ngo 1.24\n",
		"main.go": "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello\") }\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b := Build{Main: ".", BinDir: t.TempDir(), Layouts: 3}
	src, err := b.build(context.Background(), dir, "base")
	if err != nil {
		t.Fatal(err)
	}
	if len(src.Command) != 1 || len(src.Layouts) != 2 {
		t.Fatalf("built %v and layouts %v, want one executable and 2 more layouts", src.Command, src.Layouts)
	}
	seen := map[string]string{}
	for _, exe := range append(src.Command, src.Layouts...) {
		out, err := exec.Command(exe).Output()
		if err != nil || !bytes.Equal(out, []byte("hello\n")) {
			t.Errorf("%s printed %q (%v), want the program's hello", exe, out, err)
		}
		body, err := os.ReadFile(exe)
		if err != nil {
			t.Fatal(err)
		}
		if other, ok := seen[string(body)]; ok {
			t.Errorf("%s has the same bytes as %s: want another layout", exe, other)
		}
		seen[string(body)] = exe
	}
}
