//go:build plantedring

package registry

import "github.com/batchbench/batchbench/impl/planted"

// ring replaced by ring with a planted slowdown of about 10% (impl/planted,
// four rounds), under ring's own name, so that a build with this tag is a
// head whose ring cells regress by a known amount: benchrun calibrate
// -planted measures the gate's miss rate with it.
func init() {
	planted.Rounds = 4
	replace("ring", Of(planted.New[Item]))
}
