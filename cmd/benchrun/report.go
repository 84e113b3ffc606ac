package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/batchbench/batchbench/reports"
	"github.com/batchbench/batchbench/reports/gate"
	"github.com/batchbench/batchbench/reports/table"
)

// gateError carries a gate's decision to the exit status: 1 blocked, 2
// inconclusive. Its text is the decision's headline, already printed.
type gateError struct{ *gate.Decision }

func (e gateError) Error() string { return e.Headline() }

// decisionErr is nil when d passes.
func decisionErr(d *gate.Decision) error {
	if d == nil || d.Status == gate.Pass {
		return nil
	}
	return gateError{d}
}

// inputList is a repeatable -in flag.
type inputList []string

func (l *inputList) String() string     { return strings.Join(*l, " ") }
func (l *inputList) Set(v string) error { *l = append(*l, v); return nil }

func reportCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("report", stderr)
	var ins inputList
	fs.Var(&ins, "in", "a results `DIR` written by benchrun run or compare (or a directory of shard outputs), or any go test -bench output FILE, optionally NAME=DIR|FILE; repeat for several (required)")
	out := fs.String("o", "", "write report.html, report.md and plots/ to `DIR` (default: the first -in directory)")
	col := fs.String("col", "", "benchproc `projection` for columns (default: /impl for one input with an impl key, else the inputs)")
	ignore := fs.String("ignore", "", "ignore variations in these configuration `keys`, as benchstat's -ignore (the harness's per-run keys always are)")
	baseline := fs.String("baseline", "", "column `value` to compare against (default channel, else the first column)")
	head := fs.String("head", "", "judge column `value` against the baseline as the merge gate does; exit 1 on a regression, 2 when nothing could be judged")
	threshold := fs.String("threshold", "5%", "with -head: smallest relative change that counts, e.g. 5% or 0.05")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if len(ins) == 0 {
		return usageError{errors.New("report: -in is required")}
	}
	opts := reports.Options{OutDir: *out, Col: *col, Ignore: *ignore, Baseline: *baseline}
	if err := (table.Config{Col: *col, Ignore: *ignore}).Check(); err != nil {
		return usageError{fmt.Errorf("report: %v", err)}
	}
	if *head != "" {
		limit, err := parseThreshold(*threshold)
		if err != nil {
			return usageError{err}
		}
		opts.Gate = &gate.Options{Head: *head, Threshold: limit}
	}
	if opts.OutDir == "" {
		opts.OutDir = ins[0]
		if fi, err := os.Stat(ins[0]); err == nil && !fi.IsDir() {
			opts.OutDir = filepath.Dir(ins[0])
		}
	}
	runs, err := findRuns(ins)
	if err != nil {
		return usageError{fmt.Errorf("report: %v", err)}
	}
	if runs.compares > 0 {
		// Compare outputs, one per shard: merge them into one gate.
		if runs.compares != len(runs.dirs) {
			return usageError{errors.New("report: give either compare outputs (base/ and head/) or run outputs, not both")}
		}
		limit, err := parseThreshold(*threshold)
		if err != nil {
			return usageError{err}
		}
		return mergeGate(runs, opts.OutDir, *ignore, limit, stdout, stderr)
	}
	opts.Inputs = runs.inputs
	s, err := render(opts, stdout, stderr)
	if s != nil && s.Warnings.BusyLine() != "" {
		// run and compare said so while measuring; a report on its own
		// says it here.
		fmt.Fprintf(stderr, "benchrun: %s\n", s.Warnings.BusyLine())
	}
	return err
}

// runSet is what the -in values name: inputs for a report, or the
// directories of compare outputs (shards) for a merged gate.
type runSet struct {
	inputs   []string // labelled inputs, as benchstat takes them
	dirs     []string // every run or compare directory found
	compares int      // how many of dirs are compare outputs
}

// findRuns expands -in values. [NAME=]FILE is a results file;
// [NAME=]DIR a run's directory (its results.txt) or a compare's (base/
// and head/); a directory holding neither is a directory of such outputs,
// one per shard, and its runs share one label. A directory's label is the
// directory as given.
func findRuns(args []string) (*runSet, error) {
	rs := &runSet{}
	for _, arg := range args {
		label, path, labelled := strings.Cut(arg, "=")
		if !labelled {
			label, path = "", arg
		}
		if _, err := os.Stat(path); err != nil && labelled {
			label, path = "", arg // a path that contains "="
		}
		fi, err := os.Stat(path)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			rs.inputs = append(rs.inputs, labelInput(label, path))
			continue
		}
		dirs := []string{path}
		if !isRun(path) && !isCompare(path) {
			if dirs, err = shardDirs(path); err != nil {
				return nil, err
			}
		}
		if label == "" {
			label = path // the shards of one directory are one column
		}
		for _, d := range dirs {
			rs.dirs = append(rs.dirs, d)
			if isCompare(d) {
				rs.compares++
				continue
			}
			rs.inputs = append(rs.inputs, labelInput(label, filepath.Join(d, "results.txt")))
		}
	}
	return rs, nil
}

func labelInput(label, file string) string {
	if label == "" || label == file {
		return file
	}
	return label + "=" + file
}

func isRun(dir string) bool { return exists(filepath.Join(dir, "results.txt")) }

func isCompare(dir string) bool {
	return exists(filepath.Join(dir, "base", "results.txt")) && exists(filepath.Join(dir, "head", "results.txt"))
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// shardDirs lists the run or compare outputs directly inside dir.
func shardDirs(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if d := filepath.Join(dir, e.Name()); e.IsDir() && (isRun(d) || isCompare(d)) {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s holds no results.txt, no compare output (base/ and head/) and no directory of either", dir)
	}
	return out, nil
}

// mergeGate makes one decision from the compare outputs of several
// shards: their first runs judged together, their confirmation runs
// together, as one compare would have.
func mergeGate(rs *runSet, outDir, ignore string, threshold float64, stdout, stderr io.Writer) error {
	var first, confirmed []string
	for _, d := range rs.dirs {
		first = append(first, "base="+filepath.Join(d, "base", "results.txt"), "head="+filepath.Join(d, "head", "results.txt"))
		if c := filepath.Join(d, "confirm"); isCompare(c) {
			confirmed = append(confirmed, "base="+filepath.Join(c, "base", "results.txt"), "head="+filepath.Join(c, "head", "results.txt"))
		}
	}
	var confirm gate.Measure
	if len(confirmed) > 0 {
		confirm = func(context.Context, []string) ([]string, error) { return confirmed, nil }
	}
	gcfg := gate.TableConfig(0, ignore)
	d, err := gate.Run(context.Background(), gcfg, gate.Options{Head: "head", Threshold: threshold}, first, confirm)
	if err != nil {
		return err
	}
	if err := reports.CheckShards(d.First.Results); err != nil {
		return usageError{fmt.Errorf("report: %v", err)}
	}
	_, err = render(reports.Options{Decision: d, OutDir: outDir, Title: gateTitle}, stdout, stderr)
	return err
}

// gateTitle heads a merge gate's report.
const gateTitle = "Merge gate: head against base"

// render writes the report and prints its summary, and on stderr what
// the inputs lacked; with a gate, a blocked or inconclusive decision is
// the error.
func render(opts reports.Options, stdout, stderr io.Writer) (*reports.Summary, error) {
	s, err := reports.Generate(opts)
	if err != nil {
		return nil, err
	}
	fmt.Fprint(stdout, s.Text())
	printProblems(stderr, s.Results, s.Decision)
	return s, decisionErr(s.Decision)
}

// maxProblems is how many problems of a kind stderr lists before it only
// counts the rest; the report lists them all.
const maxProblems = 5

// printProblems prints on stderr what a reader must not miss: lines that
// did not parse, results excluded for impossible values, and the gate's
// blocking cells, failed head cells and cells only one side has.
func printProblems(w io.Writer, res *table.Results, d *gate.Decision) {
	list := func(prefix string, items []string) {
		for i, it := range items {
			if i == maxProblems {
				fmt.Fprintf(w, "%s ... and %d more (see the report)\n", prefix, len(items)-i)
				break
			}
			fmt.Fprintf(w, "%s %s\n", prefix, it)
		}
	}
	list("UNPARSED", res.SyntaxErrors)
	list("EXCLUDED", res.Excluded)
	if d == nil {
		return
	}
	var regressed []string
	for _, c := range d.Regressed {
		regressed = append(regressed, c.String())
	}
	list("REGRESSION", regressed)
	list("FAILED HEAD", d.FailedHead)
	list("ONE SIDE ONLY", d.First.OneSided)
}

// parseThreshold reads "5%" or "0.05" as 0.05. A bare number of 1 or more
// is refused, since "5" is far more likely to mean 5% than 500%.
func parseThreshold(s string) (float64, error) {
	bad := func(why string) error {
		return fmt.Errorf("bad -threshold %q: %s; give a percentage such as 5%% or a fraction such as 0.05", s, why)
	}
	num, pct := strings.CutSuffix(strings.TrimSpace(s), "%")
	v, err := strconv.ParseFloat(num, 64)
	switch {
	case err != nil:
		return 0, bad("not a number")
	case math.IsNaN(v) || math.IsInf(v, 0):
		return 0, bad("not finite")
	case v < 0:
		return 0, bad("negative")
	case !pct && v >= 1:
		return 0, bad(fmt.Sprintf("a bare number must be a fraction below 1 (did you mean %s%%?)", num))
	}
	if pct {
		v /= 100
	}
	if v > 1 {
		return 0, bad("over 100%")
	}
	return v, nil
}
