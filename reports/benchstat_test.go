package reports

import (
	"path/filepath"
	"testing"

	"github.com/batchbench/batchbench/reports/internal/fixture"
)

// TestForeignDefaultsMatchBenchstat renders foreign files with the
// report's defaults and runs the stock benchstat on the same files with
// its defaults: the tables, their configurations, the geomeans and the
// warnings must be the same, so `benchrun report -in F` says what
// `benchstat F` says.
func TestForeignDefaultsMatchBenchstat(t *testing.T) {
	benchstat := fixture.BuildBenchstat(t)
	dir := t.TempDir()
	slower := filepath.Join(dir, "slower.txt")
	fixture.WriteScaled(t, fixture.Nsxbet, slower, "BenchmarkBatcherEnqueue/", 1.2)
	for name, inputs := range map[string][]string{
		"nsxbet":       {fixture.Nsxbet},
		"nsxbet-pair":  {fixture.Nsxbet, slower},
		"perf-old-new": {fixture.PerfTestdata(t, "old.txt"), fixture.PerfTestdata(t, "new.txt")},
		"perf-crc":     {fixture.PerfTestdata(t, "crc-old.txt"), fixture.PerfTestdata(t, "crc-new.txt")},
		"perf-notes":   {fixture.PerfTestdata(t, "issue19634.txt")},
	} {
		t.Run(name, func(t *testing.T) {
			s, err := Generate(Options{Inputs: fixture.Inputs(inputs...), Impls: testImpls, Page: Page{OutDir: t.TempDir()}})
			if err != nil {
				t.Fatal(err)
			}
			a := fixture.CompareWithCLI(t, s.Tables, fixture.RunBenchstat(t, benchstat, inputs...))
			if a.Cells == 0 {
				t.Error("nothing compared")
			}
		})
	}
}
