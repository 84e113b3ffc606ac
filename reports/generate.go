package reports

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/batchbench/batchbench/internal/atomicfile"
)

// Options configures Generate.
type Options struct {
	// Inputs are benchmark files, each "path" or "label=path" as in
	// benchstat; the label (default: the file's base name when unique)
	// is the ".file" value.
	Inputs []string
	// ProfileDir is the directory holding the profile index.json of
	// Inputs[0]. ProfileDirs, when set, gives one per input ("" for
	// none) and overrides it. When both are empty, "profiles" next to
	// each input is used if it has an index.json.
	ProfileDir  string
	ProfileDirs []string
	// OutDir receives report.html, report.md and plots/. It is created.
	OutDir string

	// Table, Row, Col, Ignore and Filter are benchproc projections and a
	// filter, as benchstat's flags (see TableConfig). Col defaults to
	// "/impl" when the results have an impl key, else ".file".
	Table, Row, Col, Ignore, Filter string
	// Baseline is the column compared against; default "channel" when Col
	// is "/impl" and a channel implementation is present, else the first
	// column. For base/head reports use Col ".file" (or a config key) and
	// Baseline "base".
	Baseline string
	Alpha    float64 // default 0.05
	Title    string  // default "Benchmark report"
	// Gate, if set, makes the report a merge gate's: see GateOptions.
	Gate *GateOptions
}

// Summary is what Generate produced, for a CLI to print.
type Summary struct {
	HTML, Markdown string     // paths of the written reports
	Plots          []PlotFile // relative to the output directory
	Verdicts       []Verdict
	Warnings       Warnings
	// Config is the table configuration used, with defaults resolved.
	Config   TableConfig
	Results  *Results
	Tables   *Tables
	Profiles *ProfileSet
	// Judgement is the merge gate's verdict, when Options.Gate was set.
	Judgement *Judgement
	gateHead  string
}

// Text is a short plain-text summary: where the report is, the verdict per
// group and the warning counts.
func (s *Summary) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "report: %s\n", s.HTML)
	if s.Judgement != nil {
		fmt.Fprintf(&b, "%s\n", strings.ReplaceAll(s.Judgement.Paragraph(s.Config.Baseline, s.gateHead), "**", ""))
	}
	for _, v := range s.Verdicts {
		fmt.Fprintf(&b, "%s (%s): %s\n", v.Group, v.Unit, v.Text)
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
// invalid projections and unwritable output.
func Generate(opts Options) (*Summary, error) {
	if opts.OutDir == "" {
		return nil, fmt.Errorf("reports: no output directory")
	}
	res, err := LoadResults(labelInputs(opts.Inputs)...)
	if err != nil {
		return nil, err
	}
	if len(res.Results) == 0 && len(res.Failures) == 0 {
		// A run whose every cell failed still deserves a report; a file
		// with neither results nor failures is not benchmark output.
		return nil, fmt.Errorf("reports: no benchmark results or failures in %s", strings.Join(opts.Inputs, ", "))
	}
	cfg := opts.TableConfig(res)
	ts, err := BuildTables(res, cfg)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(opts.OutDir, 0o755); err != nil {
		return nil, err
	}
	plots, err := WritePlots(ts, opts.OutDir)
	if err != nil {
		return nil, err
	}
	profs, err := LoadProfiles(res, opts.profileDirs(res), cfg)
	if err != nil {
		return nil, err
	}
	s := &Summary{
		HTML:     filepath.Join(opts.OutDir, "report.html"),
		Markdown: filepath.Join(opts.OutDir, "report.md"),
		Plots:    plots, Verdicts: Verdicts(ts), Warnings: collectWarnings(res, ts),
		Config: ts.Config, Results: res, Tables: ts, Profiles: profs,
	}
	s.Warnings.Other = append(s.Warnings.Other, profs.Errors...)
	if opts.Gate != nil {
		s.Judgement = Judge(ts, *opts.Gate)
		s.gateHead = opts.Gate.Head
	}
	r := newReport(s, opts.Title, time.Now())
	if err := atomicfile.Write(s.HTML, r.html); err != nil {
		return nil, err
	}
	if err := atomicfile.Write(s.Markdown, r.markdown); err != nil {
		return nil, err
	}
	return s, nil
}

// TableConfig resolves the options' table configuration for res: the
// defaults for Col and Baseline depend on what the results contain.
func (o Options) TableConfig(res *Results) TableConfig {
	cfg := TableConfig{Table: o.Table, Row: o.Row, Col: o.Col, Ignore: o.Ignore,
		Filter: o.Filter, Baseline: o.Baseline, Alpha: o.Alpha}
	if cfg.Col == "" {
		cfg.Col = ".file"
		if res.HasNameKey("impl") {
			cfg.Col = "/impl"
		}
	}
	if cfg.Baseline == "" && cfg.Col == "/impl" && slices.Contains(res.NameKeyValues("impl"), "channel") {
		cfg.Baseline = "channel"
	}
	cfg.setDefaults()
	return cfg
}

func (o Options) profileDirs(res *Results) []string {
	if len(o.ProfileDirs) > 0 {
		return o.ProfileDirs
	}
	if o.ProfileDir != "" {
		return []string{o.ProfileDir}
	}
	var dirs []string
	for _, in := range res.Inputs {
		dirs = append(dirs, profileDirFor(in.Path))
	}
	return dirs
}

// labelInputs labels unlabelled inputs with their base names, when those
// are unique, so columns read "results.txt" rather than a long path.
func labelInputs(inputs []string) []string {
	seen := map[string]int{}
	for _, in := range inputs {
		if !strings.Contains(in, "=") {
			seen[filepath.Base(in)]++
		}
	}
	out := slices.Clone(inputs)
	for i, in := range out {
		if !strings.Contains(in, "=") && seen[filepath.Base(in)] == 1 && filepath.Base(in) != in {
			out[i] = filepath.Base(in) + "=" + in
		}
	}
	return out
}
