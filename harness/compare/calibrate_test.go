package compare

import (
	"slices"
	"testing"

	"github.com/batchbench/batchbench/harness"
	"github.com/batchbench/batchbench/impl/plant"
	"github.com/batchbench/batchbench/scenarios"
)

// A planted head and its base run the same binary and differ only by the
// stall's rounds: two builds also differed by their code's layout, which
// moved what the plant measured. Neither side's environment may reach
// the other's through a shared array.
func TestPlantedSidesDifferByTheStallAlone(t *testing.T) {
	built := harness.Source{Name: "base", Command: []string{"/tmp/worker-base"}, Env: make([]string, 1, 4)}
	built.Env[0] = "GOGC=100"
	s := plant.Sized("mutex", 0.35, 70)
	base, head := plantedSide(built, s.Empty()), plantedSide(built, s)

	if !slices.Equal(base.Command, head.Command) || base.Name != head.Name {
		t.Errorf("base runs %v (%s), head %v (%s): want one binary", base.Command, base.Name, head.Command, head.Name)
	}
	want := func(spec plant.Spec) []string { return []string{"GOGC=100", plant.Env + "=" + spec.String()} }
	if !slices.Equal(base.Env, want(plant.Spec{Impl: "mutex", Every: s.Every})) {
		t.Errorf("base's environment %q: want the same point with an empty stall", base.Env)
	}
	if !slices.Equal(head.Env, want(s)) {
		t.Errorf("head's environment %q: want %v", head.Env, want(s))
	}
	if len(built.Env) != 1 {
		t.Errorf("the build's own environment became %q", built.Env)
	}
}

// A plant is sized in mutex's timed cells, the first given first: not in
// cells whose time per item is their schedule's (Interval) or that
// measure memory, nor in another implementation's.
func TestPlantIsSizedInTimedCells(t *testing.T) {
	parse := func(names ...string) []scenarios.Cell {
		var cells []scenarios.Cell
		for _, n := range names {
			c, err := scenarios.Parse(n)
			if err != nil {
				t.Fatal(err)
			}
			cells = append(cells, c)
		}
		return cells
	}
	selected := parse("Size/impl=mutex/size=10", "Size/impl=mutex/size=1000", "Size/impl=ring/size=10",
		"Concurrency/impl=mutex/producers=4", "Interval/impl=mutex/interval=1ms", "Memory/impl=mutex/backlog=10000")
	first := parse("Size/impl=mutex/size=1000")[0]
	var got []string
	for _, c := range plantCells("mutex", first, selected) {
		got = append(got, c.Name())
	}
	want := []string{"Size/impl=mutex/size=1000", "Size/impl=mutex/size=10", "Concurrency/impl=mutex/producers=4"}
	if !slices.Equal(got, want) {
		t.Errorf("plantCells = %q, want %q", got, want)
	}
}
