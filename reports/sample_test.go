package reports

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/batchbench/batchbench/reports/internal/fixture"
)

// TestRenderSample renders the synthetic fixture, with real profiles, into
// $REPORTS_SAMPLE_DIR/impl-report and the foreign nsxbet fixture into
// $REPORTS_SAMPLE_DIR/nsx-report, for looking at the reports in a browser
// (the inputs go to impl-input). It is skipped when that is unset.
func TestRenderSample(t *testing.T) {
	out := os.Getenv("REPORTS_SAMPLE_DIR")
	if out == "" {
		t.Skip("REPORTS_SAMPLE_DIR not set")
	}
	in := filepath.Join(out, "impl-input")
	if err := os.MkdirAll(in, 0o755); err != nil {
		t.Fatal(err)
	}
	fixture.WriteResults(t, filepath.Join(in, "results.txt"))
	fixture.WriteProfiles(t, in)
	for _, c := range []Options{
		{Inputs: fixture.Inputs(filepath.Join(in, "results.txt")), Impls: testImpls, Page: Page{OutDir: filepath.Join(out, "impl-report"), Title: "batchbench (synthetic sample)"}},
		{Inputs: fixture.Inputs(fixture.Nsxbet), Page: Page{OutDir: filepath.Join(out, "nsx-report"), Title: "NSXBet batcher enqueue"}},
	} {
		s, err := Generate(c)
		if err != nil {
			t.Fatal(err)
		}
		t.Log(s.Text())
	}
}
