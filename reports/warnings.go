package reports

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aclements/go-moremath/stats"
	"golang.org/x/perf/benchmath"

	"github.com/batchbench/batchbench/internal/load"
	"github.com/batchbench/batchbench/reports/table"
)

// NoiseThreshold is the coefficient of variation above which a cell is
// reported as noisy.
const NoiseThreshold = 0.05

// NoisyCell is a cell whose runs vary more than NoiseThreshold.
type NoisyCell struct {
	Group, Row, Col string
	Units           []NoisyUnit
}

// NoisyUnit is the spread of one unit in a noisy cell.
type NoisyUnit struct {
	Unit string
	CV   float64 // standard deviation / mean
	N    int
}

// String reads e.g. "Size size=1000 pooled: sec/op CV 8.1% (n=10)".
func (n NoisyCell) String() string {
	var us []string
	for _, u := range n.Units {
		us = append(us, fmt.Sprintf("%s CV %.1f%% (n=%d)", u.Unit, u.CV*100, u.N))
	}
	return fmt.Sprintf("%s %s %s: %s", n.Group, n.Row, n.Col, strings.Join(us, ", "))
}

// noisyCells lists cells whose coefficient of variation exceeds threshold
// in any unit, grouped by cell. Units assumed exact are skipped: benchstat
// already warns when they vary.
func noisyCells(ts *table.Tables, threshold float64) []NoisyCell {
	var out []NoisyCell
	index := map[[3]string]int{}
	for _, t := range ts.Tables {
		if t.Assumption == benchmath.AssumeExact {
			continue
		}
		for _, row := range t.Rows {
			for j, c := range row.Cells {
				if c == nil || len(c.Sample.Values) < 2 {
					continue
				}
				s := stats.Sample{Xs: c.Sample.Values}
				mean := s.Mean()
				if mean == 0 {
					continue
				}
				cv := s.StdDev() / math.Abs(mean)
				if cv <= threshold {
					continue
				}
				k := [3]string{ts.SectionTitle(t), row.Label, t.Cols[j]}
				i, ok := index[k]
				if !ok {
					i = len(out)
					index[k] = i
					out = append(out, NoisyCell{Group: k[0], Row: k[1], Col: k[2]})
				}
				out[i].Units = append(out[i].Units, NoisyUnit{t.Unit, cv, len(c.Sample.Values)})
			}
		}
	}
	return out
}

// Warnings is the report's warnings section.
type Warnings struct {
	Noisy     []NoisyCell
	Failed    []table.Failure // failed cells other than self-check failures
	SelfCheck []table.Failure // cells that did not run what their name claims
	Benchstat []table.BenchstatWarning
	Syntax    []string // benchfmt syntax errors
	Excluded  []string // results with impossible values (NaN, infinite, negative)
	Other     []string // filter rejections, profile problems
	// Busy are the runs taken while other processes or guests used more
	// than load.DefaultThreshold of the machine; Runs is how many runs
	// recorded what else used the machine.
	Busy []load.Record
	Runs int
}

// BusyLine says how many runs were taken on a busy machine and which
// cells they were, "" when none were.
func (w *Warnings) BusyLine() string {
	if len(w.Busy) == 0 {
		return ""
	}
	return fmt.Sprintf("the machine was busy during %d of %d runs (others took over %.0f%% of the CPU): %s",
		len(w.Busy), w.Runs, load.DefaultThreshold*100, strings.Join(load.Cells(w.Busy), ", "))
}

// readLoad reads the machine-load records of the inputs' runs: the
// record beside each results file, or one level up (a compare writes one
// for both sides). Inputs without one recorded nothing.
func readLoad(res *table.Results) (busy []load.Record, runs int, errs []string) {
	seen := map[string]bool{}
	for _, in := range res.Inputs {
		dir := filepath.Dir(in.Path)
		for _, d := range []string{dir, filepath.Dir(dir)} {
			if seen[d] {
				break
			}
			recs, err := load.Read(d)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			seen[d] = true
			if err != nil {
				errs = append(errs, err.Error())
				break
			}
			runs += len(recs)
			busy = append(busy, load.Busy(recs, load.DefaultThreshold)...)
			break
		}
	}
	return busy, runs, errs
}

// Empty reports whether there is nothing to warn about.
func (w *Warnings) Empty() bool {
	return w.Count() == 0
}

// Count is the number of distinct warnings.
func (w *Warnings) Count() int {
	n := len(w.Noisy) + len(w.Failed) + len(w.SelfCheck) + len(w.Benchstat) + len(w.Syntax) + len(w.Excluded) + len(w.Other)
	if len(w.Busy) > 0 {
		n++
	}
	return n
}

func collectWarnings(res *table.Results, ts *table.Tables) Warnings {
	w := Warnings{
		Noisy:     noisyCells(ts, NoiseThreshold),
		Benchstat: ts.BenchstatWarnings(),
		Syntax:    res.SyntaxErrors,
		Excluded:  res.Excluded,
		Other:     slices.Clone(ts.FilterErrors),
	}
	var errs []string
	w.Busy, w.Runs, errs = readLoad(res)
	w.Other = append(w.Other, errs...)
	for _, f := range res.Failures {
		if f.SelfCheck {
			w.SelfCheck = append(w.SelfCheck, f)
		} else {
			w.Failed = append(w.Failed, f)
		}
	}
	return w
}
