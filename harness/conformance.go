package harness

import (
	"io"
	"path/filepath"

	"github.com/batchbench/batchbench/impl/conformance"
	"github.com/batchbench/batchbench/impl/registry"
	"github.com/batchbench/batchbench/internal/atomicfile"
	"github.com/batchbench/batchbench/scenarios"
)

// Matrix is the declared conformance matrix of the implementations the
// cells run, in the cells' order, with the cells left out: what each
// implementation declares beside its code (registry.Peer's Known; every
// clause holds of batchbench's own), which the conformance suite checks.
func Matrix(cells []scenarios.Cell, skipped []conformance.Skipped) *conformance.Matrix {
	var cols []conformance.Column
	seen := map[string]bool{}
	for _, c := range cells {
		if seen[c.Impl] {
			continue
		}
		seen[c.Impl] = true
		e, _ := registry.Lookup(c.Impl)
		col := conformance.Column{Impl: c.Impl, Known: e.Known()}
		if e.Peer != nil {
			col.Module = e.Peer.Module
		}
		cols = append(cols, col)
	}
	m := conformance.New(cols...)
	m.Skipped = skipped
	return m
}

// writeMatrix writes the run's Matrix to dir/conformance.File. Only a
// run of this executable writes one: another build's declarations are
// its own.
func writeMatrix(dir string, opts Options) error {
	m := Matrix(opts.Cells, opts.Skipped)
	return atomicfile.Write(filepath.Join(dir, conformance.File), func(w io.Writer) error { return m.Write(w) })
}
