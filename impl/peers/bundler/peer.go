package bundler

import (
	"github.com/batchbench/batchbench/impl/conformance"
	"github.com/batchbench/batchbench/impl/registry"
)

// Why the clause below fails: what the bundler does instead.
const laterItems = "Flush queues the partial bundle, and later items are appended to a queued bundle " +
	"until a handler takes it, so the Join waits for them too"

// Peer describes the library and the clauses of the contract the adapter
// does not keep; the conformance suite checks the declaration.
var Peer = registry.Peer{
	Module: "google.golang.org/api v0.316.0",
	Known: conformance.Known{
		"JoinIgnoresLaterAdds": {Verdict: conformance.Fails, Why: laterItems},
	},
}
