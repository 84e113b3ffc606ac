package reports

import (
	"github.com/batchbench/batchbench/reports/gate"
	"github.com/batchbench/batchbench/reports/profiles"
)

// blame is a regression with the profile evidence for it.
type blame struct {
	gate.Cell
	Profile string               // "CPU", or "allocation" for B/op and allocs/op
	Grown   []profiles.FuncDelta // functions whose flat share grew most, head against base
	Command string               // opens the profile difference in pprof
	Diff    *profiles.Diff       // the profile difference; nil without both profiles
}

// maxGrown is how many grown functions a blame names.
const maxGrown = 5

// blames pairs each blocking regression with the profile difference of
// its cell (the allocation profile for allocation metrics, the CPU
// profile otherwise), naming the functions whose share grew most.
func (r *report) blames() []blame {
	n, s := maxGrown, r.Summary
	if s.Decision == nil {
		return nil
	}
	head := s.Decision.First.Head
	var out []blame
	for _, f := range s.Decision.Regressed {
		b := blame{Cell: f, Profile: "CPU"}
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
