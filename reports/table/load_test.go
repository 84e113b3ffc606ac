package table_test

import (
	"testing"

	"github.com/batchbench/batchbench/reports/internal/fixture"
	"github.com/batchbench/batchbench/reports/table"
)

func TestLoadResultsLabels(t *testing.T) {
	p := fixture.ResultsFile(t)
	for _, tc := range []struct {
		args   []string
		labels []string
	}{
		{[]string{p}, []string{p}},
		{[]string{"base=" + p, "head=" + p}, []string{"base", "head"}},
		// benchfmt.Files disambiguates a repeated path with "#N".
		{[]string{p, p}, []string{p + "#0", p + "#1"}},
	} {
		res, err := table.Load(tc.args...)
		if err != nil {
			t.Fatal(err)
		}
		for i, in := range res.Inputs {
			if in.Label != tc.labels[i] || in.Path != p || in.Count != 343 || len(in.Config) != 10 {
				t.Errorf("%v: input %d = %q %q, %d results, %d config lines", tc.args, i, in.Label, in.Path, in.Count, len(in.Config))
			}
		}
		if res.Count != 343*len(tc.args) || len(res.Failures) != 2*len(tc.args) {
			t.Errorf("%v: %d results, %d failures", tc.args, res.Count, len(res.Failures))
		}
	}
}
