package gate

import (
	"math"
	"time"
)

// Turns picks, of the open cells of a paired gate, those whose turn it is
// to take another pair, so that every open cell gets about the same time,
// whatever its pairs cost: a cheap cell takes several pairs in the time
// a dear one takes one. spent[i] is cell i's time so far and cost[i] what
// a pair of it takes; the cells whose time is within one pair's cost (the
// dearest cell's) of the least take their turn. It returns their indices,
// in order.
func Turns(spent, cost []time.Duration) []int {
	least, quantum := time.Duration(math.MaxInt64), time.Duration(0)
	for i := range spent {
		least, quantum = min(least, spent[i]), max(quantum, cost[i])
	}
	var out []int
	for i, t := range spent {
		if t <= least+quantum {
			out = append(out, i)
		}
	}
	return out
}
