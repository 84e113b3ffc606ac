package impltest

import (
	"runtime"
	"strings"
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

// parkedForTheDump blocks until release closes: a goroutine for
// goroutines to find.
func parkedForTheDump(release <-chan struct{}) { <-release }

// TestGoroutinesNamesWhereAHangIs: the dump a timed-out within logs holds
// the stack of the goroutine that hangs.
func TestGoroutinesNamesWhereAHangIs(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	parked := make(chan struct{})
	go func() {
		close(parked)
		parkedForTheDump(release)
	}()
	<-parked
	for range 100 {
		if strings.Contains(string(goroutines()), "impltest.parkedForTheDump") {
			return
		}
		runtime.Gosched()
	}
	t.Errorf("the dump does not show the parked goroutine:\n%s", goroutines())
}
