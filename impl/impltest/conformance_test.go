package impltest_test

import (
	"slices"
	"testing"

	"github.com/batchbench/batchbench/impl/impltest"
	"github.com/batchbench/batchbench/impl/peers"
	"github.com/batchbench/batchbench/impl/registry"
)

// TestConformance runs the suite against every registered implementation,
// the peers included, and checks each against its declaration: a clause
// that starts failing, or starts holding, fails the test until the
// declaration beside the implementation says so.
func TestConformance(t *testing.T) {
	peers.Register()
	for _, e := range registry.All() {
		t.Run(e.Name, func(t *testing.T) {
			observed := impltest.Conform(t, e.New, e.Known())
			for _, name := range sortedNames(observed) {
				x := observed[name]
				t.Logf("%s %s: %s", name, x.Verdict, x.Message)
			}
		})
	}
}

func sortedNames[M ~map[string]V, V any](m M) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
