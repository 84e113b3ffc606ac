package scenarios

import (
	"fmt"
	"regexp"
	"time"

	"github.com/batchbench/batchbench/impl/registry"
	"github.com/batchbench/batchbench/internal/runconfig"
)

// A Selection chooses cells from the families.
type Selection struct {
	// Impl matches the implementations' names; Cell matches a cell's
	// "Family/key=value", e.g. "Size" or "size=1000$". Both are regular
	// expressions; "" matches everything.
	Impl, Cell string
	// Quick takes the families' quick grids.
	Quick bool
	// Shard, "i/n" or "", keeps shard i of n of the split (see
	// ShardCells), which weighs each cell by its cost at RunTime.
	Shard   string
	RunTime time.Duration
}

// Cells returns the selected cells in the suite's order. A pattern that
// does not compile or matches nothing, a bad shard, and a shard that
// gets no cell are errors.
func (s Selection) Cells() ([]Cell, error) {
	impls, err := registry.Match(s.Impl)
	if err != nil {
		return nil, err
	}
	re, err := regexp.Compile(s.Cell)
	if err != nil {
		return nil, fmt.Errorf("bad cell pattern: %v", err)
	}
	var cells []Cell
	for _, c := range Cells(Families, impls, s.Quick) {
		if re.MatchString(c.Family.Name + "/" + c.Family.Key + "=" + c.Param.Text) {
			cells = append(cells, c)
		}
	}
	if len(cells) == 0 {
		return nil, fmt.Errorf("no cell matches %q", s.Cell)
	}
	if s.Shard == "" {
		return cells, nil
	}
	sh, err := runconfig.ParseShard(s.Shard)
	if err != nil {
		return nil, err
	}
	if cells = ShardCells(sh, cells, s.Quick, s.RunTime); len(cells) == 0 {
		return nil, fmt.Errorf("shard %s gets no cell (%d shards for the selected cells)", sh, sh.N)
	}
	return cells, nil
}
