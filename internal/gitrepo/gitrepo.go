// Package gitrepo runs the few git commands benchrun needs: resolving a
// revision, checking one out in a temporary worktree, finding a checkout's
// root. Every call runs the git binary; errors carry git's stderr.
package gitrepo

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Git runs git in dir and returns its trimmed output; an error carries
// git's stderr.
func Git(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

// Root returns the top directory of the git checkout holding dir.
func Root(ctx context.Context, dir string) (string, error) {
	return Git(ctx, dir, "rev-parse", "--show-toplevel")
}

// ResolveCommit returns the full hash of the commit ref names in repo.
func ResolveCommit(ctx context.Context, repo, ref string) (string, error) {
	commit, err := Git(ctx, repo, "rev-parse", "--verify", "--quiet", ref+"^{commit}")
	if err != nil {
		return "", fmt.Errorf("%q is not a revision of %s", ref, repo)
	}
	return commit, nil
}

// AddWorktree checks commit out, detached, in a new temporary worktree of
// repo, and returns it with the function that removes it again, which
// works even after ctx is done: a stale worktree would outlive us.
func AddWorktree(ctx context.Context, repo, commit string) (tree string, remove func(), err error) {
	tmp, err := os.MkdirTemp("", "benchrun-worktree-")
	if err != nil {
		return "", nil, err
	}
	tree = filepath.Join(tmp, "tree")
	if _, err := Git(ctx, repo, "worktree", "add", "--detach", tree, commit); err != nil {
		os.RemoveAll(tmp)
		return "", nil, err
	}
	return tree, func() {
		_, _ = Git(context.Background(), repo, "worktree", "remove", "--force", tree)
		_, _ = Git(context.Background(), repo, "worktree", "prune")
		os.RemoveAll(tmp)
	}, nil
}
