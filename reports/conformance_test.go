package reports

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/batchbench/batchbench/impl/conformance"
	"github.com/batchbench/batchbench/reports/internal/fixture"
)

// writeMatrix writes m beside the results in dir, as a run does.
func writeMatrix(t *testing.T, dir string, m *conformance.Matrix) {
	t.Helper()
	f, err := os.Create(filepath.Join(dir, conformance.File))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := m.Write(f); err != nil {
		t.Fatal(err)
	}
}

// The matrix a run wrote beside its results is the report's Conformance
// section, before the Environment: the clauses some column breaks, one
// note per reason, the clauses every column keeps, and the cells left out.
func TestConformanceSection(t *testing.T) {
	dir := harnessDir(t)
	m := conformance.New(conformance.Column{Impl: "mutex"},
		conformance.Column{Impl: "peer", Module: "example.com/peer v1.0.0", Known: conformance.Known{
			"ExactBound":   {Verdict: conformance.Fails, Why: "no bound"},
			"DefaultBound": {Verdict: conformance.Fails, Why: "no bound"},
			"Order":        {Verdict: conformance.DoesNotApply, Why: "unordered"},
		}})
	m.Skipped = []conformance.Skipped{{Cell: "Size/impl=peer/size=10", Reason: "a peer"}, {Cell: "Size/impl=peer/size=100", Reason: "a peer"}}
	writeMatrix(t, dir, m)
	s, err := Generate(Options{Inputs: fixture.Inputs(filepath.Join(dir, "results.txt")), Impls: testImpls, Page: Page{OutDir: t.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	html, md := readString(t, s.HTML), readString(t, s.Markdown)
	if c, e := strings.Index(html, `<h2 id="conformance">`), strings.Index(html, `<h2 id="environment">`); c < 0 || c > e {
		t.Errorf("report.html's conformance section is missing or after the environment")
	}
	mustContain(t, "report.html", html, "mutex 26/26 · peer (example.com/peer v1.0.0) 23/26",
		"<td>✗ 2</td>", "<td>does not apply 1</td>", "<li>peer: no bound</li>",
		"Not run (a peer): <code>Size/impl=peer/size=10</code>, <code>Size/impl=peer/size=100</code>.")
	mustContain(t, "report.md", md, "## Conformance", "| clause | mutex | peer |", "| ExactBound | ✓ | ✗ 2 |",
		"| Order | ✓ | does not apply 1 |", "1. peer: unordered\n2. peer: no bound\n",
		"Every implementation keeps the other clauses: Batches, Timer,",
		"Not run (a peer): `Size/impl=peer/size=10`, `Size/impl=peer/size=100`.")
	if strings.Count(md, "peer: no bound") != 1 {
		t.Errorf("report.md repeats a reason instead of referring to its note")
	}
}

// Without a matrix there is no section; a damaged one is an error naming
// the file.
func TestConformanceMatrixOptionalButChecked(t *testing.T) {
	dir := harnessDir(t)
	s, err := Generate(Options{Inputs: fixture.Inputs(filepath.Join(dir, "results.txt")), Impls: testImpls, Page: Page{OutDir: t.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(readString(t, s.HTML), `id="conformance"`) {
		t.Error("a report without a matrix has a conformance section")
	}
	bad := filepath.Join(dir, conformance.File)
	if err := os.WriteFile(bad, []byte(`{"clauses": [], "columns": [{"impl": "x", "known": {"Order": {"verdict": "fails"}}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Generate(Options{Inputs: fixture.Inputs(filepath.Join(dir, "results.txt")), Impls: testImpls, Page: Page{OutDir: t.TempDir()}})
	if err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("Generate with a damaged matrix: err = %v, want one naming %s", err, bad)
	}
}
