package reports

import (
	"embed"
	"encoding/base64"
	"html/template"
	"io"
	"os"
	"path/filepath"

	"github.com/batchbench/batchbench/reports/internal/md"
	"github.com/batchbench/batchbench/reports/plots"
	"github.com/batchbench/batchbench/reports/profiles"
)

//go:embed report.html.tmpl
var templates embed.FS

// html renders report.html: one self-contained file, plots embedded as
// PNG data URIs and the style sheet inline.
func (r *report) html(w io.Writer) error {
	outDir := filepath.Dir(r.HTML)
	funcs := template.FuncMap{
		"baseline":    baselineCol,
		"pct":         pct,
		"percent":     md.Percent,
		"pp":          pctPoints,
		"short":       profiles.ShortFunc,
		"categories":  profiles.Categories,
		"ncats":       func(n int) int { return len(profiles.Categories()) + n },
		"metricTitle": plots.MetricTitle,
		"share2":      share2,
		"firstN":      func(fs []profiles.FuncDelta, n int) []profiles.FuncDelta { return fs[:min(n, len(fs))] },
		"cellArgs": func(i int, c cellView) any {
			return struct {
				C     cellView
				Delta bool
			}{c, i > 0}
		},
		"dataURI": func(rel string) (template.URL, error) {
			data, err := os.ReadFile(filepath.Join(outDir, filepath.FromSlash(rel)))
			if err != nil {
				return "", err
			}
			return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(data)), nil
		},
	}
	t, err := template.New("report.html.tmpl").Funcs(funcs).ParseFS(templates, "report.html.tmpl")
	if err != nil {
		return err
	}
	return t.Execute(w, r)
}

// baselineCol names the baseline column for the report header.
func baselineCol(r *report) string {
	if r.Config.Baseline != "" {
		return r.Config.Baseline
	}
	if len(r.Tables.Tables) > 0 {
		return r.Tables.Tables[0].Cols[0]
	}
	return "first column"
}
