package impltest_test

import (
	"testing"

	"github.com/batchbench/batchbench/impl/impltest"
	"github.com/batchbench/batchbench/impl/registry"
)

// TestConformance runs the suite against every registered implementation.
func TestConformance(t *testing.T) {
	for _, e := range registry.All() {
		t.Run(e.Name, func(t *testing.T) { impltest.Run(t, e.New) })
	}
}
