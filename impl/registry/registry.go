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
	{"channel", Of(channel.New[Item])},
	{"pooled", Of(pooled.New[Item])},
	{"ring", Of(ring.New[Item])},
	{"mutex", Of(mutex.New[Item])},
}

// Entry is a named implementation.
type Entry struct {
	Name string
	New  Factory
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
	mu.Lock()
	defer mu.Unlock()
	for _, e := range entries {
		if e.Name == name {
			panic(fmt.Sprintf("registry: %q registered twice", name))
		}
	}
	entries = append(entries, Entry{name, f})
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
