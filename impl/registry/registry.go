// Package registry names the batcher implementations, so that the conformance
// suite, the scenarios, the harness and the reports can enumerate them.
//
// Adding an implementation takes one package under impl/ and one line in
// builtin below; everything downstream picks it up by name.
package registry

import (
	"fmt"
	"regexp"
	"slices"
	"sync"

	"github.com/batchbench/batchbench/impl"
	"github.com/batchbench/batchbench/impl/channel"
	"github.com/batchbench/batchbench/impl/conformance"
	"github.com/batchbench/batchbench/impl/mutex"
	"github.com/batchbench/batchbench/impl/pooled"
	"github.com/batchbench/batchbench/impl/ring"
)

// Item is the element type the harness and the conformance suite batch: an
// int64 carries an item id or a nanosecond timestamp without allocation.
type Item = int64

// Factory constructs a started Batcher of Items.
type Factory func(impl.Config[Item]) (impl.Batcher[Item], error)

// Of adapts an implementation's New, instantiated for Item, to a Factory.
func Of[B impl.Batcher[Item]](newBatcher func(impl.Config[Item]) (B, error)) Factory {
	return func(cfg impl.Config[Item]) (impl.Batcher[Item], error) {
		b, err := newBatcher(cfg)
		if err != nil {
			return nil, err
		}
		return b, nil
	}
}

// Baseline is the implementation every comparison is made against: the
// seed design.
const Baseline = "channel"

// Reference is the simple design every clever implementation must beat:
// reports compare each implementation with it as well.
const Reference = "mutex"

var builtin = []Entry{
	{Name: "channel", New: Of(channel.New[Item])},
	{Name: "pooled", New: Of(pooled.New[Item])},
	{Name: "ring", New: Of(ring.New[Item])},
	{Name: "mutex", New: Of(mutex.New[Item])},
}

// Entry is a named implementation.
type Entry struct {
	Name string
	New  Factory
	// Peer describes a third-party batcher behind the contract; nil for
	// the implementations written for batchbench.
	Peer *Peer
}

// Peer describes a third-party library measured through an adapter.
type Peer struct {
	// Module is the library's module and the version go.mod pins, e.g.
	// "github.com/cheggaaa/mb/v3 v3.0.2".
	Module string
	// Known are the clauses of the contract the adapter does not keep,
	// and why; the conformance suite checks the declaration.
	Known conformance.Known
	// Skip maps the scenario cells the adapter cannot run, as
	// "Family/key=value" (e.g. "Size/size=10"), to the reason; the
	// harness lists them instead of running them.
	Skip map[string]string
}

// Known is what the entry declares about the clauses of the contract:
// nothing for batchbench's own implementations, which keep every clause.
func (e Entry) Known() conformance.Known {
	if e.Peer == nil {
		return nil
	}
	return e.Peer.Known
}

var (
	mu      sync.Mutex
	entries = slices.Clone(builtin)
)

// All returns the registered implementations, built-in ones first, in
// registration order.
func All() []Entry {
	mu.Lock()
	defer mu.Unlock()
	return slices.Clone(entries)
}

// Lookup returns the implementation called name.
func Lookup(name string) (Entry, bool) {
	for _, e := range All() {
		if e.Name == name {
			return e, true
		}
	}
	return Entry{}, false
}

// Match returns the implementations whose names match pattern, an error if
// the pattern does not compile or matches none.
func Match(pattern string) ([]Entry, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("bad implementation pattern %q: %v", pattern, err)
	}
	var out []Entry
	for _, e := range All() {
		if re.MatchString(e.Name) {
			out = append(out, e)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no implementation matches %q (have %v)", pattern, Names())
	}
	return out, nil
}

// Names returns the registered names in order.
func Names() []string {
	var names []string
	for _, e := range All() {
		names = append(names, e.Name)
	}
	return names
}

// Register adds an implementation, for experiments and tests that need one
// outside the built-in set (a planted regression, a deliberately broken
// batcher). It returns a function that removes it again. Registering a name
// twice panics: that is a programming error, not input.
func Register(name string, f Factory) (unregister func()) {
	return add(Entry{Name: name, New: f})
}

// RegisterPeer adds a third-party batcher's adapter, described by p, as
// Register adds an implementation. Peers are registered by a package of
// their own (impl/peers), never by this one, so that the packages that
// enumerate implementations do not depend on third-party batchers.
func RegisterPeer(name string, f Factory, p Peer) (unregister func()) {
	if err := p.Known.Validate(); err != nil {
		panic(fmt.Sprintf("registry: peer %q: %v", name, err))
	}
	return add(Entry{Name: name, New: f, Peer: &p})
}

func add(e Entry) (unregister func()) {
	name := e.Name
	mu.Lock()
	defer mu.Unlock()
	for _, e := range entries {
		if e.Name == name {
			panic(fmt.Sprintf("registry: %q registered twice", name))
		}
	}
	entries = append(entries, e)
	return func() {
		mu.Lock()
		defer mu.Unlock()
		entries = slices.DeleteFunc(entries, func(e Entry) bool { return e.Name == name })
	}
}

// replace swaps the factory registered under name, for builds that plant
// a known regression under an implementation's own name.
func replace(name string, f Factory) {
	mu.Lock()
	defer mu.Unlock()
	for i, e := range entries {
		if e.Name == name {
			entries[i].New = f
			return
		}
	}
	panic(fmt.Sprintf("registry: no %q to replace", name))
}
