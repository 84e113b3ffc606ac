//go:build plantedring

package registry

import "github.com/batchbench/batchbench/impl/planted"

// ring replaced by ring with a planted slowdown (impl/planted, four
// rounds), under ring's own name, so that a build with this tag is a head
// whose ring cells regress: benchrun calibrate -planted measures the gate's
// miss rate with it. The size is what the ring's CAS does not hide of the
// chain: +17% to +25% on the one-CAS ring in two interleaved runs.
func init() {
	planted.Rounds = 4
	replace("ring", Of(planted.New[Item]))
}
