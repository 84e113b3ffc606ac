package impltest

import (
	"testing"

	"github.com/batchbench/batchbench/impl/conformance"
)

// TestSuiteCoversEveryClause: the suite has a test for every clause of
// the matrix, and none besides.
func TestSuiteCoversEveryClause(t *testing.T) {
	for _, c := range conformance.Clauses {
		if suite[c.Name] == nil {
			t.Errorf("clause %s has no test in the suite", c.Name)
		}
	}
	if len(suite) != len(conformance.Clauses) {
		t.Errorf("the suite has %d tests for %d clauses", len(suite), len(conformance.Clauses))
	}
}
