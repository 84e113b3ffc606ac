package scenarios_test

import (
	"testing"

	"github.com/batchbench/batchbench/impl/registry"
	"github.com/batchbench/batchbench/scenarios"
)

// The benchmarks run the same table as the harness, one op per item, so
// `go test -bench . ./scenarios` and `benchrun run` name and measure cells
// alike. -short skips each family's heavy cells.

func BenchmarkSize(b *testing.B)        { benchFamily(b, &scenarios.Size) }
func BenchmarkInterval(b *testing.B)    { benchFamily(b, &scenarios.Interval) }
func BenchmarkConcurrency(b *testing.B) { benchFamily(b, &scenarios.Concurrency) }
func BenchmarkMemory(b *testing.B)      { benchFamily(b, &scenarios.Memory) }

func benchFamily(b *testing.B, f *scenarios.Family) {
	for _, c := range scenarios.Cells([]*scenarios.Family{f}, registry.All(), false) {
		name := c.Name()[len(f.Name)+1:]
		b.Run(name, func(b *testing.B) {
			if testing.Short() && isHeavy(c) {
				b.Skip("heavy cell; run without -short")
			}
			b.ReportAllocs()
			e, _ := registry.Lookup(c.Impl)
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

func isHeavy(c scenarios.Cell) bool {
	for _, p := range c.Family.Heavy {
		if p == c.Param {
			return true
		}
	}
	return false
}
