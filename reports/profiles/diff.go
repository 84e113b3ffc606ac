package profiles

import (
	"cmp"
	"math"
	"slices"

	"github.com/batchbench/batchbench/reports/internal/shellquote"
)

// Diff compares two profiles of the same kind by share of their
// totals, like `go tool pprof -diff_base` but normalised, so profiles of
// runs with different lengths compare fairly.
type Diff struct {
	Base, Head *Summary
	// Command opens the absolute difference in pprof's web UI.
	Command string
	// Funcs are the functions whose flat share changed most (then
	// cumulative share), at most TopN.
	Funcs []FuncDelta
	// Categories pairs each category's flat and cumulative shares.
	Categories []CategoryDelta
}

// FuncDelta is one function's shares in the base and head profiles.
type FuncDelta struct {
	Func               string
	BaseFlat, HeadFlat float64
	BaseCum, HeadCum   float64
}

// FlatChange is HeadFlat-BaseFlat, in share points (0.1 = 10 points).
func (d FuncDelta) FlatChange() float64 { return d.HeadFlat - d.BaseFlat }

// CumChange is HeadCum-BaseCum.
func (d FuncDelta) CumChange() float64 { return d.HeadCum - d.BaseCum }

// CategoryDelta is one category's shares in both profiles.
type CategoryDelta struct {
	Name               string
	BaseFlat, HeadFlat float64
	BaseCum, HeadCum   float64
}

// Compare compares head against base and keeps the n functions whose
// flat share changed most.
func Compare(base, head *Summary, n int) *Diff {
	d := &Diff{Base: base, Head: head}
	if base.Path != "" && head.Path != "" {
		d.Command = "go tool pprof -http=: -diff_base=" + shellquote.Quote(base.Path) + " " + shellquote.Quote(head.Path)
	}
	fns := map[string]bool{}
	for fn := range base.cum {
		fns[fn] = true
	}
	for fn := range head.cum {
		fns[fn] = true
	}
	for fn := range fns {
		fd := FuncDelta{
			Func:     fn,
			BaseFlat: share(base.flat[fn], base.Total), HeadFlat: share(head.flat[fn], head.Total),
			BaseCum: share(base.cum[fn], base.Total), HeadCum: share(head.cum[fn], head.Total),
		}
		if fd.FlatChange() != 0 || fd.CumChange() != 0 {
			d.Funcs = append(d.Funcs, fd)
		}
	}
	slices.SortFunc(d.Funcs, func(a, b FuncDelta) int {
		return cmp.Or(
			cmp.Compare(math.Abs(b.FlatChange()), math.Abs(a.FlatChange())),
			cmp.Compare(math.Abs(b.CumChange()), math.Abs(a.CumChange())),
			cmp.Compare(a.Func, b.Func))
	})
	d.Funcs = d.Funcs[:min(n, len(d.Funcs))]
	for i, c := range base.Categories {
		h := head.Categories[i]
		d.Categories = append(d.Categories, CategoryDelta{c.Name, c.Flat, h.Flat, c.Cum, h.Cum})
	}
	return d
}
