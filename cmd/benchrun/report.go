package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/batchbench/batchbench/harness/compare"
	"github.com/batchbench/batchbench/impl/registry"
	"github.com/batchbench/batchbench/internal/rundir"
	"github.com/batchbench/batchbench/reports"
	"github.com/batchbench/batchbench/reports/gate"
	"github.com/batchbench/batchbench/reports/table"
)

func reportCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("report", stderr)
	var ins inputList
	fs.Var(&ins, "in", "a results `DIR` written by benchrun run or compare (or a directory of shard outputs), or any go test -bench output FILE, optionally NAME=DIR|FILE; repeat for several (required)")
	out := fs.String("o", "", "write report.html, report.md and plots/ to `DIR` (default: the first -in directory)")
	col := fs.String("col", "", "benchproc `projection` for columns (default: /impl for one input with an impl key, else the inputs)")
	ignore := fs.String("ignore", "", "ignore variations in these configuration `keys`, as benchstat's -ignore (the harness's per-run keys always are)")
	baseline := fs.String("baseline", "", "column `value` to compare against (default "+registry.Baseline+", else the first column)")
	head := fs.String("head", "", "judge column `value` against the baseline as the merge gate does; exit 1 on a regression, 2 when nothing could be judged")
	var j judging
	j.register(fs)
	conf := confidenceFlag(fs)
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	if len(ins) == 0 {
		return usageError{errors.New("report: -in is required")}
	}
	o := reportOptions(*out, *ignore, *baseline, j.alpha)
	o.Col, o.Confidence = *col, float64(*conf)
	if err := (table.Config{Col: *col, Ignore: *ignore, Alpha: j.alpha}).Check(); err != nil {
		return usageError{err}
	}
	if o.OutDir == "" {
		o.OutDir = ins[0].Path
		if fi, err := os.Stat(o.OutDir); err == nil && !fi.IsDir() {
			o.OutDir = filepath.Dir(o.OutDir)
		}
	}
	p := j.plan()
	p.Head = *head
	return report(o, ins, p, stdout, stderr)
}

// gateTitle heads a merge gate's report.
const gateTitle = "Merge gate: head against base"

// report writes the report of what ins name, with o's settings: a gate's
// report for compare outputs, or, when g names a head column, of that
// column judged against the baseline as the gate judges it; a plain
// report otherwise.
func report(o reports.Options, ins []table.Input, g gate.Plan, stdout, stderr io.Writer) error {
	x, err := reports.Expand(ins)
	if err != nil {
		return usageError{err}
	}
	var d *gate.Decision
	switch {
	case len(x.Compares) > 0:
		// Compare outputs, one per shard: merged into one gate.
		g.Head = rundir.Head
		cfg := gate.TableConfig(o.Alpha, o.Ignore)
		cfg.Confidence = o.Confidence
		d, err = compare.Saved(x.Compares, cfg, g)
	case g.Head != "":
		o.Inputs = x.Inputs
		d, err = reports.Judge(o, g)
	default:
		o.Inputs = x.Inputs
		s, err := reports.Generate(o)
		if s != nil && s.Warnings.BusyLine() != "" {
			// run and compare said so while measuring; a report on its
			// own says it here.
			fmt.Fprintf(stderr, "benchrun: %s\n", s.Warnings.BusyLine())
		}
		return show(s, err, stdout, stderr)
	}
	if err != nil {
		return err
	}
	o.Title = gateTitle
	s, err := reports.GenerateGate(d, o.Page)
	return show(s, err, stdout, stderr)
}

// reportOptions are a report's settings: the flags', the registry's
// roles, and the command line's clock and advice.
func reportOptions(out, ignore, baseline string, alpha float64) reports.Options {
	return reports.Options{Impls: reports.ImplRoles{Baseline: registry.Baseline, Reference: registry.Reference},
		Ignore: ignore, Baseline: baseline, Alpha: alpha, Page: reports.Page{OutDir: out, Now: now, Advise: advise}}
}

// advise words what a user can do about a decision the gate could not
// make, in this command line's flags.
func advise(d *gate.Decision) []string {
	var out []string
	if len(d.IncomparableKeys) > 0 {
		out = append(out, fmt.Sprintf("If the difference does not matter, pass -ignore %s.", strings.Join(d.IncomparableKeys, ",")))
	}
	if d.NeedCount > 0 {
		out = append(out, fmt.Sprintf("Rerun with -count %d or more.", d.NeedCount))
	}
	return out
}

// gateError carries a gate's decision to the exit status: 1 blocked, 2
// inconclusive. Its text is the decision's headline, already printed.
type gateError struct{ *gate.Decision }

func (e gateError) Error() string { return e.Headline() }

// show prints a written report's summary, and on stderr what a reader
// must not miss; a gate's blocked or inconclusive decision is the error.
func show(s *reports.Summary, err error, stdout, stderr io.Writer) error {
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, s.Text())
	for _, p := range s.Problems(maxProblems) {
		fmt.Fprintln(stderr, p)
	}
	if d := s.Decision; d != nil && d.Status != gate.Pass {
		return gateError{d}
	}
	return nil
}

// maxProblems is how many problems of a kind stderr lists before it only
// counts the rest; the report lists them all.
const maxProblems = 5

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
