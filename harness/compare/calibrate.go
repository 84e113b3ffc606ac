package compare

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/batchbench/batchbench/internal/atomicfile"
	"github.com/batchbench/batchbench/internal/rundir"
	"github.com/batchbench/batchbench/reports/gate"
)

// CalibrateOptions say how to calibrate the gate on this machine.
type CalibrateOptions struct {
	// Decisions is how many whole gate decisions to make.
	Decisions int
	// HeadTags, if set, builds head with these build tags (a planted
	// regression) instead of measuring the very binary base is.
	HeadTags string
	// Compare is each decision's settings; Calibrate sets the sides and
	// gives decision i the directory Run.OutDir/decision-i.
	Compare Options
	// Decided, if set, is told of each decision as it is made.
	Decided func(i int, d *gate.Decision)
	// Command is the command line that asked for the calibration, for
	// the record Calibrate writes.
	Command string
}

// CalibrationFile is the record Calibrate writes in Compare.Run.OutDir.
const CalibrationFile = "calibrate.md"

// Calibrate measures the gate's error rate per decision: it builds the
// working tree once, and makes o.Decisions decisions between identical
// builds (every block is a false block) or, with HeadTags, against a head
// that carries a planted regression (every pass is a miss). Each decision
// is a whole Run: both sides A B A B, then confirmation of what the first
// test flags, as Compare.Confirm says. It writes the calibration's record,
// CalibrationFile, beside the decisions.
func Calibrate(ctx context.Context, o CalibrateOptions) (*gate.Calibration, error) {
	start := time.Now()
	base, err := o.Compare.Build.WorkingTree(ctx, rundir.Base)
	if err != nil {
		return nil, &BuildError{err}
	}
	head := base // identical builds: the very same binary
	if o.HeadTags != "" {
		b := o.Compare.Build
		b.Tags = o.HeadTags
		if head, err = b.WorkingTree(ctx, rundir.Head); err != nil {
			return nil, &BuildError{err}
		}
	}
	var cal gate.Calibration
	for i := range o.Decisions {
		c := o.Compare
		c.Base, c.Head = Side{Source: &base}, Side{Source: &head}
		c.Run.OutDir = filepath.Join(o.Compare.Run.OutDir, fmt.Sprintf("decision-%02d", i+1))
		out, err := Run(ctx, c)
		if err != nil {
			return nil, err
		}
		cal.Add(out.Decision)
		if o.Decided != nil {
			o.Decided(i, out.Decision)
		}
	}
	r := o.Compare.Run
	setup := fmt.Sprintf("`%s` · %d cells · count %d · threshold %s · α = %v · %d decisions in %v",
		o.Command, len(r.Cells), r.Count, gate.Threshold(o.Compare.Judge.Threshold).String(), o.Compare.Table.WithDefaults().Alpha,
		o.Decisions, time.Since(start).Round(time.Second))
	md := cal.Markdown(o.HeadTags != "", o.Compare.Judge.Threshold, setup)
	return &cal, atomicfile.WriteFile(filepath.Join(r.OutDir, CalibrationFile), []byte(md))
}
