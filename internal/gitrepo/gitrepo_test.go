package gitrepo

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWorktreeOfAResolvedCommit(t *testing.T) {
	ctx := context.Background()
	repo := t.TempDir()
	git := func(args ...string) string {
		t.Helper()
		out, err := Git(ctx, repo, append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	git("init", "-q")
	if err := os.WriteFile(filepath.Join(repo, "f"), []byte("one\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git("add", "f")
	git("commit", "-qm", "one")

	sub := filepath.Join(repo, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	want, _ := filepath.EvalSymlinks(repo)
	if root, err := Root(ctx, sub); err != nil || root != want {
		t.Errorf("Root(%s) = %q, %v; want %q", sub, root, err, want)
	}
	if _, err := ResolveCommit(ctx, repo, "no-such-branch"); err == nil || !strings.Contains(err.Error(), `"no-such-branch" is not a revision`) {
		t.Errorf("ResolveCommit(no-such-branch) error = %v", err)
	}
	commit, err := ResolveCommit(ctx, repo, "HEAD")
	if err != nil || len(commit) != 40 {
		t.Fatalf("ResolveCommit(HEAD) = %q, %v", commit, err)
	}
	tree, remove, err := AddWorktree(ctx, repo, commit)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(tree, "f")); err != nil || string(b) != "one\n" {
		t.Errorf("worktree's f = %q, %v", b, err)
	}
	remove()
	if _, err := os.Stat(tree); !os.IsNotExist(err) {
		t.Errorf("the worktree is still there after remove: %v", err)
	}
	if list := git("worktree", "list"); strings.Count(list, "\n") != 0 {
		t.Errorf("git still lists a worktree after remove:\n%s", list)
	}
	if _, err := Git(ctx, repo, "no-such-command"); err == nil || !strings.Contains(err.Error(), "no-such-command") {
		t.Errorf("Git(no-such-command) error = %v, want git's stderr", err)
	}
}
