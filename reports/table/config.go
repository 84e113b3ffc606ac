package table

import (
	"fmt"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"
	"golang.org/x/perf/benchproc"
)

// Config says how results become comparison tables. Table, Row, Col,
// Ignore and Filter use benchproc's syntax, exactly like benchstat's flags
// of the same names (see golang.org/x/perf/benchproc/syntax): "/impl" is a
// sub-name key, ".file" the input label, ".name" the benchmark name,
// ".config" every file configuration key not mentioned elsewhere, and a
// bare word such as "commit" one file configuration key.
type Config struct {
	Table string // default ".config", as benchstat
	Row   string // default ".fullname" (keys used by Table and Col are removed from it)
	Col   string // default ".file"
	// Ignore lists keys whose variation is ignored: they leave ".config"
	// and never split a table or warn, as with benchstat's -ignore.
	Ignore string
	Filter string // default "*"
	// Baseline is the column every other column is compared with, by its
	// value (e.g. "channel" or "base"). Empty means the first column, as in
	// benchstat. A table without the baseline falls back to its first
	// column and says so in Table.Warnings.
	Baseline   string
	Alpha      float64 // significance level; default 0.05
	Confidence float64 // confidence level of the intervals; default DefaultConfidence
}

// DefaultConfidence is the level of every interval a report shows unless
// its reader asks for another: benchstat's -confidence default.
const DefaultConfidence = 0.95

// WithDefaults returns c with benchstat's defaults for unset fields.
func (c Config) WithDefaults() Config {
	if c.Table == "" {
		c.Table = ".config"
	}
	if c.Row == "" {
		c.Row = ".fullname"
	}
	if c.Col == "" {
		c.Col = ".file"
	}
	if c.Filter == "" {
		c.Filter = "*"
	}
	if c.Alpha == 0 {
		c.Alpha = benchmath.DefaultThresholds.CompareAlpha
	}
	if c.Confidence == 0 {
		c.Confidence = DefaultConfidence
	}
	return c
}

// Check reports whether the projections, the filter and the levels are
// valid, naming the field at fault in the error.
func (c Config) Check() error {
	c = c.WithDefaults()
	if _, err := benchproc.NewFilter(c.Filter); err != nil {
		return fmt.Errorf("filter %q: %w", c.Filter, err)
	}
	if _, err := c.parse(nil, true); err != nil {
		return err
	}
	if !(c.Alpha > 0 && c.Alpha < 1) {
		return fmt.Errorf("alpha must be between 0 and 1, got %v", c.Alpha)
	}
	if !(c.Confidence > 0 && c.Confidence < 1) {
		return fmt.Errorf("confidence must be between 0 and 1, got %v", c.Confidence)
	}
	return nil
}

// projections are a Config's parsed projections.
type projections struct {
	table, row, col, residue *benchproc.Projection
}

// parse parses the configuration's projections, the table one with a unit
// dimension (one table per unit) if withUnit, as benchstat does.
func (c Config) parse(filter *benchproc.Filter, withUnit bool) (*projections, error) {
	var parser benchproc.ProjectionParser
	var p projections
	var err error
	if withUnit {
		p.table, _, err = parser.ParseWithUnit(c.Table, filter)
	} else {
		p.table, err = parser.Parse(c.Table, filter)
	}
	if err != nil {
		return nil, fmt.Errorf("table projection %q: %w", c.Table, err)
	}
	if p.row, err = parser.Parse(c.Row, filter); err != nil {
		return nil, fmt.Errorf("row projection %q: %w", c.Row, err)
	}
	if p.col, err = parser.Parse(c.Col, filter); err != nil {
		return nil, fmt.Errorf("column projection %q: %w", c.Col, err)
	}
	if _, err := parser.Parse(c.Ignore, filter); err != nil {
		return nil, fmt.Errorf("ignored keys %q: %w", c.Ignore, err)
	}
	p.residue = parser.Residue()
	return &p, nil
}

// A Locator places a benchmark of an input where the tables put it, for
// material that is not a result line (profiles of a cell).
type Locator struct {
	p *projections
}

// Place is where a benchmark sits in the tables.
type Place struct {
	Config     []ConfigLine
	Group, Row string // Row as Row.Label shows it
	Col        string
}

// Section matches Table.Section of the tables the place belongs to.
func (p Place) Section() string { return sectionID(p.Config, p.Group) }

// Locator returns a Locator for the configuration's projections.
func (c Config) Locator() (*Locator, error) {
	p, err := c.WithDefaults().parse(nil, false)
	if err != nil {
		return nil, err
	}
	return &Locator{p}, nil
}

// Locate places the benchmark (named as go test prints it, "Benchmark"
// prefix optional) as if it were a result of in with in's first
// configuration.
func (l *Locator) Locate(in Input, benchmark string) Place {
	r := &benchfmt.Result{Name: benchfmt.Name(trimBenchmark(benchmark))}
	for _, c := range in.Config {
		r.Config = append(r.Config, benchfmt.Config{Key: c.Key, Value: []byte(c.Value), File: true})
	}
	r.Config = append(r.Config, benchfmt.Config{Key: ".file", Value: []byte(in.Label)})
	tk := l.p.table.Project(r)
	return Place{
		Config: keyConfig(tk), Group: groupLabel(tk),
		Row: tidyRowLabel(l.p.row.Project(r).StringValues()),
		Col: l.p.col.Project(r).StringValues(),
	}
}

func trimBenchmark(name string) string {
	if len(name) > len("Benchmark") && name[:len("Benchmark")] == "Benchmark" {
		return name[len("Benchmark"):]
	}
	return name
}
