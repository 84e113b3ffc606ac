package reports

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/batchbench/batchbench/impl/conformance"
	"github.com/batchbench/batchbench/internal/atomicfile"
	"github.com/batchbench/batchbench/internal/runconfig"
	"github.com/batchbench/batchbench/reports/gate"
	"github.com/batchbench/batchbench/reports/plots"
	"github.com/batchbench/batchbench/reports/profiles"
	"github.com/batchbench/batchbench/reports/table"
)

// Options configures Generate.
type Options struct {
	// Inputs are benchmark files, each "path" or "label=path" as in
	// benchstat; the label (default: the path) is the ".file" value.
	Inputs []string
	// ProfileDirs gives the profile directory (holding index.json) of
	// each input, "" for none. By default "profiles" next to each input
	// is used if it has an index.
	ProfileDirs []string
	// OutDir receives report.html, report.md and plots/. It is created.
	OutDir string

	// Table, Row, Col, Ignore and Filter are benchproc projections and a
	// filter, as benchstat's flags (see table.Config), with defaults
	// that depend on the inputs (see TableConfig).
	Table, Row, Col, Ignore, Filter string
	// Baseline is the column compared against; default "channel" when Col
	// is "/impl" and a channel implementation is present, else the first
	// column.
	Baseline string
	// Reference is the column every verdict also compares each column
	// with: the simple design the others must beat. Default "mutex" when
	// Col is "/impl" and a mutex implementation is present.
	Reference string
	Alpha     float64 // default 0.05
	Title     string  // default "Benchmark report"
	// Now is the clock the report's date comes from; default time.Now.
	Now func() time.Time

	// Gate, if set, makes the report a merge gate's: column Gate.Head is
	// judged against the baseline (benchrun report -head).
	Gate *gate.Options
	// Decision, if set, is a merge gate's decision already made on these
	// inputs (benchrun compare): the report renders its first stage's
	// results and opens with it. Inputs and the table options are then
	// not read.
	Decision *gate.Decision
}

// Summary is what Generate produced, for a CLI to print.
type Summary struct {
	HTML, Markdown string       // paths of the written reports
	Plots          []plots.File // relative to the output directory
	Verdicts       []Verdict
	Warnings       Warnings
	// Config is the table configuration used, with defaults resolved.
	Config   table.Config
	Results  *table.Results
	Tables   *table.Tables
	Profiles *profiles.Set
	// Decision is the merge gate's decision, for a gate report.
	Decision *gate.Decision
	// Conformance is the conformance matrix a run wrote beside its
	// results (conformance.File), if any.
	Conformance *conformance.Matrix
}

// Text is a short plain-text summary: where the report is, the gate's
// decision, the verdict per section and the warning counts.
func (s *Summary) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "report: %s\n", s.HTML)
	if d := s.Decision; d != nil {
		fmt.Fprintf(&b, "%s\n", d.Headline())
	}
	for _, v := range s.Verdicts {
		fmt.Fprintf(&b, "%s (%s): %s\n", v.Title, v.Unit, v.Text)
		if v.Versus != "" {
			fmt.Fprintf(&b, "  %s\n", v.Versus)
		}
	}
	w := s.Warnings
	if n := len(w.Failed) + len(w.SelfCheck); n > 0 {
		fmt.Fprintf(&b, "failed cells: %d (%d self-check)\n", n, len(w.SelfCheck))
	}
	if len(w.Noisy) > 0 {
		fmt.Fprintf(&b, "noisy cells (CV > %.0f%%): %d\n", NoiseThreshold*100, len(w.Noisy))
	}

	return b.String()
}

// Generate reads the inputs, builds the tables, plots and profile
// summaries, and writes OutDir/report.html, OutDir/report.md and
// OutDir/plots/*.{png,svg}. Failed cells, noise and benchstat's warnings
// become part of the report, not errors; errors are unreadable inputs,
// input with neither results nor failures, invalid projections and
// unwritable output.
func Generate(opts Options) (*Summary, error) {
	if opts.OutDir == "" {
		return nil, fmt.Errorf("no output directory")
	}
	d := opts.Decision
	var res *table.Results
	var ts *table.Tables
	if d != nil {
		res, ts = d.First.Results, d.First.Tables
	} else {
		var err error
		if res, err = table.Load(opts.Inputs...); err != nil {
			return nil, err
		}
		if res.Count == 0 && len(res.Failures) == 0 {
			// A run whose every cell failed still deserves a report; a file
			// with neither results nor failures is not benchmark output.
			return nil, fmt.Errorf("no benchmark results or failures in %s", strings.Join(opts.Inputs, ", "))
		}
		if ts, err = table.Build(res, opts.TableConfig(res)); err != nil {
			return nil, err
		}
		if opts.Gate != nil {
			d = gate.Decide(gate.Judge(res, ts, *opts.Gate), nil)
		}
	}
	if err := os.MkdirAll(opts.OutDir, 0o755); err != nil {
		return nil, err
	}
	ps, err := plots.Write(ts, opts.OutDir)
	if err != nil {
		return nil, err
	}
	profs, err := profiles.Load(res, opts.profileDirs(res), ts.Config)
	if err != nil {
		return nil, err
	}
	if d != nil && d.Confirm != nil {
		// A compare profiles the flagged cells on their confirmation runs.
		more, err := profiles.Load(d.Confirm.Results, opts.profileDirs(d.Confirm.Results), ts.Config)
		if err != nil {
			return nil, err
		}
		profs.Add(more)
	}
	s := &Summary{
		HTML:     filepath.Join(opts.OutDir, "report.html"),
		Markdown: filepath.Join(opts.OutDir, "report.md"),
		Plots:    ps, Verdicts: Verdicts(ts, opts.reference(ts)), Warnings: collectWarnings(res, ts),
		Config: ts.Config, Results: res, Tables: ts, Profiles: profs, Decision: d,
	}
	s.Warnings.Other = append(s.Warnings.Other, profs.Errors...)
	if s.Conformance, err = loadConformance(res); err != nil {
		return nil, err
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	r := newReport(s, opts.Title, now())
	if err := atomicfile.Write(s.HTML, r.html); err != nil {
		return nil, err
	}
	if err := atomicfile.Write(s.Markdown, r.markdown); err != nil {
		return nil, err
	}
	return s, nil
}

// TableConfig resolves the options' table configuration for res. The
// defaults are benchstat's, except:
//   - one input (or several sharing one label, the shards of a run)
//     whose names carry an impl key gets /impl columns (with channel, the
//     seed design, as the baseline when present); several inputs are
//     always the columns, as in benchstat, so they are never pooled;
//   - batchbench's own results (a "harness" configuration key) get one
//     table set per configuration and family (-table .config,.name), and
//     the harness's per-run keys (runconfig.PerRun) ignored in addition
//     to Ignore, so runs of one setup are comparable.
func (o Options) TableConfig(res *table.Results) table.Config {
	cfg := table.Config{Table: o.Table, Row: o.Row, Col: o.Col, Ignore: o.Ignore,
		Filter: o.Filter, Baseline: o.Baseline, Alpha: o.Alpha}
	harness := res.HasConfigKey(runconfig.Harness)
	if cfg.Col == "" && len(res.Labels()) == 1 && len(res.NameKeyValues("impl")) > 0 {
		cfg.Col = "/impl"
	}
	if cfg.Table == "" && harness {
		cfg.Table = ".config,.name"
	}
	if harness {
		cfg.Ignore = strings.Join(slices.DeleteFunc(append(slices.Clone(runconfig.PerRun), cfg.Ignore), func(s string) bool { return s == "" }), ",")
	}
	if cfg.Baseline == "" && cfg.Col == "/impl" && slices.Contains(res.NameKeyValues("impl"), "channel") {
		cfg.Baseline = "channel"
	}
	return cfg.WithDefaults()
}

func (o Options) reference(ts *table.Tables) string {
	if o.Reference != "" || ts.Config.Col != "/impl" {
		return o.Reference
	}
	return "mutex"
}

func (o Options) profileDirs(res *table.Results) []string {
	if len(o.ProfileDirs) > 0 {
		return o.ProfileDirs
	}
	var dirs []string
	for _, in := range res.Inputs {
		dirs = append(dirs, profiles.DirFor(in.Path))
	}
	return dirs
}
