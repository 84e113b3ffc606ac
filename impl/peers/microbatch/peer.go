package microbatch

import (
	"github.com/batchbench/batchbench/impl/conformance"
	"github.com/batchbench/batchbench/impl/registry"
)

// Why the clauses below fail: what go-microbatch does instead.
const (
	noQueue = "the library has no queue: Submit blocks once a partial batch waits behind the " +
		"MaxConcurrency batches in the processor, far below MaxQueueSize"
	queuesBehind = "the clause queues items behind a held processor, and Submit blocks instead: " + noQueue
)

// Peer describes the library and the clauses of the contract the adapter
// does not keep; the conformance suite checks the declaration.
var Peer = registry.Peer{
	Module: "github.com/joeycumines/go-microbatch v0.1.1",
	Known: conformance.Known{
		"DefaultBound":   {Verdict: conformance.Fails, Why: noQueue},
		"ExactBound":     {Verdict: conformance.Fails, Why: noQueue},
		"Goroutines":     {Verdict: conformance.Fails, Why: queuesBehind},
		"IdleNoCPU":      {Verdict: conformance.Fails, Why: queuesBehind},
		"JoinAfterClose": {Verdict: conformance.Fails, Why: queuesBehind},
		"JoinNoCPU":      {Verdict: conformance.Fails, Why: queuesBehind},
	},
}
