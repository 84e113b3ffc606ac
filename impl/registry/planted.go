//go:build planted

package registry

import "github.com/batchbench/batchbench/impl/planted"

// ring with a planted slowdown, for compare's detection test: go build -tags planted.
func init() { Register("ring-planted", Of(planted.New[Item])) }
