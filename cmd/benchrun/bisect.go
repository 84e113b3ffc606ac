package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"

	"github.com/batchbench/batchbench/internal/gitrepo"
	"github.com/batchbench/batchbench/reports/gate"
)

// bisectCmd finds the commit that introduced a regression:
//
//	benchrun bisect -good REF -bad REF [-impl REGEX] [-scenario REGEX] [-count N] [-quick]
//
// It first measures GOOD against BAD, and stops when BAD does not regress:
// there is nothing to find. It then drives `git bisect run` in a temporary
// worktree, so the user's working tree and bisect state are never touched.
// Each step is the merge gate, GOOD against the commit under test, on the
// selected cells, at half the regression measured (never below
// -threshold): a step asks whether a commit carries this regression, which
// a noisy cell answers at counts where it cannot resolve a small
// threshold. A commit that regresses is bad, one that does not is good,
// and one the gate cannot judge (it does not build, or nothing could be
// compared) is skipped, never called bad.
func bisectCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bisect", stderr)
	var sel selection
	sel.register(fs)
	good := fs.String("good", "", "a git `REF` without the regression (required)")
	bad := fs.String("bad", "", "a git `REF` with it (required)")
	var g gateFlags
	g.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *good == "" || *bad == "" {
		return usageError{errors.New("bisect: -good and -bad are required")}
	}
	if err := g.finish(fs, &sel, "bisect"); err != nil {
		return err
	}
	if _, err := sel.cells(); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	repo, err := gitrepo.Root(ctx, ".")
	if err != nil {
		return usageError{fmt.Errorf("bisect: not in a git checkout: %v", err)}
	}
	goodSHA, err1 := gitrepo.ResolveCommit(ctx, repo, *good)
	badSHA, err2 := gitrepo.ResolveCommit(ctx, repo, *bad)
	if err := errors.Join(err1, err2); err != nil {
		return usageError{fmt.Errorf("bisect: %v", err)}
	}
	limit, err := bisectThreshold(goodSHA, badSHA, &sel, &g, stdout, stderr)
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	tree, remove, err := gitrepo.AddWorktree(ctx, repo, badSHA)
	if err != nil {
		return err
	}
	defer remove()
	if _, err := gitrepo.Git(ctx, tree, "bisect", "start", badSHA, goodSHA); err != nil {
		return err
	}
	step := append([]string{"bisect", "run", self, "bisect-step", "-good", goodSHA},
		gateArgs(&sel, &g, g.count, strconv.FormatFloat(limit*100, 'f', -1, 64)+"%")...)
	cmd := exec.CommandContext(ctx, "git", step...)
	cmd.Dir = tree
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.MultiWriter(&log, stderr), stderr
	runErr := cmd.Run()
	m := firstBad.FindStringSubmatch(log.String())
	if m == nil {
		return fmt.Errorf("bisect: git bisect run named no first bad commit: %v", runErr)
	}
	subject, _ := gitrepo.Git(ctx, repo, "log", "-1", "--format=%s", m[1])
	fmt.Fprintf(stdout, "first bad commit: %s %s\n", m[1], subject)
	return nil
}

// bisectThreshold measures good against bad on the selected cells and
// returns the threshold for the steps: half the largest regression found,
// at least the gate's own. It fails when bad does not regress.
func bisectThreshold(good, bad string, sel *selection, g *gateFlags, stdout, stderr io.Writer) (float64, error) {
	out, err := os.MkdirTemp("", "benchrun-bisect-ends-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(out)
	args := append([]string{"compare", "-base", good, "-head", bad, "-profile=false", "-force", "-o", out},
		gateArgs(sel, g, g.count, g.threshold)...)
	fmt.Fprintf(stderr, "benchrun: bisect: measuring %.12s (good) against %.12s (bad)\n", good, bad)
	switch code := run(args, stdout, stderr); code {
	case 1:
	case 0:
		return 0, fmt.Errorf("bisect: %.12s is not slower than %.12s on the selected cells: nothing to bisect", bad, good)
	default:
		return 0, fmt.Errorf("bisect: the gate could not judge %.12s against %.12s (compare exited %d, its reason above); rerun with a larger -count", bad, good, code)
	}
	j, err := gate.JudgeFiles(gate.TableConfig(g.alpha, ""), gate.Options{Head: "head", Threshold: g.limit},
		"base="+filepath.Join(out, "base", "results.txt"), "head="+filepath.Join(out, "head", "results.txt"))
	if err != nil {
		return 0, err
	}
	limit, worst := stepThreshold(j.Regressed, g.limit)
	if worst != nil {
		fmt.Fprintf(stderr, "benchrun: bisect: the regression is %s; each step judges against %.3g%%\n", worst, limit*100)
	}
	return limit, nil
}

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

// gateArgs are the flags that pass bisect's selection and gate settings on
// to compare and to bisect-step, at count runs and threshold.
func gateArgs(sel *selection, g *gateFlags, count int, threshold string) []string {
	args := []string{"-count", fmt.Sprint(count), "-threshold", threshold, "-alpha", fmt.Sprint(g.alpha),
		"-timeout", g.timeout.String(), "-wait-idle", g.waitIdle.String(),
		"-impl", sel.impl, "-scenario", sel.scenario, "-runtime", sel.runTime.String()}
	if sel.quick {
		args = append(args, "-quick")
	}
	return args
}

var firstBad = regexp.MustCompile(`(?m)^([0-9a-f]{40}) is the first bad commit`)

// bisectStepCmd is one step of git bisect run, in the worktree at the
// commit under test: the gate, GOOD against HEAD. It exits 0 (good) when
// the gate passes, 1 (bad) when it blocks, and 125 (skip) when it cannot
// judge even with more runs.
func bisectStepCmd(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("bisect-step", stderr)
	var sel selection
	sel.register(fs)
	good := fs.String("good", "", "")
	var g gateFlags
	g.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return 125
	}
	out, err := os.MkdirTemp("", "benchrun-bisect-step-")
	if err != nil {
		return 125
	}
	defer os.RemoveAll(out)
	// A step the gate cannot decide (too few runs for this noise) is
	// measured again with twice the runs, up to four times the count,
	// before it is skipped: a skipped good commit leaves the culprit
	// ambiguous. A step that made no decision at all (a build error) is
	// skipped at once.
	for count := g.count; ; count *= 2 {
		cargs := append([]string{"compare", "-base", *good, "-head", "HEAD", "-profile=false", "-force", "-o", out},
			gateArgs(&sel, &g, count, g.threshold)...)
		code := run(cargs, stdout, stderr)
		switch {
		case code == 0 || code == 1:
			return code
		case !exists(filepath.Join(out, "report.md")) || count >= 4*g.count:
			return 125
		}
		fmt.Fprintf(stderr, "benchrun: bisect step inconclusive at count %d; measuring again at count %d\n", count, 2*count)
	}
}
