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
	"github.com/batchbench/batchbench/impl/registry"
	"github.com/batchbench/batchbench/internal/load"
	"github.com/batchbench/batchbench/internal/rundir"
	"github.com/batchbench/batchbench/reports"
	"github.com/batchbench/batchbench/reports/table"
	"github.com/batchbench/batchbench/scenarios"
)

func runCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("run", stderr)
	var sel selection
	sel.register(fs)
	var m measuring
	m.register(fs, "cell")
	profile := fs.Bool("profile", true, "run the profiling pass: a CPU and a heap profile per cell")
	out := fs.String("o", "", "write results.txt, profiles/ and load.json to `DIR` (required; refused if it holds an earlier run)")
	force := fs.Bool("force", false, "replace DIR, and everything in it, if it holds an earlier run")
	report := fs.Bool("report", false, "render report.html, report.md and plots/ into DIR afterwards")
	profileTime := fs.Duration("profiletime", harness.DefaultProfileTime, "record each profile for this long; -quick halves it")
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	if *out == "" {
		return usageError{errors.New("run: -o DIR is required")}
	}
	if !flagSet(fs, "profiletime") && sel.Quick {
		*profileTime = harness.DefaultProfileTime / 2
	}
	if err := m.finish(fs, &sel); err != nil {
		return err
	}
	if *profileTime <= 0 {
		return usageError{fmt.Errorf("run: -profiletime must be > 0, got %v", *profileTime)}
	}
	cells, err := sel.cells(fs)
	if err != nil {
		return err
	}
	ctx, stop := interruptible()
	defer stop()
	opts := m.options(&sel, cells, *out, stderr)
	opts.Profile, opts.Force, opts.ProfileTime, opts.Skipped = *profile, *force, *profileTime, sel.skipped
	res, err := harness.Run(ctx, opts)
	if res == nil {
		return forceAdvice(err)
	}
	printRun(res, stdout, stderr)
	if *report && !res.Interrupted {
		// Failed cells are part of the report, so render it either way.
		o := reportOptions(*out, "", "", 0)
		o.Inputs = []table.Input{{Path: res.Outputs[0].ResultsPath}}
		s, rerr := reports.Generate(o)
		if rerr = show(s, rerr, stdout, stderr); rerr != nil {
			return errors.Join(err, rerr)
		}
	}
	return err
}

// interruptible is a context that an interrupt (^C) cancels: the
// harness then stops, leaving valid results of the runs that completed.
func interruptible() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt)
}

// forceAdvice says how to replace an earlier run in an output directory.
func forceAdvice(err error) error {
	if errors.Is(err, rundir.ErrOutputExists) {
		return fmt.Errorf("%w; use -force to replace it, or choose another -o", err)
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
	if busy := load.Busy(res.Load, load.DefaultThreshold); len(busy) > 0 {
		fmt.Fprintf(stderr, "benchrun: the machine was busy during %d of %d runs (others took over %.0f%% of the CPU; see %s): %s\n",
			len(busy), len(res.Load), 100*load.DefaultThreshold, res.LoadPath, strings.Join(load.Cells(busy), ", "))
	}
}

func listCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("list", stderr)
	var sel selection
	sel.register(fs)
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	cells, err := sel.cells(fs)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "implementations:")
	for _, e := range registry.All() {
		note := ""
		switch {
		case e.Name == registry.Baseline:
			note = " (baseline)"
		case e.Name == registry.Reference:
			note = " (reference)"
		case e.Peer != nil:
			note = " (peer: " + e.Peer.Module + ")"
		}
		fmt.Fprintf(stdout, "  %s%s\n", e.Name, note)
	}
	fmt.Fprintln(stdout, "families:")
	for _, f := range scenarios.Families {
		fmt.Fprintf(stdout, "  %-12s %s\n", f.Name, f.Measures)
	}
	fmt.Fprintf(stdout, "cells (%d):\n", len(cells))
	for _, c := range cells {
		fmt.Fprintf(stdout, "  Benchmark%s\n", c.Name())
	}
	if len(sel.skipped) > 0 {
		fmt.Fprintf(stdout, "left out (%d):\n", len(sel.skipped))
		for _, sk := range sel.skipped {
			fmt.Fprintf(stdout, "  Benchmark%s: %s\n", sk.Cell, sk.Reason)
		}
	}
	return nil
}
