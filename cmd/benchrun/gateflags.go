package main

import (
	"flag"
	"fmt"
	"time"

	"github.com/batchbench/batchbench/harness"
	"github.com/batchbench/batchbench/reports/gate"
)

// gateFlags are the flags of the commands that make the gate's decisions
// (compare, calibrate, bisect): how many runs, and what counts.
type gateFlags struct {
	count     int
	threshold string
	alpha     float64
	timeout   time.Duration
	waitIdle  time.Duration

	limit float64 // the parsed threshold, after finish
}

func (g *gateFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&g.count, "count", 10, "measured runs per cell and side; -quick makes it 6")
	fs.StringVar(&g.threshold, "threshold", "5%", "smallest relative change that counts, e.g. 5% or 0.05")
	fs.Float64Var(&g.alpha, "alpha", 0.05, "significance level of benchmath's test")
	fs.DurationVar(&g.timeout, "timeout", harness.DefaultTimeout, "fail a run that takes longer than this")
	fs.DurationVar(&g.waitIdle, "wait-idle", 0, "before each round, wait up to this long for other processes to leave the CPU idle (0: don't wait)")
}

// finish applies -quick's count and checks every value, so that a count
// too small for the test to reach alpha is refused before anything runs.
func (g *gateFlags) finish(fs *flag.FlagSet, sel *selection, cmd string) error {
	var err error
	if g.limit, err = parseThreshold(g.threshold); err != nil {
		return usageError{err}
	}
	if !flagSet(fs, "count") && sel.quick {
		g.count = 6
	}
	if err := sel.finish(fs); err != nil {
		return err
	}
	sel.gate = true
	if err := gate.TableConfig(g.alpha, "").Check(); err != nil {
		return usageError{fmt.Errorf("%s: %v", cmd, err)}
	}
	if n := gate.MinCount(g.alpha); g.count < n {
		return usageError{fmt.Errorf("%s: -count %d is too small: benchmath's U test cannot reach p <= %v with fewer than %d runs per side", cmd, g.count, g.alpha, n)}
	}
	if g.timeout <= 0 || g.waitIdle < 0 {
		return usageError{fmt.Errorf("%s: -timeout must be > 0 and -wait-idle >= 0, got %v and %v", cmd, g.timeout, g.waitIdle)}
	}
	return nil
}
