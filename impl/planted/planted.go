// Package planted is ring with a slowdown planted in Add, for testing that
// compare catches a regression. It is registered only in builds with the
// "planted" or "plantedring" tag. The slowdown is a dependent multiply
// chain, and out-of-order execution can hide part of it in the shadow of
// ring's own compare-and-swap, so its size depends on the build: measure
// it (+32% for six rounds on 2026-12-02). A slowdown that must not vary, as
// in the end-to-end tests, is an extra atomic add instead.
package planted

import (
	"github.com/batchbench/batchbench/impl"
	"github.com/batchbench/batchbench/impl/ring"
)

// Batcher is a ring Batcher whose Add does a little extra work.
type Batcher[T any] struct{ *ring.Batcher[T] }

// New returns a started planted Batcher.
func New[T any](cfg impl.Config[T]) (*Batcher[T], error) {
	b, err := ring.New(cfg)
	if err != nil {
		return nil, err
	}
	return &Batcher[T]{b}, nil
}

// Work is the dependent multiply chain Add runs first; a package variable,
// so the compiler cannot drop it.
var Work uint64

// Add spins through a short dependent chain, then adds.
func (b *Batcher[T]) Add(item T) error {
	w := Work
	for i := range uint64(Rounds) {
		w = w*0x9E3779B97F4A7C15 + i
	}
	Work = w
	return b.Batcher.Add(item)
}

// Rounds sets the size of the slowdown.
var Rounds = 6
