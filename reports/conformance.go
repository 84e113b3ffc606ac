package reports

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/batchbench/batchbench/reports/internal/md"

	"github.com/batchbench/batchbench/impl/conformance"
	"github.com/batchbench/batchbench/reports/table"
)

// loadConformance reads the conformance matrix a run wrote beside the
// first input that has one (conformance.File), or returns nil.
func loadConformance(res *table.Results) (*conformance.Matrix, error) {
	for _, in := range res.Inputs {
		path := filepath.Join(filepath.Dir(in.Path), conformance.File)
		f, err := os.Open(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		defer f.Close()
		m, err := conformance.Read(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return m, nil
	}
	return nil, nil
}

// conformanceView is the conformance section: the clauses some column
// does not keep, one row each, a note per reason, and the cells left out
// of the run.
type conformanceView struct {
	Cols       []string // implementation names
	Summary    string   // how many clauses each column keeps
	Rows       []conformanceRow
	Everywhere []string // the clauses every column keeps
	Notes      []string // numbered in the marks' order
	Skipped    []skippedGroup
}

type conformanceRow struct {
	Semantic string // set on the first row of each semantic
	Clause   string
	Marks    []string // "✓", "✗ 1", "n/a 2": the verdict and its note
}

type skippedGroup struct {
	Reason string
	Cells  []string
}

// Conformance returns the view of the report's matrix, or nil.
func (r *report) Conformance() *conformanceView {
	m := r.Summary.Conformance
	if m == nil {
		return nil
	}
	v := &conformanceView{}
	var holding []string
	for _, col := range m.Columns {
		name := col.Impl
		if col.Module != "" {
			name += " (" + col.Module + ")"
		}
		v.Cols = append(v.Cols, col.Impl)
		holding = append(holding, fmt.Sprintf("%s %d/%d", name, m.Holding(col), len(m.Clauses)))
	}
	v.Summary = strings.Join(holding, " · ")
	notes := map[string]int{}
	last := ""
	for _, c := range m.Clauses {
		row := conformanceRow{Clause: c.Name}
		all := true
		for _, col := range m.Columns {
			x, ok := col.Known[c.Name]
			if !ok || x.Verdict == conformance.Holds {
				row.Marks = append(row.Marks, "✓")
				continue
			}
			all = false
			text := x.Why
			if x.Message != "" {
				text += " (first failure: " + x.Message + ")"
			}
			key := col.Impl + ": " + text
			n, seen := notes[key]
			if !seen {
				v.Notes = append(v.Notes, key)
				n = len(v.Notes)
				notes[key] = n
			}
			mark := "✗"
			if x.Verdict != conformance.Fails {
				mark = string(x.Verdict)
			}
			row.Marks = append(row.Marks, fmt.Sprintf("%s %d", mark, n))
		}
		if all {
			v.Everywhere = append(v.Everywhere, c.Name)
			continue
		}
		if c.Semantic != last {
			row.Semantic, last = c.Semantic, c.Semantic
		}
		v.Rows = append(v.Rows, row)
	}
	groups := map[string]int{}
	for _, sk := range m.Skipped {
		i, ok := groups[sk.Reason]
		if !ok {
			i = len(v.Skipped)
			groups[sk.Reason] = i
			v.Skipped = append(v.Skipped, skippedGroup{Reason: sk.Reason})
		}
		v.Skipped[i].Cells = append(v.Skipped[i].Cells, sk.Cell)
	}
	return v
}

const conformanceIntro = "Which clauses of the contract each implementation keeps, as declared beside it and checked by the conformance suite (make test): " +
	"a clause that starts failing, or starts holding, fails the suite until the declaration says so."

var conformanceTemplate = template.Must(template.New("conformance").Funcs(template.FuncMap{
	"inc": func(n int) int { return n + 1 },
}).Parse(`<h2 id="conformance">Conformance</h2>
<p class="muted">{{.Intro}}</p>
{{with .V}}<p>{{.Summary}}</p>
{{if .Rows}}<table><tr><th>clause</th>{{range .Cols}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}{{with .Semantic}}<tr><td class="label muted" colspan="{{len $.V.Cols | inc}}">{{.}}</td></tr>{{end}}<tr><td class="label">{{.Clause}}</td>{{range .Marks}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table>
<ol class="notes">{{range .Notes}}<li>{{.}}</li>{{end}}</ol>{{end}}
<p class="muted">Every implementation keeps {{if .Rows}}the other clauses{{else}}every clause{{end}}: {{range $i, $c := .Everywhere}}{{if $i}}, {{end}}{{$c}}{{end}}.</p>
{{range .Skipped}}<p class="muted">Not run ({{.Reason}}): {{range $i, $c := .Cells}}{{if $i}}, {{end}}<code>{{$c}}</code>{{end}}.</p>
{{end}}{{end}}`))

// ConformanceHTML renders the conformance section, or nothing without a
// matrix.
func (r *report) ConformanceHTML() (template.HTML, error) {
	v := r.Conformance()
	if v == nil {
		return "", nil
	}
	var b bytes.Buffer
	err := conformanceTemplate.Execute(&b, struct {
		Intro string
		V     *conformanceView
	}{conformanceIntro, v})
	return template.HTML(b.String()), err
}

// mdConformance writes the conformance section.
func (r *report) mdConformance(w *strings.Builder) {
	v := r.Conformance()
	if v == nil {
		return
	}
	fmt.Fprintf(w, "## Conformance\n\n%s\n\n%s\n\n", conformanceIntro, v.Summary)
	if len(v.Rows) > 0 {
		md.Row(w, append([]string{"clause"}, v.Cols...)...)
		md.Align(w, "---", len(v.Cols), ":-:")
		for _, row := range v.Rows {
			if row.Semantic != "" {
				md.Row(w, append([]string{"_" + md.Cell(row.Semantic) + "_"}, make([]string, len(v.Cols))...)...)
			}
			md.Row(w, append([]string{row.Clause}, row.Marks...)...)
		}
		w.WriteString("\n")
		for i, n := range v.Notes {
			fmt.Fprintf(w, "%d. %s\n", i+1, md.Cell(n))
		}
		w.WriteString("\n")
		w.WriteString("Every implementation keeps the other clauses: ")
	} else {
		w.WriteString("Every implementation keeps every clause: ")
	}
	w.WriteString(strings.Join(v.Everywhere, ", ") + ".\n\n")
	for _, g := range v.Skipped {
		fmt.Fprintf(w, "Not run (%s): %s.\n\n", md.Cell(g.Reason), strings.Join(mdCodes(g.Cells), ", "))
	}
}

func mdCodes(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = md.Code(s)
	}
	return out
}
