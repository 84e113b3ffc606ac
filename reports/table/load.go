package table

import (
	"fmt"
	"math"
	"os"
	"slices"
	"strings"

	"golang.org/x/perf/benchfmt"

	"github.com/batchbench/batchbench/internal/runconfig"
)

// Results describes a set of benchmark files: what they hold, without
// keeping their result lines, so memory stays bounded by the number of
// distinct cells and not the length of the files. Build reads the files
// again to fill its tables.
type Results struct {
	// Inputs describes each input file, in the order given.
	Inputs []Input
	// Count is the number of usable results read, over all inputs.
	Count int
	// Configs are the distinct file configurations, in order of first
	// appearance: a file with two "pkg:" blocks has two.
	Configs []Configuration
	// Units is the accumulated Unit metadata (assume=, better=).
	Units benchfmt.UnitMetadataMap
	// Failures are the failed cells, found by a line scan because
	// benchfmt skips go test's "--- FAIL:" lines.
	Failures []Failure
	// SyntaxErrors are benchfmt's non-fatal parse errors, "file:line: msg".
	SyntaxErrors []string
	// Excluded are results left out because a value is not a number a
	// benchmark can measure (NaN, infinite, or negative in a unit that
	// cannot be), "file:line: why".
	Excluded []string

	nameKeys  map[string][]string // sub-name key -> values, in order of appearance
	nameKnown map[string]bool     // "key=value" and full names seen
	names     []string            // distinct full names, in order of appearance
}

// ConfigValue returns the value of key in the input's (first)
// configuration, "" if absent.
func (in Input) ConfigValue(key string) string { return configValue(in.Config, key) }

// Configuration is one distinct file configuration of one input.
type Configuration struct {
	Input   string       // the input's label
	Lines   []ConfigLine // in file order
	Results int          // how many results carry it
}

// ConfigLine is one "key: value" configuration line.
type ConfigLine struct {
	Key, Value string
}

// Value returns the value of key in the configuration, "" if absent.
func (c Configuration) Value(key string) string { return configValue(c.Lines, key) }

// Input is one benchmark file and the column it belongs to. A caller
// names the file and, optionally, the label; Load fills in the rest.
type Input struct {
	// Label is the ".file" value. Empty means the path, with "#N"
	// appended when the same unlabelled path is given more than once, as
	// benchfmt.Files does; several inputs may share a label (the shards
	// of one run), and their results then pool in one column.
	Label string
	Path  string
	// Config is the file configuration of the file's first result; see
	// Results.Configs for all of them. Empty when the file has no results.
	Config []ConfigLine
	// Count is the number of results read from the file.
	Count int
}

// ParseInput reads benchstat's "label=path" syntax: the label is what
// comes before the first "=". A string without one is a path.
func ParseInput(s string) Input {
	if label, path, ok := strings.Cut(s, "="); ok {
		return Input{Label: label, Path: path}
	}
	return Input{Path: s}
}

// String is the input in benchstat's syntax: "label=path", or the path
// alone when the label is the path.
func (in Input) String() string {
	if in.Label == "" || in.Label == in.Path {
		return in.Path
	}
	return in.Label + "=" + in.Path
}

// labelled returns the inputs with their labels resolved.
func labelled(inputs []Input) []Input {
	count := map[string]int{}
	ins := make([]Input, len(inputs))
	for i, in := range inputs {
		ins[i] = Input{Label: in.Label, Path: in.Path}
		if in.Label == "" {
			count[in.Path]++
		}
	}
	next := map[string]int{}
	for i, in := range ins {
		switch {
		case in.Label != "":
		case count[in.Path] > 1:
			ins[i].Label = fmt.Sprintf("%s#%d", in.Path, next[in.Path])
			next[in.Path]++
		default:
			ins[i].Label = in.Path
		}
	}
	return ins
}

// Load reads the benchmark files. Syntax errors in a file are collected,
// not fatal; unreadable files are.
func Load(inputs ...Input) (*Results, error) {
	if len(inputs) == 0 {
		return nil, fmt.Errorf("no input files")
	}
	res := &Results{nameKeys: map[string][]string{}, nameKnown: map[string]bool{}}
	res.Inputs = labelled(inputs)
	configs := map[string]int{} // label and config lines -> index in res.Configs

	units, err := res.scan(true, func(i int, r *benchfmt.Result) {
		res.Count++
		res.noteNameKeys(r.Name)
		in := &res.Inputs[i]
		lines := fileConfig(r)
		id := configID(in.Label, lines)
		ci, ok := configs[id]
		if !ok {
			ci = len(res.Configs)
			configs[id] = ci
			res.Configs = append(res.Configs, Configuration{Input: in.Label, Lines: lines})
		}
		res.Configs[ci].Results++
		if in.Count == 0 {
			in.Config = lines
		}
		in.Count++
	})
	if err != nil {
		return nil, err
	}
	res.Units = units

	for _, in := range res.Inputs {
		fails, err := scanFailures(in.Path)
		if err != nil {
			return nil, err
		}
		for i := range fails {
			fails[i].Input = in.Label
		}
		res.Failures = append(res.Failures, fails...)
	}
	return res, nil
}

// scan reads the inputs once, in order, calling use with the index of
// the input and each usable result (the reader reuses the result: use
// must copy what it keeps), and, on the first scan, records syntax errors
// and excluded results. It returns the Unit metadata, which carries
// across files as in benchfmt.Files.
func (res *Results) scan(first bool, use func(input int, r *benchfmt.Result)) (benchfmt.UnitMetadataMap, error) {
	var r benchfmt.Reader
	for i, in := range res.Inputs {
		f, err := os.Open(in.Path)
		if err != nil {
			return nil, err
		}
		// ".file" is not valid syntax for a key in the file itself, so
		// no line of it can change the label.
		r.Reset(f, in.Path, ".file", in.Label)
		for r.Scan() {
			switch rec := r.Result().(type) {
			case *benchfmt.SyntaxError:
				if first {
					res.SyntaxErrors = append(res.SyntaxErrors, rec.Error())
				}
			case *benchfmt.Result:
				if why := invalidValue(rec); why != "" {
					if first {
						file, line := rec.Pos()
						res.Excluded = append(res.Excluded, fmt.Sprintf("%s:%d: Benchmark%s: %s", file, line, rec.Name, why))
					}
					continue
				}
				use(i, rec)
			}
		}
		f.Close()
		if err := r.Err(); err != nil {
			return nil, err
		}
	}
	return r.Units(), nil
}

// noteNameKeys records the name and its key=value parts.
func (res *Results) noteNameKeys(name benchfmt.Name) {
	if full := "\x00" + string(name); !res.nameKnown[full] {
		res.nameKnown[full] = true
		res.names = append(res.names, full[1:])
	}
	for _, p := range nameParams(name) {
		kv := p.Key + "=" + p.Value
		if !res.nameKnown[kv] {
			res.nameKnown[kv] = true
			res.nameKeys[p.Key] = append(res.nameKeys[p.Key], p.Value)
		}
	}
}

// invalidValue says why a result cannot be used, or "".
func invalidValue(r *benchfmt.Result) string {
	for _, v := range r.Values {
		switch {
		case math.IsNaN(v.Value) || math.IsInf(v.Value, 0):
			return fmt.Sprintf("%v %s is not a finite number", v.Value, v.OrigUnit)
		case v.Value < 0 && nonNegative(v.Unit):
			return fmt.Sprintf("%v %s is negative", v.OrigValue, v.OrigUnit)
		}
	}
	return ""
}

// nonNegative reports whether a tidied unit measures something that
// cannot be negative: time and bytes, anything per op or per second, and
// peaks.
func nonNegative(unit string) bool {
	return strings.HasSuffix(unit, "/op") || strings.HasSuffix(unit, "/s") || strings.Contains(unit, "sec") ||
		unit == "B" || strings.HasSuffix(unit, "-B") || strings.HasPrefix(unit, "peak-")
}

func configID(label string, lines []ConfigLine) string {
	var b strings.Builder
	b.WriteString(label)
	for _, l := range lines {
		fmt.Fprintf(&b, "\x00%s\x00%s", l.Key, l.Value)
	}
	return b.String()
}

// fileConfig is a result's file configuration, without the harness's
// per-result keys (runconfig.PerResult), which tell one result from the
// next and would make every result a configuration of its own.
func fileConfig(r *benchfmt.Result) []ConfigLine {
	var out []ConfigLine
	for _, c := range r.Config {
		if c.File && !slices.Contains(runconfig.PerResult, c.Key) {
			out = append(out, ConfigLine{c.Key, string(c.Value)})
		}
	}
	return out
}

// Labels returns the distinct input labels, in order.
func (r *Results) Labels() []string {
	var out []string
	for _, in := range r.Inputs {
		if !slices.Contains(out, in.Label) {
			out = append(out, in.Label)
		}
	}
	return out
}

// HasConfigKey reports whether any configuration has key, e.g. "harness"
// for the batchbench harness's results.
func (r *Results) HasConfigKey(key string) bool {
	for _, c := range r.Configs {
		for _, l := range c.Lines {
			if l.Key == key {
				return true
			}
		}
	}
	return false
}

// NameKeyValues returns the distinct values of a sub-name key, e.g. the
// implementations of "impl" in "BenchmarkSize/impl=ring/size=10", in order
// of first appearance.
func (r *Results) NameKeyValues(key string) []string { return r.nameKeys[key] }

// Names returns the distinct benchmark names, without "Benchmark", as
// the files spell them (with any -GOMAXPROCS suffix), in order.
func (r *Results) Names() []string { return r.names }

// Param is one key=value part of a benchmark name.
type Param struct {
	Key, Value string
}

// nameParams returns the key=value parts of a benchmark name, without the
// GOMAXPROCS suffix. Parts that are not key=value are skipped.
func nameParams(name benchfmt.Name) []Param {
	_, parts := name.Parts()
	var out []Param
	for _, part := range parts {
		s := string(part)
		if !strings.HasPrefix(s, "/") {
			continue // "-N" GOMAXPROCS
		}
		if k, v, ok := strings.Cut(s[1:], "="); ok {
			out = append(out, Param{k, v})
		}
	}
	return out
}
