package peers_test

import (
	"testing"

	"github.com/batchbench/batchbench/impl/peers"
	"github.com/batchbench/batchbench/impl/registry"
	"github.com/batchbench/batchbench/scenarios"
)

// cellItems keeps every cell short under -race; each is still several
// batches of the family's largest size, or several timer flushes.
var cellItems = map[string]int{"Size": 20_000, "Interval": 400, "Concurrency": 16_000, "Memory": 20_000}

// TestCellsKeepTheirDeclaration runs every cell of the full grid for each
// peer: a cell the peer declares it cannot run must fail its self-check,
// and every other cell must pass it.
func TestCellsKeepTheirDeclaration(t *testing.T) {
	peers.Register()
	for _, e := range registry.All() {
		if e.Peer == nil {
			continue
		}
		for _, c := range scenarios.Cells(scenarios.Families, []registry.Entry{e}, false) {
			t.Run(c.Name(), func(t *testing.T) {
				items := cellItems[c.Family.Name]
				_, err := scenarios.Run(c, e.New, items)
				if err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}
