package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/batchbench/batchbench/harness"
	"github.com/batchbench/batchbench/reports"
)

func runCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("run", stderr)
	var sel selection
	sel.register(fs)
	count := fs.Int("count", 10, "measured runs per cell (default 6 with -quick)")
	profile := fs.Bool("profile", true, "run the profiling pass: a CPU and a heap profile per cell")
	out := fs.String("o", "", "write results.txt and profiles/ to `DIR` (required)")
	seed := fs.Uint64("seed", 0, "shuffle the run order with this seed (0: random, printed)")
	report := fs.Bool("report", false, "render report.html, report.md and plots/ into DIR afterwards")
	timeout := fs.Duration("timeout", harness.DefaultTimeout, "fail a run that takes longer than this")
	profileTime := fs.Duration("profiletime", harness.DefaultProfileTime, "record each profile for this long (default 500ms with -quick)")
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
	cells, err := sel.cells()
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := harness.Run(ctx, harness.Options{
		Cells: cells, Count: *count, Quick: sel.quick, Profile: *profile,
		RunTime: sel.runTime, OutDir: *out, Seed: *seed, Timeout: *timeout, ProfileTime: *profileTime, Log: stderr,
	})
	if res == nil {
		return err
	}
	printRun(res, stdout, stderr)
	if *report && !res.Interrupted {
		// Failed cells are part of the report, so render it either way.
		if rerr := render(reports.Options{Inputs: []string{res.Outputs[0].ResultsPath}, OutDir: *out}, stdout, stderr); rerr != nil {
			return errors.Join(err, rerr)
		}
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
}
