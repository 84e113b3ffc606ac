package reports

import (
	"fmt"
	"strings"

	"golang.org/x/perf/benchfmt"
)

// Results is everything read from a set of benchmark files.
type Results struct {
	// Inputs describes each input file, in the order given.
	Inputs []Input
	// Results holds every benchmark result, in input order. Each is a
	// private copy; its ".file" config is its input's label.
	Results []*benchfmt.Result
	// Units is the accumulated Unit metadata (assume=, better=).
	Units benchfmt.UnitMetadataMap
	// Failures are the failed cells, found by a line scan because
	// benchfmt skips go test's "--- FAIL:" lines.
	Failures []Failure
	// SyntaxErrors are benchfmt's non-fatal parse errors, "file:line: msg".
	SyntaxErrors []string
}

// Input is one benchmark file.
type Input struct {
	Label string // the ".file" value: the label of "label=path", else the path
	Path  string
	// Config is the file-level configuration (goos, cpu, commit, ...) of
	// the file's first result, in file order. It is empty when the file
	// holds no results.
	Config []ConfigLine
	// Count is the number of results read from the file.
	Count int
}

// ConfigLine is one "key: value" configuration line.
type ConfigLine struct {
	Key, Value string
}

// inputLabels parses benchstat's "label=path" input syntax and labels the
// rest as benchfmt.Files does: by path, with "#N" appended when the same
// unlabelled path is given more than once.
func inputLabels(args []string) []Input {
	count := map[string]int{}
	var ins []Input
	for _, arg := range args {
		in := Input{Label: arg, Path: arg}
		if label, path, ok := strings.Cut(arg, "="); ok {
			in.Label, in.Path = label, path
		} else {
			count[arg]++
		}
		ins = append(ins, in)
	}
	next := map[string]int{}
	for i, in := range ins {
		if in.Label == in.Path && count[in.Path] > 1 {
			ins[i].Label = fmt.Sprintf("%s#%d", in.Path, next[in.Path])
			next[in.Path]++
		}
	}
	return ins
}

// LoadResults reads the benchmark files. Each argument is a path or, as in
// benchstat, "label=path", where label becomes the ".file" key. Syntax
// errors in a file are collected, not fatal; unreadable files are.
func LoadResults(inputs ...string) (*Results, error) {
	if len(inputs) == 0 {
		return nil, fmt.Errorf("reports: no input files")
	}
	res := &Results{}
	byLabel := make(map[string]int)
	for _, in := range inputLabels(inputs) {
		byLabel[in.Label] = len(res.Inputs)
		res.Inputs = append(res.Inputs, in)
	}

	files := benchfmt.Files{Paths: inputs, AllowLabels: true}
	for files.Scan() {
		switch rec := files.Result().(type) {
		case *benchfmt.SyntaxError:
			res.SyntaxErrors = append(res.SyntaxErrors, rec.Error())
		case *benchfmt.Result:
			r := rec.Clone() // the reader reuses rec
			res.Results = append(res.Results, r)
			in, ok := byLabel[r.GetConfig(".file")]
			if !ok {
				continue
			}
			if res.Inputs[in].Count == 0 {
				res.Inputs[in].Config = fileConfig(r)
			}
			res.Inputs[in].Count++
		}
	}
	if err := files.Err(); err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	res.Units = files.Units()

	for _, in := range res.Inputs {
		fails, err := ScanFailures(in.Path)
		if err != nil {
			return nil, fmt.Errorf("reports: %w", err)
		}
		for i := range fails {
			fails[i].Input = in.Label
		}
		res.Failures = append(res.Failures, fails...)
	}
	return res, nil
}

func fileConfig(r *benchfmt.Result) []ConfigLine {
	var out []ConfigLine
	for _, c := range r.Config {
		if c.File {
			out = append(out, ConfigLine{c.Key, string(c.Value)})
		}
	}
	return out
}

// HasNameKey reports whether any result's name has the sub-name key, e.g.
// "impl" for "BenchmarkSize/impl=ring/size=10".
func (r *Results) HasNameKey(key string) bool {
	return len(r.NameKeyValues(key)) > 0
}

// NameKeyValues returns the distinct values of a sub-name key, in order of
// first appearance.
func (r *Results) NameKeyValues(key string) []string {
	seen := make(map[string]bool)
	var out []string
	for _, res := range r.Results {
		if v, ok := nameKey(res.Name, key); ok && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// nameKey returns the value of key in a name's key=value parts.
func nameKey(name benchfmt.Name, key string) (string, bool) {
	for _, p := range nameParams(name) {
		if p.Key == key {
			return p.Value, true
		}
	}
	return "", false
}

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
