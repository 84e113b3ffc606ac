package reports

import (
	"bytes"
	"encoding/csv"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The in-process tables must agree with the stock benchstat CLI, built from
// the module cache at the version pinned in go.mod.

// buildBenchstat builds the stock CLI at the version pinned in go.mod.
func buildBenchstat(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "benchstat")
	if out, err := exec.Command(goTool, "build", "-o", path, "golang.org/x/perf/cmd/benchstat").CombinedOutput(); err != nil {
		t.Fatalf("building golang.org/x/perf/cmd/benchstat: %v\n%s", err, out)
	}
	return path
}

// cliCell is one cell of benchstat's CSV output.
type cliCell struct {
	center       float64
	ci, delta, p string
	warnings     []string // center and comparison warnings, sorted
}

type cliTable struct {
	group, unit string
	cols        []string
	cells       map[[2]string]*cliCell // (row key, column)
	geoCenter   map[string]float64
	geoRatio    map[string]string
	geoWarnings map[string][]string
}

// csvStartCol mirrors benchstat's CSV layout: a label column, then per
// column <center> <CI> and, after the first, <vs base> <P>.
func csvStartCol(exp int) int {
	if exp == 0 {
		return 1
	}
	return 1 + 2 + (exp-1)*4
}

// csvColName mirrors benchstat's spreadsheet-style warning references.
func csvColName(x int) string {
	var b []byte
	for ; x > 0; x /= 26 {
		b = append([]byte{byte('A' + x%26)}, b...)
	}
	if len(b) == 0 {
		return "A"
	}
	return string(b)
}

// runBenchstatCSV runs the CLI and parses its CSV tables and the warnings
// it writes to stderr ("F18: msg", a cell reference and a message).
func runBenchstatCSV(t *testing.T, benchstat string, args ...string) []*cliTable {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(benchstat, append([]string{"-format", "csv"}, args...)...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("benchstat %v: %v\n%s", args, err, stderr.String())
	}
	warnings := map[string][]string{} // "F18" -> messages
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		if ref, msg, ok := strings.Cut(line, ": "); ok {
			warnings[ref] = append(warnings[ref], msg)
		}
	}
	at := func(line, col int) []string { return warnings[csvColName(col)+strconv.Itoa(line)] }

	r := csv.NewReader(&stdout)
	r.FieldsPerRecord = -1
	var tables []*cliTable
	var cur *cliTable
	group := ""
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		line, _ := r.FieldPos(0)
		switch {
		case len(rec) == 1 && rec[0] == "":
			cur = nil
		case len(rec) == 1:
			if k, v, ok := strings.Cut(rec[0], ": "); ok && k == ".name" {
				group = v
			}
		case rec[0] == "" && len(rec) > 2 && rec[2] == "CI":
			cur.unit = rec[1]
		case rec[0] == "":
			cur = &cliTable{group: group, cells: map[[2]string]*cliCell{},
				geoCenter: map[string]float64{}, geoRatio: map[string]string{}, geoWarnings: map[string][]string{}}
			for exp := 0; csvStartCol(exp) < len(rec); exp++ {
				cur.cols = append(cur.cols, rec[csvStartCol(exp)])
			}
			tables = append(tables, cur)
		case rec[0] == "geomean":
			for exp, col := range cur.cols {
				sc := csvStartCol(exp)
				if sc < len(rec) && rec[sc] != "" {
					cur.geoCenter[col] = mustFloat(t, rec[sc])
				}
				if exp > 0 && sc+2 < len(rec) {
					cur.geoRatio[col] = rec[sc+2]
				}
				cur.geoWarnings[col] = sorted(at(line, sc))
			}
		default:
			for exp, col := range cur.cols {
				sc := csvStartCol(exp)
				if sc >= len(rec) || rec[sc] == "" {
					continue
				}
				c := &cliCell{center: mustFloat(t, rec[sc]), ci: rec[sc+1]}
				c.warnings = append(c.warnings, at(line, sc)...)
				if exp > 0 && sc+3 < len(rec) {
					c.delta, c.p = rec[sc+2], rec[sc+3]
					c.warnings = append(c.warnings, at(line, sc+2)...)
				}
				c.warnings = sorted(c.warnings)
				cur.cells[[2]string{rec[0], col}] = c
			}
		}
	}
	return tables
}

func mustFloat(t *testing.T, s string) float64 {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("parsing %q: %v", s, err)
	}
	return f
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func errStrings(errs []error) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Error())
	}
	return sorted(out)
}

func closeTo(a, b float64) bool {
	return a == b || math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b))
}

// agreement counts what compareWithCLI checked, so a test can insist the
// fixture exercised both verdicts and benchstat's warnings.
type agreement struct{ cells, significant, tilde, warned int }

// compareWithCLI checks every table, cell and geomean of ours against the
// CLI's: same centers, same CI, same delta (which is "~" exactly when not
// significant), same p-value text and the same warnings.
func compareWithCLI(t *testing.T, ours *Tables, cli []*cliTable) agreement {
	t.Helper()
	var a agreement
	if len(ours.Tables) != len(cli) || len(cli) == 0 {
		t.Fatalf("%d tables, benchstat has %d", len(ours.Tables), len(cli))
	}
	for i, ot := range ours.Tables {
		ct := cli[i]
		name := ot.Group + " " + ot.Unit
		if ot.Group != ct.group || ot.Unit != ct.unit {
			t.Fatalf("table %d is %q, benchstat's is %q %q", i, name, ct.group, ct.unit)
		}
		if !slices.Equal(ot.Cols, ct.cols) {
			t.Errorf("%s: columns %q, benchstat %q", name, ot.Cols, ct.cols)
			continue
		}
		n := 0
		for _, row := range ot.Rows {
			for j, c := range row.Cells {
				if c == nil {
					continue
				}
				n++
				cc := ct.cells[[2]string{row.Key, ot.Cols[j]}]
				where := name + " " + row.Key + " " + ot.Cols[j]
				if cc == nil {
					t.Errorf("%s: missing in benchstat output", where)
					continue
				}
				a.cells++
				if !closeTo(c.Summary.Center, cc.center) {
					t.Errorf("%s: center %v, benchstat %v", where, c.Summary.Center, cc.center)
				}
				if c.RangeText() != cc.ci {
					t.Errorf("%s: CI %q, benchstat %q", where, c.RangeText(), cc.ci)
				}
				if c.DeltaText() != cc.delta || c.PText() != cc.p {
					t.Errorf("%s: %q (%s), benchstat %q (%s)", where, c.DeltaText(), c.PText(), cc.delta, cc.p)
				}
				if c.Significant() {
					a.significant++
				} else if c.HasComparison {
					a.tilde++
				}
				if len(cc.warnings) > 0 {
					a.warned++
				}
				if got := errStrings(c.Warnings()); !slices.Equal(got, cc.warnings) {
					t.Errorf("%s: warnings %q, benchstat %q", where, got, cc.warnings)
				}
			}
		}
		if n != len(ct.cells) {
			t.Errorf("%s: %d cells, benchstat %d", name, n, len(ct.cells))
		}
		for j, col := range ot.Cols {
			g := ot.Geomean[j]
			if want, ok := ct.geoCenter[col]; ok != g.HasCenter || (ok && !closeTo(g.Center, want)) {
				t.Errorf("%s geomean %s: %v (%v), benchstat %v (%v)", name, col, g.Center, g.HasCenter, want, ok)
			}
			if j > 0 && g.RatioText() != ct.geoRatio[col] {
				t.Errorf("%s geomean %s: %q, benchstat %q", name, col, g.RatioText(), ct.geoRatio[col])
			}
			if got := errStrings(g.Warnings); !slices.Equal(got, ct.geoWarnings[col]) {
				t.Errorf("%s geomean %s: warnings %q, benchstat %q", name, col, got, ct.geoWarnings[col])
			}
		}
	}
	t.Logf("%d tables agree with benchstat: %+v", len(ours.Tables), a)
	return a
}

func TestTablesMatchBenchstatCLI(t *testing.T) {
	benchstat := buildBenchstat(t)
	synthetic := syntheticFile(t)

	// A second nsxbet file: BatcherEnqueue 20% slower, the parallel one
	// unchanged, so "head" has one significant and one "~" difference.
	slower := filepath.Join(t.TempDir(), "head.txt")
	writeScaled(t, nsxbetFixture, slower, "BenchmarkBatcherEnqueue/", 1.2)

	for _, tc := range []struct {
		name   string
		cfg    TableConfig
		args   []string
		inputs []string
	}{
		{"impl", TableConfig{Col: "/impl"}, []string{"-col", "/impl"}, []string{synthetic}},
		{"impl-fixed-baseline", TableConfig{Col: "/impl", Baseline: "ring"},
			[]string{"-col", "/impl@(ring channel pooled)"}, []string{synthetic}},
		{"impl-by-size-filter", TableConfig{Col: "/impl", Row: "/size", Filter: ".name:Size"},
			[]string{"-col", "/impl", "-row", "/size", "-filter", ".name:Size"}, []string{synthetic}},
		{"nsxbet-batch-size", TableConfig{Col: "/batch_size"}, []string{"-col", "/batch_size"}, []string{nsxbetFixture}},
		{"nsxbet-base-head", TableConfig{Col: ".file", Baseline: "base"}, nil,
			[]string{"base=" + nsxbetFixture, "head=" + slower}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := LoadResults(tc.inputs...)
			if err != nil {
				t.Fatal(err)
			}
			tables, err := BuildTables(res, tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			args := append([]string{"-table", ".name"}, tc.args...)
			if tc.cfg.Row == "" {
				args = append(args, "-row", ".fullname")
			}
			a := compareWithCLI(t, tables, runBenchstatCSV(t, benchstat, append(args, tc.inputs...)...))
			if a.significant == 0 || a.tilde == 0 || a.warned == 0 {
				t.Errorf("fixture too tame: %+v; want significant, \"~\" and warned cells", a)
			}
		})
	}
}

// writeScaled copies a benchmark file, multiplying the ns/op values of
// benchmarks whose line starts with prefix by factor.
func writeScaled(t *testing.T, from, to, prefix string, factor float64) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, prefix) {
			f := strings.Fields(line)
			for i := 1; i < len(f); i++ {
				if f[i] == "ns/op" {
					f[i-1] = strconv.FormatFloat(mustFloat(t, f[i-1])*factor, 'f', 1, 64)
				}
			}
			line = strings.Join(f, "\t")
		}
		out = append(out, line)
	}
	if err := os.WriteFile(to, []byte(strings.Join(out, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
}
