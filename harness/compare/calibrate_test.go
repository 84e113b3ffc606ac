package compare

import (
	"slices"
	"testing"

	"github.com/batchbench/batchbench/harness"
	"github.com/batchbench/batchbench/impl/plant"
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
