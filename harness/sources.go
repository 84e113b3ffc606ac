package harness

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// BuildRevision builds cmd/benchrun as of the git revision ref of the
// repository at repo, in a temporary worktree that it removes again, so the
// user's working tree is never touched. The binary goes to binDir; tags are
// passed to go build -tags.
func BuildRevision(ctx context.Context, repo, ref, name, binDir, tags string) (Source, error) {
	commit, err := ResolveCommit(ctx, repo, ref)
	if err != nil {
		return Source{}, err
	}
	tree, remove, err := AddWorktree(ctx, repo, commit)
	if err != nil {
		return Source{}, err
	}
	defer remove()
	bin, err := build(ctx, tree, name, binDir, tags)
	if err != nil {
		return Source{}, fmt.Errorf("building %s (%s): %w", ref, commit[:12], err)
	}
	return Source{Name: name, Command: []string{bin}, Commit: commit}, nil
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

// BuildWorkingTree builds cmd/benchrun from the working tree of the
// repository at repo, uncommitted changes included.
func BuildWorkingTree(ctx context.Context, repo, name, binDir, tags string) (Source, error) {
	commit, dirty := gitState(repo)
	bin, err := build(ctx, repo, name, binDir, tags)
	if err != nil {
		return Source{}, fmt.Errorf("building the working tree: %w", err)
	}
	return Source{Name: name, Command: []string{bin}, Commit: commit, Dirty: dirty}, nil
}

// RepoRoot returns the top directory of the git checkout holding dir.
func RepoRoot(ctx context.Context, dir string) (string, error) {
	return Git(ctx, dir, "rev-parse", "--show-toplevel")
}

func build(ctx context.Context, dir, name, binDir, tags string) (string, error) {
	bin, err := filepath.Abs(filepath.Join(binDir, "benchrun-"+name))
	if err != nil {
		return "", err
	}
	// -trimpath and no VCS stamp: the same source builds the same binary
	// wherever its tree lies, so an A/A comparison compares like with like
	// instead of two code layouts.
	args := []string{"build", "-trimpath", "-buildvcs=false", "-o", bin}
	if tags != "" {
		args = append(args, "-tags", tags)
	}
	cmd := exec.CommandContext(ctx, "go", append(args, "./cmd/benchrun")...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
}

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
