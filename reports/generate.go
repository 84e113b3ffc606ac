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
	"github.com/batchbench/batchbench/internal/rundir"
	"github.com/batchbench/batchbench/reports/gate"
	"github.com/batchbench/batchbench/reports/plots"
	"github.com/batchbench/batchbench/reports/profiles"
	"github.com/batchbench/batchbench/reports/table"
)

// Page says where a report goes and what it says besides its data.
type Page struct {
	// OutDir receives report.html, report.md and plots/. It is created.
	OutDir string
	Title  string // default "Benchmark report"
	// Now is the clock the report's date comes from; default time.Now.
	Now func() time.Time
	// Advise, if set, words what a reader can do about a merge gate's
	// decision (which settings to change, how many runs would decide);
	// its lines follow the decision in both reports and the Summary.
	Advise func(*gate.Decision) []string
}

// ImplRoles name the implementations with a role in a report whose
// columns are implementations (/impl): the baseline every column is
// compared against, and the reference, the simple design every verdict
// also compares each column with. The command line takes them from the
// registry; a report of other columns has neither.
type ImplRoles struct {
	Baseline, Reference string
}

// Options say what Generate reads and how it builds the tables.
type Options struct {
	Page
	Inputs []table.Input
	// ProfileDirs gives the profile directory (holding index.json) of
	// each input, "" for none. By default "profiles" next to each input
	// is used if it has an index.
	ProfileDirs []string

	// Table, Row, Col, Ignore and Filter are benchproc projections and a
	// filter, as benchstat's flags (see table.Config), with defaults
	// that depend on the inputs (see TableConfig).
	Table, Row, Col, Ignore, Filter string
	// Baseline is the column compared against; default Impls.Baseline
	// when the columns are implementations and it is present, else the
	// first column.
	Baseline string
	// Reference is the column every verdict also compares each column
	// with; default Impls.Reference when the columns are implementations.
	Reference string
	Impls     ImplRoles
	Alpha     float64 // default 0.05
	// Confidence is the level of every interval the tables, plots and
	// paired estimates show, as benchstat's -confidence; default 0.95.
	Confidence float64
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
	// Decision is the merge gate's decision, for a gate report, and
	// Advice the caller's words on it (Page.Advise).
	Decision *gate.Decision
	Advice   []string
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
		for _, a := range s.Advice {
			fmt.Fprintf(&b, "  %s\n", a)
		}
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
func Generate(o Options) (*Summary, error) {
	res, ts, err := o.tables()
	if err != nil {
		return nil, err
	}
	return write(res, ts, nil, o.reference(ts), o.profileDirs, o.Page)
}

// Judge makes a merge gate's decision on the inputs, as Generate would
// tabulate them: column p.Head against the baseline column, in pairs when
// the two are a compare's sides (see gate.DecideSaved). GenerateGate
// reports it.
func Judge(o Options, p gate.Plan) (*gate.Decision, error) {
	res, ts, err := o.tables()
	if err != nil {
		return nil, err
	}
	return gate.DecideSaved(res, ts, p, nil)
}

// GenerateGate writes the report of a merge gate's decision, as Generate
// does, from the tables the decision judged, and the profiles beside its
// inputs.
func GenerateGate(d *gate.Decision, p Page) (*Summary, error) {
	return write(d.First.Results, d.First.Tables, d, "", defaultProfileDirs, p)
}

// tables reads the inputs and builds their tables.
func (o Options) tables() (*table.Results, *table.Tables, error) {
	res, err := table.Load(o.Inputs...)
	if err != nil {
		return nil, nil, err
	}
	if res.Count == 0 && len(res.Failures) == 0 {
		// A run whose every cell failed still deserves a report; a file
		// with neither results nor failures is not benchmark output.
		var paths []string
		for _, in := range o.Inputs {
			paths = append(paths, in.Path)
		}
		return nil, nil, fmt.Errorf("no benchmark results or failures in %s", strings.Join(paths, ", "))
	}
	ts, err := table.Build(res, o.TableConfig(res))
	if err != nil {
		return nil, nil, err
	}
	return res, ts, nil
}

// write renders the report of res and ts, and of d for a gate.
func write(res *table.Results, ts *table.Tables, d *gate.Decision, reference string, profileDirs func(*table.Results) []string, p Page) (*Summary, error) {
	if p.OutDir == "" {
		return nil, fmt.Errorf("no output directory")
	}
	if err := os.MkdirAll(p.OutDir, 0o755); err != nil {
		return nil, err
	}
	ps, err := plots.Write(ts, p.OutDir)
	if err != nil {
		return nil, err
	}
	profs, err := profiles.Load(res, profileDirs(res), ts.Config)
	if err != nil {
		return nil, err
	}
	s := &Summary{
		HTML:     filepath.Join(p.OutDir, rundir.ReportHTML),
		Markdown: filepath.Join(p.OutDir, rundir.ReportMarkdown),
		Plots:    ps, Verdicts: verdicts(ts, reference), Warnings: collectWarnings(res, ts),
		Config: ts.Config, Results: res, Tables: ts, Profiles: profs, Decision: d,
	}
	if d != nil && p.Advise != nil {
		s.Advice = p.Advise(d)
	}
	s.Warnings.Other = append(s.Warnings.Other, profs.Errors...)
	if s.Conformance, err = loadConformance(res); err != nil {
		return nil, err
	}
	now := p.Now
	if now == nil {
		now = time.Now
	}
	r := newReport(s, p.Title, now())
	if err := atomicfile.Write(s.HTML, r.html); err != nil {
		return nil, err
	}
	if err := atomicfile.Write(s.Markdown, r.markdown); err != nil {
		return nil, err
	}
	return s, nil
}

// Problems are what a reader of the summary must not miss, a line each,
// prefixed by their kind: lines that did not parse, results excluded for
// impossible values, and, for a gate, the blocking regressions, the
// failed head cells and the cells only one side has. Of each kind the
// first max are listed, then a count of the rest.
func (s *Summary) Problems(max int) []string {
	var out []string
	list := func(prefix string, items []string) {
		for i, it := range items {
			if i == max {
				out = append(out, fmt.Sprintf("%s ... and %d more (see the report)", prefix, len(items)-i))
				break
			}
			out = append(out, prefix+" "+it)
		}
	}
	list("UNPARSED", s.Results.SyntaxErrors)
	list("EXCLUDED", s.Results.Excluded)
	if d := s.Decision; d != nil {
		var regressed []string
		for _, c := range d.Regressed {
			regressed = append(regressed, c.String())
		}
		list("REGRESSION", regressed)
		list("FAILED HEAD", d.FailedHead)
		list("ONE SIDE ONLY", d.First.OneSided)
	}
	return out
}

// TableConfig resolves the options' table configuration for res. The
// defaults are benchstat's, except:
//   - one input (or several sharing one label, the shards of a run)
//     whose names carry an impl key gets /impl columns (with
//     Impls.Baseline as the baseline when present); several inputs are
//     always the columns, as in benchstat, so they are never pooled;
//   - batchbench's own results (a "harness" configuration key) get one
//     table set per configuration and family (-table .config,.name), and
//     the harness's per-run keys (runconfig.PerRun) ignored in addition
//     to Ignore, so runs of one setup are comparable.
func (o Options) TableConfig(res *table.Results) table.Config {
	cfg := table.Config{Table: o.Table, Row: o.Row, Col: o.Col, Ignore: o.Ignore,
		Filter: o.Filter, Baseline: o.Baseline, Alpha: o.Alpha, Confidence: o.Confidence}
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
	if cfg.Baseline == "" && cfg.Col == "/impl" && o.Impls.Baseline != "" && slices.Contains(res.NameKeyValues("impl"), o.Impls.Baseline) {
		cfg.Baseline = o.Impls.Baseline
	}
	return cfg.WithDefaults()
}

func (o Options) reference(ts *table.Tables) string {
	if o.Reference != "" || ts.Config.Col != "/impl" {
		return o.Reference
	}
	return o.Impls.Reference
}

func (o Options) profileDirs(res *table.Results) []string {
	if len(o.ProfileDirs) > 0 {
		return o.ProfileDirs
	}
	return defaultProfileDirs(res)
}

// defaultProfileDirs are the profile directories beside the inputs, or,
// for a compare's side without profiles, beside the same side in its
// confirmation, where a compare profiles the cells that block.
func defaultProfileDirs(res *table.Results) []string {
	var dirs []string
	for _, in := range res.Inputs {
		dir := profiles.DirFor(in.Path)
		if c := rundir.ConfirmedSide(in.Path); dir == "" && c != "" {
			dir = profiles.DirFor(c)
		}
		dirs = append(dirs, dir)
	}
	return dirs
}
