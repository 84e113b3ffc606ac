package table_test

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/batchbench/batchbench/internal/runconfig"
	"github.com/batchbench/batchbench/reports/internal/fixture"
	"github.com/batchbench/batchbench/reports/table"
)

// TestTablesMatchBenchstatCLI builds tables in-process and with the stock
// benchstat on the same command line (table, row, col, ignore and filter
// from the same Config) and insists on the same tables, configurations,
// cells, p-values, geomeans and warnings.
func TestTablesMatchBenchstatCLI(t *testing.T) {
	benchstat := fixture.BuildBenchstat(t)
	synthetic := fixture.ResultsFile(t)
	dir := t.TempDir()

	// A second nsxbet file: BatcherEnqueue 20% slower, the parallel one
	// unchanged, so "head" has one significant and one "~" difference.
	slower := filepath.Join(dir, "head.txt")
	fixture.WriteScaled(t, fixture.Nsxbet, slower, "BenchmarkBatcherEnqueue/", 1.2)

	// One benchmark name in two packages: +12% in b only. Pooling the
	// packages would hide it; benchstat keeps one table per package.
	twoPkg := func(name string, b float64) string {
		var s strings.Builder
		for _, pkg := range []struct {
			name string
			ns   float64
		}{{"example.com/a", 100}, {"example.com/b", 500 * b}} {
			s.WriteString("pkg: " + pkg.name + "\n")
			for i := range 10 {
				s.WriteString("BenchmarkX-2 1000 " + strconv.FormatFloat(pkg.ns*(1+float64(i%5)/500), 'f', 3, 64) + " ns/op\n")
			}
		}
		return fixture.WriteFile(t, dir, name, s.String())
	}
	pkgBase, pkgHead := twoPkg("pkg-base.txt", 1), twoPkg("pkg-head.txt", 1.12)
	// The same benchmark measured on two platforms: never compared.
	linux := fixture.WriteFile(t, dir, "linux.txt", "goos: linux\ngoarch: amd64\nBenchmarkX 1 100 ns/op\nBenchmarkX 1 101 ns/op\n")
	darwin := fixture.WriteFile(t, dir, "darwin.txt", "goos: darwin\ngoarch: arm64\nBenchmarkX 1 50 ns/op\nBenchmarkX 1 51 ns/op\n")
	harnessTable := table.Config{Table: ".config,.name", Col: "/impl", Ignore: strings.Join(runconfig.PerRun, ",")}

	for _, tc := range []struct {
		name   string
		cfg    table.Config
		col    string // -col for the CLI when it differs (a fixed order puts the baseline first)
		inputs []string
		tame   bool // need not show significant, "~" and warned cells
	}{
		{name: "harness-default", cfg: harnessTable, inputs: []string{synthetic}},
		{name: "impl-fixed-baseline", cfg: table.Config{Table: ".name", Col: "/impl", Baseline: "ring"},
			col: "/impl@(ring channel pooled)", inputs: []string{synthetic}},
		{name: "impl-by-size-filter", cfg: table.Config{Table: ".name", Col: "/impl", Row: "/size", Filter: ".name:Size"}, inputs: []string{synthetic}},
		{name: "nsxbet-batch-size", cfg: table.Config{Col: "/batch_size"}, inputs: []string{fixture.Nsxbet}, tame: true},
		{name: "nsxbet-base-head", cfg: table.Config{Col: ".file", Baseline: "base"}, inputs: []string{"base=" + fixture.Nsxbet, "head=" + slower}},
		{name: "two-packages", inputs: []string{pkgBase, pkgHead}, tame: true},
		{name: "two-platforms", inputs: []string{linux, darwin}, tame: true},
		{name: "perf-old-new", inputs: []string{fixture.PerfTestdata(t, "old.txt"), fixture.PerfTestdata(t, "new.txt")}, tame: true},
		{name: "perf-crc", inputs: []string{fixture.PerfTestdata(t, "crc-old.txt"), fixture.PerfTestdata(t, "crc-new.txt")}, tame: true},
		{name: "perf-notes", inputs: []string{fixture.PerfTestdata(t, "issue19565.txt")}, tame: true},
		{name: "perf-units", inputs: []string{fixture.PerfTestdata(t, "units.txt")}, tame: true},
		{name: "perf-zero", inputs: []string{fixture.PerfTestdata(t, "zero.txt")}, tame: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := table.Load(fixture.Inputs(tc.inputs...)...)
			if err != nil {
				t.Fatal(err)
			}
			tables, err := table.Build(res, tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			c := tables.Config
			col := c.Col
			if tc.col != "" {
				col = tc.col
			}
			args := []string{"-table", c.Table, "-row", c.Row, "-col", col, "-filter", c.Filter}
			if c.Ignore != "" {
				args = append(args, "-ignore", c.Ignore)
			}
			a := fixture.CompareWithCLI(t, tables, fixture.RunBenchstat(t, benchstat, append(args, tc.inputs...)...))
			if !tc.tame && (a.Significant == 0 || a.Tilde == 0 || a.Warned == 0) {
				t.Errorf("fixture too tame: %+v; want significant, \"~\" and warned cells", a)
			}
		})
	}
}
