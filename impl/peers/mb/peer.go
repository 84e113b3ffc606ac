package mb

import (
	"github.com/batchbench/batchbench/impl/conformance"
	"github.com/batchbench/batchbench/impl/registry"
)

// Why the clauses below fail: what mb does instead.
const (
	bound = "mb's bound counts the items in its buffer only, not the batches the fetcher and workers hold, " +
		"so BatchSize × (Concurrency+1) more Adds return before one blocks"
	fillsBound = "the clause fills the queue to its bound to block an Add; " + bound
	timeLimit  = "mb's time limit counts from the start of each Wait, not from a batch's first item: " +
		"after an idle interval the next item is taken at once"
)

// Peer describes the library and the clauses of the contract the adapter
// does not keep; the conformance suite checks the declaration.
var Peer = registry.Peer{
	Module: "github.com/cheggaaa/mb/v3 v3.0.2",
	Known: conformance.Known{
		"TimerStartsAtFirstItem": {Verdict: conformance.Fails, Why: timeLimit},
		"Backpressure":           {Verdict: conformance.Fails, Why: bound},
		"DefaultBound":           {Verdict: conformance.Fails, Why: bound},
		"ExactBound":             {Verdict: conformance.Fails, Why: bound},
		"AddBlockedAtClose":      {Verdict: conformance.Fails, Why: fillsBound},
		"Goroutines":             {Verdict: conformance.Fails, Why: fillsBound},
	},
}
