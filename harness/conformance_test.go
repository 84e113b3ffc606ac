package harness_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/batchbench/batchbench/harness"
	"github.com/batchbench/batchbench/impl/conformance"
	"github.com/batchbench/batchbench/impl/registry"
	"github.com/batchbench/batchbench/scenarios"
)

// A run writes the declared matrix of the implementations its cells run,
// with the cells it was told were left out, beside results.txt.
func TestRunWritesTheMatrix(t *testing.T) {
	dir := t.TempDir()
	skipped := []conformance.Skipped{{Cell: "Size/impl=ring/size=10", Reason: "left out"}}
	_, err := harness.Run(context.Background(), harness.Options{
		Cells: []scenarios.Cell{cell(t, "Size/impl=ring/size=1000"), cell(t, "Size/impl=mutex/size=1000")},
		Count: 1, Items: 2_000, OutDir: dir, Skipped: skipped, Log: &bytes.Buffer{},
	})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, conformance.File))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := conformance.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Columns) != 2 || m.Columns[0].Impl != "ring" || m.Columns[1].Impl != "mutex" || len(m.Columns[0].Known) != 0 {
		t.Errorf("columns = %+v, want ring and mutex, keeping every clause", m.Columns)
	}
	if len(m.Clauses) != len(conformance.Clauses) || len(m.Skipped) != 1 || m.Skipped[0] != skipped[0] {
		t.Errorf("matrix has %d clauses and skipped %v, want %d and %v", len(m.Clauses), m.Skipped, len(conformance.Clauses), skipped)
	}
}

// A peer's column carries its module and its declared exceptions.
func TestMatrixCarriesAPeersDeclaration(t *testing.T) {
	ring, _ := registry.Lookup("ring")
	known := conformance.Known{"ExactBound": {Verdict: conformance.Fails, Why: "planted"}}
	defer registry.RegisterPeer("peer-ring", ring.New, registry.Peer{Module: "example.com/ring v1.2.3", Known: known})()
	c := scenarios.Cell{Family: &scenarios.Size, Impl: "peer-ring", Param: scenarios.Size.Grid[2]}
	m := harness.Matrix([]scenarios.Cell{c}, nil)
	if len(m.Columns) != 1 {
		t.Fatalf("columns = %+v, want the peer's", m.Columns)
	}
	col := m.Columns[0]
	if col.Module != "example.com/ring v1.2.3" || col.Known.Verdict("ExactBound") != conformance.Fails || m.Holding(col) != len(conformance.Clauses)-1 {
		t.Errorf("column = %+v, want the peer's module and its one failing clause", col)
	}
}
