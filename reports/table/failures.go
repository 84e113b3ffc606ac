package table

import (
	"bufio"
	"os"
	"regexp"
	"strings"
)

// Failure is a benchmark that go test (or the harness) reported as failed.
type Failure struct {
	Input     string // label of the input file
	Benchmark string // e.g. "BenchmarkSize/impl=ring/size=1000"
	Reason    string // the indented lines after the FAIL line, joined by "; "
	// SelfCheck is set when a reason line starts with "self-check:": the
	// cell did not run what its name claims.
	SelfCheck bool
}

// failLine matches go test's "--- FAIL: BenchmarkX" (tests add " (0.00s)").
var failLine = regexp.MustCompile(`^--- FAIL: (\S+)`)

// srcPrefix is the "file_test.go:12: " prefix t.Errorf adds to reasons.
var srcPrefix = regexp.MustCompile(`^[\w.-]+\.go:\d+: `)

// scanFailures finds go test's failure blocks in a benchmark output file:
// a "--- FAIL: name" line followed by indented reason lines. benchfmt skips
// these lines, so this is a plain line scan of go test's format.
func scanFailures(path string) ([]Failure, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()

	var out []Failure
	var cur *Failure
	var reasons []string
	flush := func() {
		if cur != nil {
			cur.Reason = strings.Join(reasons, "; ")
			out = append(out, *cur)
		}
		cur, reasons = nil, nil
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if m := failLine.FindStringSubmatch(line); m != nil {
			flush()
			cur = &Failure{Benchmark: m[1]}
			continue
		}
		if cur == nil {
			continue
		}
		if line == "" || (line[0] != ' ' && line[0] != '\t') {
			flush()
			continue
		}
		reason := srcPrefix.ReplaceAllString(strings.TrimSpace(line), "")
		if strings.HasPrefix(reason, "self-check:") {
			cur.SelfCheck = true
		}
		reasons = append(reasons, reason)
	}
	flush()
	return out, sc.Err()
}
