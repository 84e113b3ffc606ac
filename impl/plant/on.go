//go:build plant

package plant

import (
	"fmt"
	"os"
)

// On reports whether this build can plant a slowdown.
const On = true

// points are the points For returned, for Select.
var points []*Point

// For returns the point planted in impl, as Env says; nil when Env names
// another implementation or none. A bad Env ends the worker. Call it
// once per implementation, from a package variable's initializer.
func For(impl string) *Point {
	v := os.Getenv(Env)
	if v == "" {
		return nil
	}
	s, err := Parse(v)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if s.Impl != impl {
		return nil
	}
	p := &Point{Every: s.Every, rounds: s.Rounds, spec: s}
	points = append(points, p)
	return p
}

// Select spaces every point's stalls as Env says for the named cell, and
// starts its count again. Call it before a cell's run, while no batcher
// runs: it does not synchronize with Add.
func Select(cell string) {
	for _, p := range points {
		p.Calls, p.Every = 0, p.spec.every(cell)
	}
}
