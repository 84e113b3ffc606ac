package harness

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"

	"github.com/batchbench/batchbench/internal/gitrepo"
)

// BuildRevision builds cmd/benchrun as of the git revision ref of the
// repository at repo, in a temporary worktree that it removes again, so the
// user's working tree is never touched. The binary goes to binDir; tags are
// passed to go build -tags.
func BuildRevision(ctx context.Context, repo, ref, name, binDir, tags string) (Source, error) {
	commit, err := gitrepo.ResolveCommit(ctx, repo, ref)
	if err != nil {
		return Source{}, err
	}
	tree, remove, err := gitrepo.AddWorktree(ctx, repo, commit)
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
