// Package planted is ring with a known slowdown planted in Add, for testing
// that compare catches a regression of about 15%. It is registered only in
// builds with the "planted" tag.
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
