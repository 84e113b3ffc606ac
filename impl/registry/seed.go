//go:build seed

package registry

import "github.com/batchbench/batchbench/impl/seed"

// The seed report's variants, for the case study only: go build -tags seed.
// seed is the original; the case study points it at NewOptimized in a
// commit of its own, and compares the two commits in pairs, as the gate
// judges a pull request (docs/case-study-seed.md).
func init() {
	Register("seed-original", Of(seed.NewOriginal[Item]))
	Register("seed-optimized", Of(seed.NewOptimized[Item]))
	Register("seed", Of(seed.NewOriginal[Item]))
}
