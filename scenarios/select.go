package scenarios

import (
	"fmt"
	"slices"
	"strings"

	"github.com/batchbench/batchbench/impl/conformance"
	"github.com/batchbench/batchbench/impl/registry"
)

// Select returns the cells of the families for the implementations, as
// Cells does, and lists every cell it leaves out, with why. It leaves out
// a peer's cells that its declaration says it cannot run (registry.Peer's
// Skip), and, when the suite selects every implementation (all), the
// peers' cells outside each family's Peers, which keeps the default and
// quick suites short; a suite that names its implementations runs the
// peers on the whole grid.
func Select(families []*Family, impls []registry.Entry, quick, all bool) ([]Cell, []conformance.Skipped) {
	var cells []Cell
	var skipped []conformance.Skipped
	for _, c := range Cells(families, impls, quick) {
		if why := c.leftOut(all); why != "" {
			skipped = append(skipped, conformance.Skipped{Cell: c.Name(), Reason: why})
			continue
		}
		cells = append(cells, c)
	}
	return cells, skipped
}

// leftOut says why Select leaves c out, or "".
func (c Cell) leftOut(all bool) string {
	e, _ := registry.Lookup(c.Impl)
	if e.Peer == nil {
		return ""
	}
	if why, ok := e.Peer.Skip[c.Family.Name+"/"+c.Family.Key+"="+c.Param.Text]; ok {
		return "cannot run it: " + why
	}
	if all && !slices.Contains(c.Family.Peers, c.Param) {
		return fmt.Sprintf("a peer, run on %s only when every implementation is selected; selecting the peer by name runs the whole grid",
			paramList(c.Family))
	}
	return ""
}

func paramList(f *Family) string {
	var s []string
	for _, p := range f.Peers {
		s = append(s, f.Key+"="+p.Text)
	}
	return strings.Join(s, " and ")
}
