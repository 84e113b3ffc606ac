package rill

import (
	"github.com/batchbench/batchbench/impl/conformance"
	"github.com/batchbench/batchbench/impl/registry"
)

// Why the clauses below fail: what the composition does instead.
const (
	bound = "the bound is the input channel's capacity: the items inside rill.Batch and the " +
		"Processor do not count, so more Adds return before one blocks"
	fillsBound = "the clause fills the queue to its bound to block an Add; " + bound
)

// Peer describes the library and the clauses of the contract the adapter
// does not keep; the conformance suite checks the declaration.
var Peer = registry.Peer{
	Module: "github.com/destel/rill v0.8.1",
	Known: conformance.Known{
		"Backpressure":      {Verdict: conformance.Fails, Why: bound},
		"DefaultBound":      {Verdict: conformance.Fails, Why: bound},
		"ExactBound":        {Verdict: conformance.Fails, Why: bound},
		"AddBlockedAtClose": {Verdict: conformance.Fails, Why: fillsBound},
		"Goroutines":        {Verdict: conformance.Fails, Why: fillsBound},
	},
}
