package scenarios_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/batchbench/batchbench/impl"
	"github.com/batchbench/batchbench/impl/registry"
	"github.com/batchbench/batchbench/internal/runconfig"
	"github.com/batchbench/batchbench/scenarios"
)

// smokeItems keeps every family's first quick cell short under -race.
var smokeItems = map[string]int{"Size": 20_000, "Interval": 400, "Concurrency": 16_000, "Memory": 20_000}

func TestQuickCellsPassSelfCheck(t *testing.T) {
	for _, f := range scenarios.Families {
		cells := scenarios.Cells([]*scenarios.Family{f}, registry.All(), true)
		for _, c := range cells {
			if c.Param != f.Quick[0] {
				continue
			}
			t.Run(c.Name(), func(t *testing.T) {
				e, _ := registry.Lookup(c.Impl)
				m, err := scenarios.Run(c, e.New, smokeItems[f.Name])
				if err != nil {
					t.Fatal(err)
				}
				for _, metric := range f.Metrics {
					if v := metric.Value(m); v != v || v < 0 { // NaN or negative
						t.Errorf("%s = %v", metric.Unit, v)
					}
				}
			})
		}
	}
}

// A family whose workload table says one batch size and runs another is the
// seed report's bug; the self-check must refuse it.
func TestMislabeledCellFailsSelfCheck(t *testing.T) {
	mislabeled := scenarios.Size
	mislabeled.Workload = func(p scenarios.Param) scenarios.Workload {
		w := scenarios.Size.Workload(p)
		w.BatchSize = 100 // whatever the name says
		return w
	}
	c := scenarios.Cell{Family: &mislabeled, Impl: "ring", Param: scenarios.Size.Grid[2]}
	e, _ := registry.Lookup("ring")
	_, err := scenarios.Run(c, e.New, 10_000)
	if err == nil || !strings.Contains(err.Error(), "self-check") || !strings.Contains(err.Error(), "size=1000") {
		t.Fatalf("Run of a mislabeled cell: err = %v, want a self-check failure naming size=1000", err)
	}
}

// An implementation that ignores its BatchSize must fail the observed-fill
// check even though the workload is labelled right.
func TestImplementationIgnoringBatchSizeFailsSelfCheck(t *testing.T) {
	ring, _ := registry.Lookup("ring")
	ignoring := func(cfg impl.Config[registry.Item]) (impl.Batcher[registry.Item], error) {
		cfg.BatchSize = 100
		return ring.New(cfg)
	}
	c := scenarios.Cell{Family: &scenarios.Size, Impl: "ring", Param: scenarios.Size.Grid[2]}
	_, err := scenarios.Run(c, ignoring, 10_000)
	if err == nil || !strings.Contains(err.Error(), "self-check") || !strings.Contains(err.Error(), "100 batches") {
		t.Fatalf("err = %v, want a self-check failure reporting 100 batches", err)
	}
}

// Dropped items must fail the self-check.
func TestLostItemsFailSelfCheck(t *testing.T) {
	c := scenarios.Cell{Family: &scenarios.Size, Impl: "ring", Param: scenarios.Size.Grid[2]}
	m := &scenarios.Measurement{Workload: c.Workload(), Items: 2000,
		Stats: impl.Stats{Added: 2000, Processed: 1999, Batches: 2}}
	if err := scenarios.Check(c, m); err == nil || !strings.Contains(err.Error(), "processed 1999 of 2000") {
		t.Fatalf("Check = %v", err)
	}
}

func TestParse(t *testing.T) {
	c, err := scenarios.Parse("Interval/impl=pooled/interval=10ms")
	if err != nil || c.Family != &scenarios.Interval || c.Impl != "pooled" || c.Param.Text != "10ms" {
		t.Fatalf("Parse = %+v, %v", c, err)
	}
	for _, bad := range []string{"Size", "Nope/impl=ring/size=10", "Size/ring/size=10", "Size/impl=nope/size=10", "Size/impl=ring/size=7"} {
		if _, err := scenarios.Parse(bad); err == nil {
			t.Errorf("Parse(%q) succeeded", bad)
		}
	}
}

func TestQuickGridIsSubsetAndNamesAreUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range scenarios.Cells(scenarios.Families, registry.All(), false) {
		if seen[c.Name()] {
			t.Errorf("duplicate cell %s", c.Name())
		}
		seen[c.Name()] = true
		if got := c.Family.Knob.Of(c.Workload()); got != c.Param.Value {
			t.Errorf("%s: workload sets %s to %d", c.Name(), c.Family.Knob, got)
		}
	}
	for _, c := range scenarios.Cells(scenarios.Families, registry.All(), true) {
		if !seen[c.Name()] {
			t.Errorf("quick cell %s is not in the full grid", c.Name())
		}
	}
}

// Shards split the suite deterministically: every cell in exactly one
// shard, and the shards' expected costs within one cell of each other.
func TestShardsCoverEveryCellOnce(t *testing.T) {
	impls := registry.All()
	for _, quick := range []bool{false, true} {
		cells := scenarios.Cells(scenarios.Families, impls, quick)
		for n := 1; n <= 5; n++ {
			seen := map[string]int{}
			var loads []time.Duration
			var maxCost time.Duration
			for _, c := range cells {
				maxCost = max(maxCost, c.Cost(quick, 200*time.Millisecond))
			}
			for i := 1; i <= n; i++ {
				var load time.Duration
				for _, c := range scenarios.ShardCells(runconfig.ShardSpec{I: i, N: n}, cells, quick, 200*time.Millisecond) {
					seen[c.Name()]++
					load += c.Cost(quick, 200*time.Millisecond)
				}
				loads = append(loads, load)
			}
			for _, c := range cells {
				if seen[c.Name()] != 1 {
					t.Errorf("quick=%v n=%d: %s in %d shards", quick, n, c.Name(), seen[c.Name()])
				}
			}
			if lo, hi := slices.Min(loads), slices.Max(loads); hi-lo > maxCost {
				t.Errorf("quick=%v n=%d: shard costs %v differ by more than one cell (%v)", quick, n, loads, maxCost)
			}
		}
	}
	for _, bad := range []string{"0/3", "4/3", "1/0", "x", "1/2/3", ""} {
		if _, err := runconfig.ParseShard(bad); err == nil {
			t.Errorf("ParseShard(%q) succeeded", bad)
		}
	}
	if s, err := runconfig.ParseShard("2/3"); err != nil || s != (runconfig.ShardSpec{I: 2, N: 3}) || s.String() != "2/3" {
		t.Errorf("ParseShard(2/3) = %v, %v", s, err)
	}
}
