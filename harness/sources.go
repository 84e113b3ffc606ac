package harness

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/batchbench/batchbench/internal/gitrepo"
)

// A Build says how to build a source from a git repository: the package
// of the command that serves workers (one whose main calls ServeWorker
// first), its build tags, and where the binaries go.
type Build struct {
	Repo   string // the repository's root
	Main   string // the command's package, relative to Repo, e.g. "./cmd/x"
	Tags   string // passed to go build -tags; "" for none
	BinDir string
}

// Revision builds the source as of the git revision ref, in a temporary
// worktree that it removes again, so the user's working tree is never
// touched, and names it name.
func (b Build) Revision(ctx context.Context, ref, name string) (Source, error) {
	repo := b.Repo
	commit, err := gitrepo.ResolveCommit(ctx, repo, ref)
	if err != nil {
		return Source{}, err
	}
	tree, remove, err := gitrepo.AddWorktree(ctx, repo, commit)
	if err != nil {
		return Source{}, err
	}
	defer remove()
	bin, err := b.build(ctx, tree, name)
	if err != nil {
		return Source{}, fmt.Errorf("building %s (%s): %w", ref, commit[:12], err)
	}
	return Source{Name: name, Command: []string{bin}, Commit: commit}, nil
}

// WorkingTree builds the source from the repository's working tree,
// uncommitted changes included, and names it name.
func (b Build) WorkingTree(ctx context.Context, name string) (Source, error) {
	commit, dirty := gitState(b.Repo)
	bin, err := b.build(ctx, b.Repo, name)
	if err != nil {
		return Source{}, fmt.Errorf("building the working tree: %w", err)
	}
	return Source{Name: name, Command: []string{bin}, Commit: commit, Dirty: dirty}, nil
}

func (b Build) build(ctx context.Context, dir, name string) (string, error) {
	bin, err := filepath.Abs(filepath.Join(b.BinDir, "worker-"+name))
	if err != nil {
		return "", err
	}
	// -trimpath and no VCS stamp: the same source builds the same binary
	// wherever its tree lies, so an A/A comparison compares like with like
	// instead of two code layouts.
	args := []string{"build", "-trimpath", "-buildvcs=false", "-o", bin}
	if b.Tags != "" {
		args = append(args, "-tags", b.Tags)
	}
	cmd := exec.CommandContext(ctx, "go", append(args, b.Main)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
}

// NewBuild says how to build sources of main, with tags, from the git
// checkout holding dir, into a new temporary directory that cleanup
// removes. It fails outside a git checkout.
func NewBuild(ctx context.Context, dir, main, tags string) (b Build, cleanup func(), err error) {
	repo, err := gitrepo.Root(ctx, dir)
	if err != nil {
		return Build{}, nil, fmt.Errorf("not in a git checkout, so nothing can be built: %v", err)
	}
	bin, err := os.MkdirTemp("", "benchrun-build-")
	if err != nil {
		return Build{}, nil, err
	}
	return Build{Repo: repo, Main: main, Tags: tags, BinDir: bin}, func() { os.RemoveAll(bin) }, nil
}
