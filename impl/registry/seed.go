//go:build seed

package registry

import "github.com/batchbench/batchbench/impl/seed"

// The seed report's variants, for the case study only: go build -tags seed.
func init() {
	Register("seed-original", Of(seed.NewOriginal[Item]))
	Register("seed-optimized", Of(seed.NewOptimized[Item]))
}
