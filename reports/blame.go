package reports

import (
	"github.com/batchbench/batchbench/reports/gate"
	"github.com/batchbench/batchbench/reports/profiles"
)

// Blame is a regression with the profile evidence for it.
type Blame struct {
	gate.Cell
	Profile string               // "CPU", or "allocation" for B/op and allocs/op
	Grown   []profiles.FuncDelta // functions whose flat share grew most, head against base
	Command string               // opens the profile difference in pprof
	Diff    *profiles.Diff       // the profile difference; nil without both profiles
}

// Blames pairs each blocking regression with the profile difference of
// its cell (the allocation profile for allocation metrics, the CPU
// profile otherwise), keeping the n functions whose share grew most.
func (s *Summary) Blames(n int) []Blame {
	if s.Decision == nil {
		return nil
	}
	head := s.Decision.First.Head
	var out []Blame
	for _, f := range s.Decision.Regressed {
		b := Blame{Cell: f, Profile: "CPU"}
		for _, d := range s.Profiles.Diffs {
			diff := d.CPU
			if f.Unit == "B/op" || f.Unit == "allocs/op" {
				b.Profile, diff = "allocation", d.Heap
			}
			if d.Section != f.Section || d.Row != f.Row || d.Head != head || diff == nil {
				continue
			}
			b.Command, b.Diff = diff.Command, diff
			for _, fd := range diff.Funcs {
				if fd.FlatChange() > 0 && len(b.Grown) < n {
					b.Grown = append(b.Grown, fd)
				}
			}
		}
		out = append(out, b)
	}
	return out
}
