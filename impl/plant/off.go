//go:build !plant

package plant

// On reports whether this build can plant a slowdown: a constant, so that
// "if plant.On" compiles to nothing in an ordinary build.
const On = false

// For returns the point planted in impl: none, in a build without the
// plant tag.
func For(impl string) *Point { return nil }

// Select spaces the points' stalls for a cell: there are none, in a build
// without the plant tag.
func Select(cell string) {}
