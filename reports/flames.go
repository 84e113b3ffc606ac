package reports

import (
	"fmt"
	"html/template"
	"path/filepath"
	"strings"

	"github.com/google/pprof/profile"

	"github.com/batchbench/batchbench/reports/flame"
	"github.com/batchbench/batchbench/reports/profiles"
)

// flameKinds are the sample types drawn for each profile: CPU time from
// a CPU profile; bytes and objects allocated from an allocation profile.
var flameKinds = []struct {
	heap              bool
	sampleType, title string
}{
	{false, "cpu", "CPU"},
	{true, "alloc_space", "bytes allocated"},
	{true, "alloc_objects", "objects allocated"},
}

// flameGraphs are a report's flame graphs: in each section, one per
// column and implementation and sample type, its cells' profiles merged;
// and one against the base for every blocking regression. Merged, the
// quick suite's graphs add 2.4 MB to report.html (1.5 MB without them);
// one per cell would add 4.3 MB, too close to its 6 MB budget.
type flameGraphs struct {
	set      flame.Set
	sections map[string][]flameColumn // by section ID
}

// flameColumn is the graphs of one column (and implementation) of a
// section.
type flameColumn struct {
	Name   string // the column, and the implementation when it is not the column
	Cells  int    // profiled cells merged into each graph
	Graphs []*flame.Graph
}

// regression is a blocking regression with its profile evidence and the
// flame graph of its cell, head against base (nil without both profiles).
type regression struct {
	blame
	Flame *flame.Graph
	// FlameAbove says an earlier regression shows the same graph (the
	// cell regressed in sec/op and in cpu-sec/op, say).
	FlameAbove bool
}

// buildFlames draws the flame graphs of the report's profiles. A profile
// that cannot be read or drawn becomes a warning, not an error.
func (r *report) buildFlames() {
	fg := &r.flames
	fg.sections = map[string][]flameColumn{}
	for _, sv := range r.sections {
		for _, col := range flameColumnsOf(sv.Profiles) {
			fc := flameColumn{Name: col.name, Cells: len(col.cells)}
			for _, k := range flameKinds {
				var paths []string
				for _, c := range col.cells {
					s := c.CPU
					if k.heap {
						s = c.Heap
					}
					if s != nil {
						paths = append(paths, s.Path)
					}
				}
				if len(paths) == 0 {
					continue
				}
				id := "flame-" + slug(sv.Name) + "-" + slug(col.name) + "-" + k.sampleType
				if g := r.addFlame(id, k.title, k.sampleType, paths, ""); g != nil {
					fc.Graphs = append(fc.Graphs, g)
				}
			}
			if len(fc.Graphs) > 0 {
				fg.sections[sv.ID] = append(fg.sections[sv.ID], fc)
			}
		}
	}
	drawn := map[string]*flame.Graph{}
	for _, b := range r.blames() {
		reg := regression{blame: b}
		if d := b.Diff; d != nil && d.Base.Path != "" && d.Head.Path != "" {
			st := "cpu"
			if b.Profile != "CPU" {
				st = "alloc_space"
				if b.Unit == "allocs/op" {
					st = "alloc_objects"
				}
			}
			id := "flame-diff-" + slug(b.Name()) + "-" + st
			if reg.Flame = drawn[id]; reg.Flame != nil {
				reg.FlameAbove = true
			} else {
				title := fmt.Sprintf("Flame graph of the difference, head against base: %s · %s", b.Name(), flameTitle(st))
				reg.Flame = r.addFlame(id, title, st, []string{d.Head.Path}, d.Base.Path)
				if reg.Flame != nil {
					reg.Flame.Open = len(drawn) == 0 // the first picture is part of the report's answer
					drawn[id] = reg.Flame
				}
			}
		}
		r.regressions = append(r.regressions, reg)
	}
}

// addFlame merges the profiles at paths and adds their flame graph,
// against the profile at base unless it is "". It returns nil, with a
// warning, when a profile cannot be read or drawn.
func (r *report) addFlame(id, title, sampleType string, paths []string, base string) *flame.Graph {
	fail := func(err error) *flame.Graph {
		r.Warnings.Other = append(r.Warnings.Other, fmt.Sprintf("flame graph %s: %v", id, err))
		return nil
	}
	var ps []*profile.Profile
	for _, path := range paths {
		p, err := profiles.ReadFile(path)
		if err != nil {
			return fail(err)
		}
		ps = append(ps, p)
	}
	p, err := profile.Merge(ps)
	if err != nil {
		return fail(err)
	}
	var bp *profile.Profile
	if base != "" {
		if bp, err = profiles.ReadFile(base); err != nil {
			return fail(err)
		}
	}
	g, err := r.flames.set.Add(id, title, p, sampleType, bp)
	if err != nil {
		return fail(err)
	}
	return g
}

func flameTitle(sampleType string) string {
	for _, k := range flameKinds {
		if k.sampleType == sampleType {
			return k.title
		}
	}
	return sampleType
}

type cellGroup struct {
	name  string
	cells []*profiles.Cell
}

// flameColumnsOf groups a section's profiled cells by column and
// implementation, in order of first appearance.
func flameColumnsOf(cells []*profiles.Cell) []cellGroup {
	var out []cellGroup
	index := map[string]int{}
	for _, c := range cells {
		name := c.Col
		if c.Impl != "" && c.Impl != c.Col {
			name += " · " + c.Impl
		}
		i, ok := index[name]
		if !ok {
			i = len(out)
			index[name] = i
			out = append(out, cellGroup{name: name})
		}
		out[i].cells = append(out[i].cells, c)
	}
	return out
}

// Flames returns the flame graphs of a section, by column.
func (r *report) Flames(section string) []flameColumn { return r.flames.sections[section] }

// FlameScript is the flame graphs' shared script: once, at the end of
// report.html.
func (r *report) FlameScript() template.HTML { return r.flames.set.Script() }

// Regressions are the blocking regressions the report opens with, each
// with its profile evidence and flame graph.
func (r *report) Regressions() []regression { return r.regressions }

// flameLink is the address of a graph in report.html, relative to
// report.md beside it.
func (r *report) flameLink(g *flame.Graph) string {
	return filepath.Base(r.HTML) + "#" + g.ID
}

// slug turns a name into an HTML id part: lower-case letters and digits,
// runs of anything else one dash.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(s) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(c)
			dash = false
		} else {
			dash = true
		}
	}
	return b.String()
}
