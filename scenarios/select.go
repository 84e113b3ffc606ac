package scenarios

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/batchbench/batchbench/impl/conformance"
	"github.com/batchbench/batchbench/impl/registry"
	"github.com/batchbench/batchbench/internal/runconfig"
)

// A Selection chooses cells from the families.
type Selection struct {
	// Impl matches the implementations' names; Cell matches a cell's
	// "Family/key=value", e.g. "Size" or "size=1000$". Both are regular
	// expressions; "" and "." match everything, and then the peers run
	// only their families' Peers cells (see Select).
	Impl, Cell string
	// Quick takes the families' quick grids.
	Quick bool
	// Shard, "i/n" or "", keeps shard i of n of the split (see
	// ShardCells), which weighs each cell by its cost at RunTime.
	Shard   string
	RunTime time.Duration
	// Gate leaves the peers out unless Impl names them: their code is
	// the same on both sides of a merge gate, and a base built before
	// they were registered cannot run them.
	Gate bool
}

// Cells returns the selected cells in the suite's order, and the cells it
// left out, with why. A pattern that does not compile or matches nothing,
// a bad shard, and a shard that gets no cell are errors.
func (s Selection) Cells() ([]Cell, []conformance.Skipped, error) {
	impls, err := registry.Match(s.Impl)
	if err != nil {
		return nil, nil, err
	}
	named := s.Impl != "" && s.Impl != "."
	if s.Gate && !named {
		impls = slices.DeleteFunc(impls, func(e registry.Entry) bool { return e.Peer != nil })
	}
	re, err := regexp.Compile(s.Cell)
	if err != nil {
		return nil, nil, fmt.Errorf("bad cell pattern: %v", err)
	}
	matches := func(c Cell) bool { return re.MatchString(c.Family.Name + "/" + c.Family.Key + "=" + c.Param.Text) }
	cells, skipped := Select(Families, impls, s.Quick, !named)
	cells = slices.DeleteFunc(cells, func(c Cell) bool { return !matches(c) })
	skipped = slices.DeleteFunc(skipped, func(sk conformance.Skipped) bool {
		c, err := Parse(sk.Cell)
		return err != nil || !matches(c)
	})
	if len(cells) == 0 {
		return nil, skipped, fmt.Errorf("no cell matches %q", s.Cell)
	}
	if s.Shard == "" {
		return cells, skipped, nil
	}
	sh, err := runconfig.ParseShard(s.Shard)
	if err != nil {
		return nil, skipped, err
	}
	if cells = ShardCells(sh, cells, s.Quick, s.RunTime); len(cells) == 0 {
		return nil, skipped, fmt.Errorf("shard %s gets no cell (%d shards for the selected cells)", sh, sh.N)
	}
	return cells, skipped, nil
}

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
