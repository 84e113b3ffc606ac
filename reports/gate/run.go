package gate

import (
	"context"

	"github.com/batchbench/batchbench/reports/table"
)

// Measure runs the named cells again on both sides, fresh, and returns
// the results files, labelled "base" and "head".
type Measure func(ctx context.Context, cells []string) ([]table.Input, error)

// Run makes the gate's decision on the labelled inputs of a first
// stage. When the first stage flags regressions and confirm is not nil,
// it measures the flagged cells again with confirm and judges those
// fresh runs alone, the same way (JudgeFiles with cfg and o); a cell
// blocks only if both stages find it regressed. Incomparable inputs are
// not confirmed: there is nothing to confirm.
func Run(ctx context.Context, cfg table.Config, o Options, inputs []table.Input, confirm Measure) (*Decision, error) {
	first, err := JudgeFiles(cfg, o, inputs...)
	if err != nil {
		return nil, err
	}
	cells := first.ToConfirm()
	if confirm == nil || len(cells) == 0 || len(first.Incomparable) > 0 {
		return Decide(first, nil), nil
	}
	fresh, err := confirm(ctx, cells)
	if err != nil {
		return nil, err
	}
	second, err := JudgeFiles(cfg, o, fresh...)
	if err != nil {
		return nil, err
	}
	return Decide(first, second), nil
}
