package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/batchbench/batchbench/impl/registry"
	"github.com/batchbench/batchbench/scenarios"
)

// A suite of every implementation runs the peers on their families' peer
// cells and lists the rest as left out; naming a peer runs its whole grid;
// a gate leaves the peers out unless they are named.
func TestPeerSelection(t *testing.T) {
	list := func(args ...string) string {
		t.Helper()
		var o, e bytes.Buffer
		if code := run(append([]string{"list", "-quick", "-scenario", "^Size"}, args...), &o, &e); code != 0 {
			t.Fatalf("list %v exited %d: %s", args, code, e.String())
		}
		return o.String()
	}
	all := list()
	cells, left, _ := strings.Cut(all, "left out")
	mustHave(t, "list", cells, "mb (peer: github.com/cheggaaa/mb/v3 v3.0.2)", "BenchmarkSize/impl=mb/size=1000\n", "BenchmarkSize/impl=mutex/size=10\n")
	mustHave(t, "list's left out", left, "BenchmarkSize/impl=mb/size=10: a peer, run on size=1000 only")
	if strings.Contains(cells, "BenchmarkSize/impl=mb/size=10\n") {
		t.Error("a suite of every implementation runs a peer outside its peer cells")
	}
	mustHave(t, "list -impl ^mb$", list("-impl", "^mb$"), "BenchmarkSize/impl=mb/size=10\n", "BenchmarkSize/impl=mb/size=10000\n")

	for _, c := range []struct {
		impl  string
		peers bool
	}{{".", false}, {"^(mutex|mb)$", true}} {
		sel := scenarios.Selection{Impl: c.impl, Cell: ".", Quick: true, Gate: true}
		cells, _, err := sel.Cells()
		if err != nil {
			t.Fatal(err)
		}
		hasPeer := false
		for _, cell := range cells {
			e, _ := registry.Lookup(cell.Impl)
			hasPeer = hasPeer || e.Peer != nil
		}
		if hasPeer != c.peers {
			t.Errorf("a gate's cells with -impl %s include peers = %v, want %v", c.impl, hasPeer, c.peers)
		}
	}
}

func mustHave(t *testing.T, what, doc string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(doc, s) {
			t.Errorf("%s lacks %q:\n%s", what, s, doc)
		}
	}
}
