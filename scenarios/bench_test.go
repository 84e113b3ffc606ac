package scenarios_test

import (
	"testing"

	"github.com/batchbench/batchbench/impl/peers"
	"github.com/batchbench/batchbench/impl/registry"
	"github.com/batchbench/batchbench/scenarios"
	"github.com/batchbench/batchbench/scenarios/scenariotest"
)

// The benchmarks run the same table as the harness, one op per item, so
// `go test -bench . ./scenarios` and `benchrun run` name and measure cells
// alike, the peers included. -short skips each family's heavy cells.

func init() { peers.Register() }

func BenchmarkSize(b *testing.B)        { benchFamily(b, &scenarios.Size) }
func BenchmarkInterval(b *testing.B)    { benchFamily(b, &scenarios.Interval) }
func BenchmarkConcurrency(b *testing.B) { benchFamily(b, &scenarios.Concurrency) }
func BenchmarkMemory(b *testing.B)      { benchFamily(b, &scenarios.Memory) }

func benchFamily(b *testing.B, f *scenarios.Family) { scenariotest.Benchmark(b, f, registry.All()) }
