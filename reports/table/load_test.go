package table_test

import (
	"os"
	"path/filepath"
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
		res, err := table.Load(fixture.Inputs(tc.args...)...)
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

// A typed input is never split again: a directory whose name contains
// "=" is a path, labelled by itself, where benchstat's "label=path"
// string would have cut it in two.
func TestLoadPathWithEquals(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run=2", "x=y")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "results.txt")
	fixture.WriteResults(t, p)
	res, err := table.Load(table.Input{Path: p}, table.Input{Label: "head", Path: p})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Labels(); len(got) != 2 || got[0] != p || got[1] != "head" || res.Inputs[0].Count != 343 {
		t.Errorf("labels %q, first input %d results; want %q and head, 343 results", got, res.Inputs[0].Count, p)
	}
	if in := table.ParseInput("head=" + p); in.Label != "head" || in.Path != p || in.String() != "head="+p {
		t.Errorf("ParseInput(head=%s) = %+v (%s)", p, in, in)
	}
	if in := (table.Input{Path: p}); in.String() != p {
		t.Errorf("an unlabelled input prints as %q, want the path", in)
	}
}
