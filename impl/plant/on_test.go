//go:build plant

package plant

import "testing"

// The worker selects each run's cell, and the point then stalls as that
// cell's spacing says, counting afresh.
func TestSelectSpacesByCell(t *testing.T) {
	t.Setenv(Env, "mutex:64:1024;Size/impl=mutex/size=10@16")
	p := For("mutex")
	if p == nil || For("ring") != nil {
		t.Fatalf("For: %v for mutex, %v for ring; want a point for mutex alone", p, For("ring"))
	}
	p.Calls = 5
	Select("Size/impl=mutex/size=10")
	if p.Every != 16 || p.Calls != 0 {
		t.Errorf("in Size/10: a stall every %d items, count %d; want 16, 0", p.Every, p.Calls)
	}
	Select("Size/impl=mutex/size=1000")
	if p.Every != 64 {
		t.Errorf("in Size/1000: a stall every %d items; want 64", p.Every)
	}
}
