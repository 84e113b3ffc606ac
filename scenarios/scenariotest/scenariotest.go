// Package scenariotest runs the scenario families as `go test` benchmarks,
// under the harness's names (BenchmarkSize/impl=ring/size=1000), for any
// implementations: batchbench's own benchmarks use it, and so can a module
// of its own for its batcher, beside batchbench's for comparison.
package scenariotest

import (
	"slices"
	"testing"

	"github.com/batchbench/batchbench/impl/registry"
	"github.com/batchbench/batchbench/scenarios"
)

// Benchmark runs every cell of family f's grid for impls, as
// sub-benchmarks named impl=NAME/key=value; one op is one item, and the
// family's metrics are reported beside sec/op. Under -short the family's
// heavy cells are skipped. A cell that fails its self-check fails its
// benchmark.
func Benchmark(b *testing.B, f *scenarios.Family, impls []registry.Entry) {
	for _, c := range scenarios.Cells([]*scenarios.Family{f}, impls, false) {
		e := impls[slices.IndexFunc(impls, func(e registry.Entry) bool { return e.Name == c.Impl })]
		b.Run(c.Name()[len(f.Name)+1:], func(b *testing.B) {
			if testing.Short() && slices.Contains(f.Heavy, c.Param) {
				b.Skip("heavy cell; run without -short")
			}
			b.ReportAllocs()
			m, err := scenarios.Run(c, e.New, b.N)
			if err != nil {
				b.Fatal(err)
			}
			for _, metric := range f.Metrics {
				b.ReportMetric(metric.Value(m), metric.Unit)
			}
		})
	}
}
