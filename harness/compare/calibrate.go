package compare

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/batchbench/batchbench/harness"
	"github.com/batchbench/batchbench/impl/plant"
	"github.com/batchbench/batchbench/internal/atomicfile"
	"github.com/batchbench/batchbench/internal/rundir"
	"github.com/batchbench/batchbench/reports/gate"
	"github.com/batchbench/batchbench/reports/table"
	"github.com/batchbench/batchbench/scenarios"
)

// CalibrateOptions say how to calibrate the gate on this machine.
type CalibrateOptions struct {
	// Decisions is how many whole gate decisions to make.
	Decisions int
	// Plant, if above 0, is the slowdown head's mutex carries, as a
	// fraction of the base's time per item in PlantCell: head is built
	// with the plant tag, and its stall spaced to that size from the
	// stall's time and the cell's, measured on this machine (see package
	// plant). The record gives the size each cell then measured.
	Plant     float64
	PlantCell scenarios.Cell
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
// is a whole Run. It writes the calibration's record,
// CalibrationFile, beside the decisions.
func Calibrate(ctx context.Context, o CalibrateOptions) (*gate.Calibration, error) {
	start := time.Now()
	base, err := o.Compare.Build.WorkingTree(ctx, rundir.Base)
	if err != nil {
		return nil, &BuildError{err}
	}
	head, planted := base, "" // identical builds: the very same binary
	if o.Plant > 0 {
		b := o.Compare.Build
		b.Tags = strings.TrimPrefix(b.Tags+",plant", ",")
		if head, err = b.WorkingTree(ctx, rundir.Head); err != nil {
			return nil, &BuildError{err}
		}
		spec, perItem, err := sizePlant(ctx, o, base)
		if err != nil {
			return nil, err
		}
		head.Env = append(head.Env, plant.Env+"="+spec.String())
		planted = fmt.Sprintf("head's %s stalls %d rounds every %d items: +%.3gns per item, %s of %s's %.3gns",
			spec.Impl, spec.Rounds, spec.Every, float64(plant.StallTime())/float64(spec.Every), pct(o.Plant), o.PlantCell.Name(), float64(perItem))
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
	setup := fmt.Sprintf("`%s` · %d cells · at least %d pairs · budget %v · threshold %s · α = %v · %d decisions in %v",
		o.Command, len(r.Cells), r.Count, o.Compare.Budget, gate.Threshold(o.Compare.Plan.Threshold).String(), o.Compare.Plan.Alpha,
		o.Decisions, time.Since(start).Round(time.Second))
	md := cal.Markdown(planted, o.Compare.Plan.Threshold, setup)
	return &cal, atomicfile.WriteFile(filepath.Join(r.OutDir, CalibrationFile), []byte(md))
}

// sizePlant measures base's time per item in the plant's cell, and
// returns the slowdown of mutex that adds o.Plant of it.
func sizePlant(ctx context.Context, o CalibrateOptions, base harness.Source) (plant.Spec, time.Duration, error) {
	opts := o.Compare.Run
	opts.Cells, opts.Count, opts.Sources, opts.Profile = []scenarios.Cell{o.PlantCell}, 10, []harness.Source{base}, false
	opts.OutDir = filepath.Join(o.Compare.Run.OutDir, "plant-size")
	res, err := harness.Run(ctx, opts)
	if err != nil {
		return plant.Spec{}, 0, err
	}
	rs, err := table.Load(table.Input{Path: res.Outputs[0].ResultsPath})
	if err != nil {
		return plant.Spec{}, 0, err
	}
	ts, err := table.Build(rs, table.Config{})
	if err != nil {
		return plant.Spec{}, 0, err
	}
	for _, t := range ts.Tables {
		if t.Unit == "sec/op" && len(t.Rows) == 1 && t.Rows[0].Cells[0] != nil {
			perItem := time.Duration(t.Rows[0].Cells[0].Summary.Center * 1e9)
			return plant.Sized("mutex", time.Duration(float64(perItem)*o.Plant)), perItem, nil
		}
	}
	return plant.Spec{}, 0, fmt.Errorf("no time per item measured in %s", o.PlantCell.Name())
}

func pct(f float64) string { return fmt.Sprintf("%.3g%%", f*100) }
