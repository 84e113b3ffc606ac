package scenarios

import (
	"sort"
	"time"

	"github.com/batchbench/batchbench/internal/runconfig"
)

// runOverhead is what a run costs beyond its measurement: a fresh worker
// process, its warm-up and its checks (measured at about 60ms on a 2-core VM).
const runOverhead = 60 * time.Millisecond

// Cost estimates the wall time of one run of c: an open-loop cell sends
// its items at its rate (its warm-up an eighth of them); a closed-loop cell
// is scaled to last runTime; every run also pays runOverhead. It only has
// to rank cells well enough to balance shards.
func (c Cell) Cost(quick bool, runTime time.Duration) time.Duration {
	w := c.Workload()
	items := w.Items
	if quick {
		items = w.QuickItems
	}
	if w.Rate > 0 {
		return runOverhead + time.Duration(1.125*float64(items)/w.Rate*float64(time.Second))
	}
	if w.SampleMemory {
		// Not scaled: the backlog is drained once, a processor delay per batch.
		return runOverhead + time.Duration(items/max(w.BatchSize, 1))*w.ProcessorDelay
	}
	return runOverhead + runTime
}

// ShardCells returns the cells of shard s: all cells are dealt, costliest
// first (name breaking ties), each to the shard with the least expected
// cost so far (the lowest-numbered breaking ties). The split depends only
// on the cells, so every shard computes the same one, and every cell is in
// exactly one shard.
func ShardCells(s runconfig.ShardSpec, cells []Cell, quick bool, runTime time.Duration) []Cell {
	order := make([]int, len(cells))
	for i := range order {
		order[i] = i
	}
	cost := func(i int) time.Duration { return cells[i].Cost(quick, runTime) }
	sort.SliceStable(order, func(a, b int) bool {
		ca, cb := cost(order[a]), cost(order[b])
		if ca != cb {
			return ca > cb
		}
		return cells[order[a]].Name() < cells[order[b]].Name()
	})
	load := make([]time.Duration, s.N)
	mine := map[int]bool{}
	for _, i := range order {
		k := 0
		for j := range load {
			if load[j] < load[k] {
				k = j
			}
		}
		load[k] += cost(i)
		if k == s.I-1 {
			mine[i] = true
		}
	}
	var out []Cell
	for i, c := range cells {
		if mine[i] {
			out = append(out, c) // in the suite's order
		}
	}
	return out
}
