package compare

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strings"

	"github.com/batchbench/batchbench/internal/gitrepo"
	"github.com/batchbench/batchbench/internal/rundir"
	"github.com/batchbench/batchbench/reports/gate"
)

// BisectOptions say what Bisect searches for.
type BisectOptions struct {
	Good, Bad string // git revisions without and with the regression
	// Compare is each comparison's settings: the build, the cells, the
	// count and the gate's threshold. Bisect sets the sides, the output
	// directories, and no confirmation or profiling.
	Compare Options
	Log     io.Writer // progress; nil means none
}

// ErrNoRegression is wrapped by Bisect's error when bad is not slower
// than good on the selected cells: there is nothing to find.
var ErrNoRegression = errors.New("no regression to bisect")

// Bisect finds the commit that introduced the regression bad carries
// against good, and returns its hash.
//
// It first measures good against bad, and fails, wrapping
// ErrNoRegression, when bad does not regress, or with the gate's reason
// when it cannot tell. It then drives git bisect in a temporary worktree,
// so the user's working tree and bisect state are never touched. Each
// step is the gate, good against the commit under test, on the selected
// cells, at half the regression measured (never below the threshold): a
// step asks whether a commit carries this regression, which a noisy cell
// answers at counts where it cannot resolve a small threshold. A commit
// that regresses is bad, one that passes is good; one the gate cannot
// decide is measured again at twice the count, up to four times it, and
// then skipped, as is one that does not build: never called bad.
func Bisect(ctx context.Context, o BisectOptions) (string, error) {
	log := o.Log
	if log == nil {
		log = io.Discard
	}
	repo := o.Compare.Build.Repo
	good, err1 := gitrepo.ResolveCommit(ctx, repo, o.Good)
	bad, err2 := gitrepo.ResolveCommit(ctx, repo, o.Bad)
	if err := errors.Join(err1, err2); err != nil {
		return "", err
	}
	goodSrc, err := o.Compare.Build.Revision(ctx, good, rundir.Base)
	if err != nil {
		return "", &BuildError{err}
	}
	scratch, err := os.MkdirTemp("", "benchrun-bisect-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(scratch)

	// compare judges rev against good at count runs and threshold.
	n := 0
	compare := func(rev string, count int, threshold float64) (*gate.Decision, error) {
		n++
		c := o.Compare
		c.Base, c.Head = Side{Source: &goodSrc}, Side{Rev: rev}
		c.Profile = false
		c.Run.OutDir, c.Run.Force, c.Run.Count, c.Run.Seed = fmt.Sprintf("%s/%d", scratch, n), true, count, 0
		c.Plan.Threshold = threshold
		out, err := Run(ctx, c)
		if err != nil {
			return nil, err
		}
		return out.Decision, nil
	}
	fmt.Fprintf(log, "benchrun: bisect: measuring %.12s (good) against %.12s (bad)\n", good, bad)
	d, err := compare(bad, o.Compare.Run.Count, o.Compare.Plan.Threshold)
	if err != nil {
		return "", err
	}
	switch d.Status {
	case gate.Pass:
		return "", fmt.Errorf("%.12s is not slower than %.12s on the selected cells: %w", bad, good, ErrNoRegression)
	case gate.Inconclusive:
		return "", fmt.Errorf("the gate could not judge %.12s against %.12s: %s", bad, good, d.Headline())
	}
	limit, worst := stepThreshold(d.Regressed, o.Compare.Plan.Threshold)
	if worst != nil {
		fmt.Fprintf(log, "benchrun: bisect: the regression is %s; each step judges against %.3g%%\n", worst, limit*100)
	}

	tree, remove, err := gitrepo.AddWorktree(ctx, repo, bad)
	if err != nil {
		return "", err
	}
	defer remove()
	if _, err := gitrepo.Git(ctx, tree, "bisect", "start", bad, good); err != nil {
		return "", err
	}
	for {
		commit, err := gitrepo.Git(ctx, tree, "rev-parse", "HEAD")
		if err != nil {
			return "", err
		}
		verdict := "skip"
		for count := o.Compare.Run.Count; ; count *= 2 {
			d, err := compare(commit, count, limit)
			var be *BuildError
			switch {
			case errors.As(err, &be):
				fmt.Fprintf(log, "benchrun: bisect: %.12s does not build; skipping it: %v\n", commit, err)
			case err != nil:
				return "", err
			case d.Status == gate.Pass:
				verdict = "good"
			case d.Status == gate.Block:
				verdict = "bad"
			case count < 4*o.Compare.Run.Count:
				fmt.Fprintf(log, "benchrun: bisect: step inconclusive at count %d; measuring again at count %d\n", count, 2*count)
				continue
			}
			break
		}
		fmt.Fprintf(log, "benchrun: bisect: %.12s is %s\n", commit, verdict)
		step, err := gitrepo.Git(ctx, tree, "bisect", verdict)
		if err != nil {
			return "", err
		}
		if m := firstBad.FindStringSubmatch(step); m != nil {
			return m[1], nil
		}
		if strings.Contains(step, "only 'skip'ped commits left") {
			return "", fmt.Errorf("git bisect could not name a first bad commit: %s", step)
		}
	}
}

var firstBad = regexp.MustCompile(`(?m)^([0-9a-f]{40}) is the first bad commit`)

// stepThreshold is half the largest of the regressions, at least floor,
// and the cell it comes from (nil when there is none).
func stepThreshold(regressed []gate.Cell, floor float64) (float64, *gate.Cell) {
	var worst *gate.Cell
	for i, c := range regressed {
		if worst == nil || math.Abs(c.Delta) > math.Abs(worst.Delta) {
			worst = &regressed[i]
		}
	}
	if worst == nil {
		return floor, nil
	}
	return max(floor, math.Abs(worst.Delta)/2), worst
}
