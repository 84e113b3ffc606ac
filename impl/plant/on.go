//go:build plant

package plant

import (
	"fmt"
	"os"
)

// On reports whether this build can plant a slowdown.
const On = true

// For returns the point planted in impl, as Env says; nil when Env names
// another implementation or none. A bad Env ends the worker.
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
	return &Point{Every: s.Every, rounds: s.Rounds}
}
