package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/batchbench/batchbench/harness"
	"github.com/batchbench/batchbench/internal/atomicfile"
	"github.com/batchbench/batchbench/reports"
	"github.com/batchbench/batchbench/reports/gate"
)

// calibrateCmd measures the gate's error rate per decision on this
// machine: N decisions between identical builds of the working tree (every
// block is a false block) or, with -planted, against a head whose ring
// carries a known slowdown (every pass is a miss). Each decision is a
// whole compare: both sides A B A B, then confirmation of what the first
// test flags.
func calibrateCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("calibrate", stderr)
	var sel selection
	sel.register(fs)
	var g gateFlags
	g.register(fs)
	n := fs.Int("n", 10, "gate decisions to make")
	planted := fs.Bool("planted", false, "head's ring carries a planted slowdown (build tag plantedring; measure its size with compare): measure the miss rate")
	doConfirm := fs.Bool("confirm", true, "confirm flagged cells on fresh runs, as compare does")
	out := fs.String("o", "", "write each decision's runs and calibrate.md to `DIR` (required)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usageError{errors.New("calibrate: -o DIR is required")}
	}
	if err := g.finish(fs, &sel, "calibrate"); err != nil {
		return err
	}
	if *n < 1 {
		return usageError{fmt.Errorf("calibrate: -n must be >= 1, got %d", *n)}
	}
	gcfg, limit := gate.TableConfig(g.alpha, ""), g.limit
	cells, err := sel.cells()
	if err != nil {
		return err
	}
	if _, err := os.Stat(*out); err == nil {
		return usageError{fmt.Errorf("calibrate: %s exists; give a new directory", *out)}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	binDir, err := os.MkdirTemp("", "benchrun-calibrate-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(binDir)
	base, err := build(ctx, "base", "", binDir, "")
	if err != nil {
		return buildError{err}
	}
	head := base // identical builds: the very same binary
	head.Name = "head"
	if *planted {
		if head, err = build(ctx, "head", "", binDir, "plantedring"); err != nil {
			return buildError{err}
		}
	}

	var cal gate.Calibration
	gopts := gate.Options{Head: "head", Threshold: limit}
	start := time.Now()
	for i := range *n {
		m := &measurer{ctx: ctx, stdout: io.Discard, stderr: io.Discard, opts: harness.Options{
			Cells: cells, Count: g.count, Quick: sel.quick, RunTime: sel.runTime,
			OutDir: filepath.Join(*out, fmt.Sprintf("decision-%02d", i+1)), Timeout: g.timeout, WaitIdle: g.waitIdle,
			Sources: []harness.Source{base, head},
		}}
		files, err := m.measure(m.opts)
		if err != nil {
			return err
		}
		var confirm gate.Measure
		if *doConfirm {
			confirm = m.confirm
		}
		d, err := gate.Run(ctx, gcfg, gopts, labelled(files), confirm)
		if err != nil {
			return err
		}
		cal.Add(d)
		fmt.Fprintf(stdout, "decision %d/%d: exit %d: %s\n", i+1, *n, d.Status.ExitCode(), d.Headline())
	}
	setup := fmt.Sprintf("`benchrun calibrate %s` · %d cells · count %d · threshold %s · α = %v · %d decisions in %v",
		strings.Join(args, " "), len(cells), g.count, g.threshold, g.alpha, *n, time.Since(start).Round(time.Second))
	md := reports.CalibrationMarkdown(&cal, *planted, limit, setup)
	path := filepath.Join(*out, "calibrate.md")
	if err := atomicfile.WriteFile(path, []byte(md)); err != nil {
		return err
	}
	r, what := cal.BlockRate(), "false-block rate"
	if *planted {
		r, what = cal.PassRate(), "miss rate"
	}
	fmt.Fprintf(stdout, "%s: %s\ncalibration: %s\n", what, r, path)
	return nil
}
