package chanbatcher_test

import (
	"flag"
	"os"
	"testing"

	"example.com/chanbatcher"

	"github.com/batchbench/batchbench/impl/conformance"
	"github.com/batchbench/batchbench/impl/impltest"
	"github.com/batchbench/batchbench/impl/registry"
	"github.com/batchbench/batchbench/scenarios"
	"github.com/batchbench/batchbench/scenarios/scenariotest"
)

// mine is this module's batcher as batchbench's suite and scenarios take
// it; nothing needs registering.
var mine = registry.Entry{Name: "chanbatcher", New: registry.Of(chanbatcher.New[registry.Item])}

// bound is why the clauses that fill the queue fail.
const bound = "the bound is the channel's capacity: the partial batch and the batches in the Processor do not count"

// known declares the clauses chanbatcher breaks, and why: a clause that
// starts failing, or starts holding, fails TestConformance.
var known = conformance.Known{
	"Backpressure":      {Verdict: conformance.Fails, Why: bound},
	"DefaultBound":      {Verdict: conformance.Fails, Why: bound},
	"ExactBound":        {Verdict: conformance.Fails, Why: bound},
	"AddBlockedAtClose": {Verdict: conformance.Fails, Why: "the clause fills the queue to its bound: " + bound},
	"Goroutines":        {Verdict: conformance.Fails, Why: "the clause fills the queue to its bound: " + bound},
}

var matrix = flag.String("matrix", "", "write the observed conformance matrix to this `file`, for benchrun report")

// TestConformance runs batchbench's conformance suite against chanbatcher
// and checks the declaration; with -matrix it writes what it observed.
func TestConformance(t *testing.T) {
	observed := impltest.Conform(t, mine.New, known)
	if *matrix == "" {
		return
	}
	f, err := os.Create(*matrix)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := conformance.New(conformance.Column{Impl: mine.Name, Known: observed}).Write(f); err != nil {
		t.Fatal(err)
	}
}

// The scenario families, for chanbatcher and, to compare with, batchbench's
// mutex: `go test -bench .` names and measures the cells as benchrun does.
func impls() []registry.Entry {
	mutex, _ := registry.Lookup("mutex")
	return []registry.Entry{mutex, mine}
}

func BenchmarkSize(b *testing.B)        { scenariotest.Benchmark(b, &scenarios.Size, impls()) }
func BenchmarkInterval(b *testing.B)    { scenariotest.Benchmark(b, &scenarios.Interval, impls()) }
func BenchmarkConcurrency(b *testing.B) { scenariotest.Benchmark(b, &scenarios.Concurrency, impls()) }
func BenchmarkMemory(b *testing.B)      { scenariotest.Benchmark(b, &scenarios.Memory, impls()) }
