package table

import "fmt"

// BenchstatWarning is one of benchstat's warning texts with the cells it
// applies to.
type BenchstatWarning struct {
	Text  string
	Cells []string // "Group unit row col" (or "... geomean col")
}

// BenchstatWarnings collects every table warning verbatim, deduplicated
// by text, in order of first appearance.
func (ts *Tables) BenchstatWarnings() []BenchstatWarning {
	var out []BenchstatWarning
	index := map[string]int{}
	add := func(text, where string) {
		i, ok := index[text]
		if !ok {
			i = len(out)
			index[text] = i
			out = append(out, BenchstatWarning{Text: text})
		}
		out[i].Cells = append(out[i].Cells, where)
	}
	for _, t := range ts.Tables {
		title := ts.SectionTitle(t)
		for _, row := range t.Rows {
			for j, c := range row.Cells {
				if c == nil {
					continue
				}
				for _, w := range c.Warnings() {
					add(w.Error(), fmt.Sprintf("%s %s %s %s", title, t.Unit, row.Label, t.Cols[j]))
				}
			}
		}
		for j, g := range t.Geomean {
			for _, w := range g.Warnings {
				add(w.Error(), fmt.Sprintf("%s %s geomean %s", title, t.Unit, t.Cols[j]))
			}
		}
		for _, w := range t.Warnings {
			add(w, fmt.Sprintf("%s %s", title, t.Unit))
		}
	}
	return out
}
