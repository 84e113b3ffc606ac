package scenarios_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/batchbench/batchbench/impl/registry"
	"github.com/batchbench/batchbench/scenarios"
)

// Every family's peer cells are quick cells, so a quick suite compares
// the peers with batchbench's own implementations on every peer cell.
func TestPeerCellsAreQuickCells(t *testing.T) {
	for _, f := range scenarios.Families {
		if len(f.Peers) == 0 {
			t.Errorf("%s has no peer cells: the default suite would leave the peers out of it", f.Name)
		}
		for _, p := range f.Peers {
			if !slices.Contains(f.Quick, p) {
				t.Errorf("%s: peer cell %s=%s is not in the quick grid", f.Name, f.Key, p.Text)
			}
		}
	}
}

// Select runs a peer on its family's peer cells when every implementation
// is selected and on the whole grid when it is named, never runs a cell
// the peer declares it cannot run, and lists every cell it leaves out with
// the reason; batchbench's own implementations run every cell.
func TestSelect(t *testing.T) {
	mutex, _ := registry.Lookup("mutex")
	unregister := registry.RegisterPeer("fake-peer", mutex.New, registry.Peer{
		Module: "example.com/fake v1.0.0",
		Skip:   map[string]string{"Size/size=10": "planted"},
	})
	defer unregister()
	peer, _ := registry.Lookup("fake-peer")
	impls := []registry.Entry{mutex, peer}

	for _, all := range []bool{true, false} {
		cells, skipped := scenarios.Select([]*scenarios.Family{&scenarios.Size}, impls, false, all)
		ran := map[string]bool{}
		for _, c := range cells {
			ran[c.Name()] = true
		}
		left := map[string]string{}
		for _, s := range skipped {
			left[s.Cell] = s.Reason
		}
		for _, p := range scenarios.Size.Grid {
			own := scenarios.Cell{Family: &scenarios.Size, Impl: "mutex", Param: p}.Name()
			if !ran[own] {
				t.Errorf("all=%v: %s did not run", all, own)
			}
			name := scenarios.Cell{Family: &scenarios.Size, Impl: "fake-peer", Param: p}.Name()
			want := p.Text == "1000" || !all && p.Text != "10"
			if ran[name] != want {
				t.Errorf("all=%v: %s ran = %v, want %v", all, name, ran[name], want)
			}
			if ran[name] == (left[name] != "") {
				t.Errorf("all=%v: %s ran = %v but is listed as left out = %q", all, name, ran[name], left[name])
			}
		}
		if why := left["Size/impl=fake-peer/size=10"]; !strings.Contains(why, "cannot run it: planted") {
			t.Errorf("all=%v: the cell the peer cannot run is left out because %q", all, why)
		}
	}
}
