// Package peers registers the adapters of third-party batchers (one
// package each under impl/peers) with impl/registry, so that the
// conformance suite, every scenario, report, compare and profile measure
// them beside batchbench's own implementations.
//
// The packages that enumerate implementations (impl/registry, scenarios,
// harness, reports) never import this one: a program or test that wants
// the peers calls Register, and cmd/benchrun does so first thing, before
// it serves as a worker.
package peers

import (
	"sync"

	"github.com/batchbench/batchbench/impl/peers/bundler"
	"github.com/batchbench/batchbench/impl/peers/mb"
	"github.com/batchbench/batchbench/impl/peers/microbatch"
	"github.com/batchbench/batchbench/impl/peers/rill"
	"github.com/batchbench/batchbench/impl/registry"
)

type Item = registry.Item

var all = []struct {
	name string
	new  registry.Factory
	peer registry.Peer
}{
	{"mb", registry.Of(mb.New[Item]), mb.Peer},
	{"microbatch", registry.Of(microbatch.New[Item]), microbatch.Peer},
	{"bundler", registry.Of(bundler.New[Item]), bundler.Peer},
	{"rill", registry.Of(rill.New[Item]), rill.Peer},
}

var once sync.Once

// Register registers every peer, the first time it is called.
func Register() {
	once.Do(func() {
		for _, p := range all {
			registry.RegisterPeer(p.name, p.new, p.peer)
		}
	})
}
