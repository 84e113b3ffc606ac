package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"

	"github.com/batchbench/batchbench/harness"
)

// bisectCmd finds the commit that introduced a regression:
//
//	benchrun bisect -good REF -bad REF [-impl REGEX] [-scenario REGEX] [-count N] [-quick]
//
// It drives `git bisect run` in a temporary worktree, so the user's working
// tree and bisect state are never touched. Each step is the merge gate,
// GOOD against the commit under test, on the selected cells: a commit that
// regresses is bad, one that does not is good, and one the gate cannot
// judge (it does not build, or nothing could be compared) is skipped,
// never called bad.
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
	repo, err := harness.RepoRoot(ctx, ".")
	if err != nil {
		return usageError{fmt.Errorf("bisect: not in a git checkout: %v", err)}
	}
	goodSHA, err1 := harness.ResolveCommit(ctx, repo, *good)
	badSHA, err2 := harness.ResolveCommit(ctx, repo, *bad)
	if err := errors.Join(err1, err2); err != nil {
		return usageError{fmt.Errorf("bisect: %v", err)}
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	tree, remove, err := harness.AddWorktree(ctx, repo, badSHA)
	if err != nil {
		return err
	}
	defer remove()
	if _, err := harness.Git(ctx, tree, "bisect", "start", badSHA, goodSHA); err != nil {
		return err
	}
	step := []string{"bisect", "run", self, "bisect-step", "-good", goodSHA, "-count", fmt.Sprint(g.count),
		"-threshold", g.threshold, "-alpha", fmt.Sprint(g.alpha), "-timeout", g.timeout.String(), "-wait-idle", g.waitIdle.String(),
		"-impl", sel.impl, "-scenario", sel.scenario, "-runtime", sel.runTime.String()}
	if sel.quick {
		step = append(step, "-quick")
	}
	cmd := exec.CommandContext(ctx, "git", step...)
	cmd.Dir = tree
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.MultiWriter(&log, stderr), stderr
	runErr := cmd.Run()
	m := firstBad.FindStringSubmatch(log.String())
	if m == nil {
		return fmt.Errorf("bisect: git bisect run named no first bad commit: %v", runErr)
	}
	subject, _ := harness.Git(ctx, repo, "log", "-1", "--format=%s", m[1])
	fmt.Fprintf(stdout, "first bad commit: %s %s\n", m[1], subject)
	return nil
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
		cargs := []string{"-base", *good, "-head", "HEAD", "-count", fmt.Sprint(count), "-threshold", g.threshold,
			"-alpha", fmt.Sprint(g.alpha), "-timeout", g.timeout.String(), "-wait-idle", g.waitIdle.String(),
			"-impl", sel.impl, "-scenario", sel.scenario, "-runtime", sel.runTime.String(), "-profile=false", "-force", "-o", out}
		if sel.quick {
			cargs = append(cargs, "-quick")
		}
		code := run(append([]string{"compare"}, cargs...), stdout, stderr)
		switch {
		case code == 0 || code == 1:
			return code
		case !exists(filepath.Join(out, "report.md")) || count >= 4*g.count:
			return 125
		}
		fmt.Fprintf(stderr, "benchrun: bisect step inconclusive at count %d; measuring again at count %d\n", count, 2*count)
	}
}
