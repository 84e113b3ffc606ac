package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/batchbench/batchbench/harness"
	"github.com/batchbench/batchbench/internal/noise"
	"github.com/batchbench/batchbench/reports"
)

func runCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("run", stderr)
	var sel selection
	sel.register(fs)
	count := fs.Int("count", 10, "measured runs per cell; -quick makes it 6")
	profile := fs.Bool("profile", true, "run the profiling pass: a CPU and a heap profile per cell")
	out := fs.String("o", "", "write results.txt, profiles/ and noise.json to `DIR` (required; refused if it holds an earlier run)")
	force := fs.Bool("force", false, "replace DIR, and everything in it, if it holds an earlier run")
	waitIdle := fs.Duration("wait-idle", 0, "before each round, wait up to this long for other processes to leave the CPU idle (0: don't wait)")
	seed := fs.Uint64("seed", 0, "shuffle the run order with this seed (0: random, printed)")
	report := fs.Bool("report", false, "render report.html, report.md and plots/ into DIR afterwards")
	timeout := fs.Duration("timeout", harness.DefaultTimeout, "fail a run that takes longer than this")
	profileTime := fs.Duration("profiletime", harness.DefaultProfileTime, "record each profile for this long; -quick halves it")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usageError{errors.New("run: -o DIR is required")}
	}
	if !flagSet(fs, "count") && sel.quick {
		*count = 6
	}
	if !flagSet(fs, "profiletime") && sel.quick {
		*profileTime = harness.DefaultProfileTime / 2
	}
	if err := sel.finish(fs); err != nil {
		return err
	}
	if *count < 1 {
		return usageError{fmt.Errorf("run: -count must be >= 1, got %d", *count)}
	}
	if *timeout <= 0 || *profileTime <= 0 {
		return usageError{fmt.Errorf("run: -timeout and -profiletime must be > 0, got %v and %v", *timeout, *profileTime)}
	}
	if *waitIdle < 0 {
		return usageError{fmt.Errorf("run: -wait-idle must be >= 0, got %v", *waitIdle)}
	}
	cells, err := sel.cells()
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := harness.Run(ctx, harness.Options{
		Cells: cells, Skipped: sel.skipped, Count: *count, Quick: sel.quick, Shard: sel.shard, Profile: *profile,
		RunTime: sel.runTime, OutDir: *out, Force: *force, WaitIdle: *waitIdle,
		Seed: *seed, Timeout: *timeout, ProfileTime: *profileTime, Log: stderr,
	})
	if res == nil {
		return outDirUsage("run", err)
	}
	printRun(res, stdout, stderr)
	if *report && !res.Interrupted {
		// Failed cells are part of the report, so render it either way.
		if _, rerr := render(reports.Options{Inputs: []string{res.Outputs[0].ResultsPath}, OutDir: *out}, stdout, stderr); rerr != nil {
			return errors.Join(err, rerr)
		}
	}
	return err
}

// outDirUsage makes an unusable -o a usage error of cmd, and says how to
// replace an earlier run.
func outDirUsage(cmd string, err error) error {
	var oe *harness.OutDirError
	switch {
	case errors.Is(err, harness.ErrOutputExists):
		return usageError{fmt.Errorf("%s: %v; use -force to replace it, or choose another -o", cmd, err)}
	case errors.As(err, &oe):
		return usageError{fmt.Errorf("%s: %v", cmd, err)}
	}
	return err
}

func printRun(res *harness.Result, stdout, stderr io.Writer) {
	for _, o := range res.Outputs {
		fmt.Fprintf(stdout, "results: %s\n", o.ResultsPath)
		if o.ProfileDir != "" {
			fmt.Fprintf(stdout, "profiles: %s\n", o.ProfileDir)
		}
	}
	fmt.Fprintf(stdout, "wall time: %v\n", res.Wall.Round(time.Second))
	for _, f := range res.Failed {
		src := ""
		if f.Source != "" {
			src = " (" + f.Source + ")"
		}
		fmt.Fprintf(stderr, "FAILED %s%s: %s\n", f.Cell, src, f.Reason)
	}
	if busy := noise.Busy(res.Noise, noise.DefaultThreshold); len(busy) > 0 {
		fmt.Fprintf(stderr, "benchrun: the machine was busy during %d of %d runs (others took over %.0f%% of the CPU; see %s): %s\n",
			len(busy), len(res.Noise), 100*noise.DefaultThreshold, res.NoisePath, strings.Join(noise.Cells(busy), ", "))
	}
}
