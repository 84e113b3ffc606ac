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
	// Layouts, if above 1, is how many function layouts each source is
	// linked in (Source.Layouts): the linker's own, and the orders it
	// draws (-randlayout) from seeds 1 to Layouts−1, the same seeds for
	// every source, so that two sources' layout k differ by their code.
	Layouts int
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
	src, err := b.build(ctx, tree, name)
	if err != nil {
		return Source{}, fmt.Errorf("building %s (%s): %w", ref, commit[:12], err)
	}
	src.Commit = commit
	return src, nil
}

// WorkingTree builds the source from the repository's working tree,
// uncommitted changes included, and names it name.
func (b Build) WorkingTree(ctx context.Context, name string) (Source, error) {
	commit, dirty := gitState(b.Repo)
	src, err := b.build(ctx, b.Repo, name)
	if err != nil {
		return Source{}, fmt.Errorf("building the working tree: %w", err)
	}
	src.Commit, src.Dirty = commit, dirty
	return src, nil
}

// build builds the source in dir as name: its executable, and its other
// layouts.
func (b Build) build(ctx context.Context, dir, name string) (Source, error) {
	src := Source{Name: name}
	for k := range max(b.Layouts, 1) {
		bin, err := filepath.Abs(filepath.Join(b.BinDir, "worker-"+name))
		if err != nil {
			return Source{}, err
		}
		// -trimpath and no VCS stamp: the same source builds the same
		// binary wherever its tree lies, so an A/A comparison compares
		// like with like instead of two code layouts.
		args := []string{"build", "-trimpath", "-buildvcs=false"}
		if k > 0 {
			bin += fmt.Sprintf("-layout%d", k)
			args = append(args, fmt.Sprintf("-ldflags=-randlayout=%d", k))
		}
		if b.Tags != "" {
			args = append(args, "-tags", b.Tags)
		}
		cmd := exec.CommandContext(ctx, "go", append(args, "-o", bin, b.Main)...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			return Source{}, fmt.Errorf("go build: %v\n%s", err, out)
		}
		if k == 0 {
			src.Command = []string{bin}
		} else {
			src.Layouts = append(src.Layouts, bin)
		}
	}
	return src, nil
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
