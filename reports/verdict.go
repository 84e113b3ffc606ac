package reports

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/aclements/go-moremath/stats"
	"golang.org/x/perf/benchmath"

	"github.com/batchbench/batchbench/reports/table"
)

// Verdict says which column wins a section (a family of one
// configuration) on its primary unit, and by how much, counting only
// significant differences.
type Verdict struct {
	Section string // table.Table.Section
	Title   string // the section's name for a reader
	Unit    string // the primary unit the verdict is about, e.g. "sec/op"
	Better  int    // +1 or -1, from the Unit metadata
	// Text is one line for a terminal or a summary list, e.g.
	// "ring is fastest at every size (-59.4% to -60.4% sec/op vs the runner-up)".
	Text string
	// Versus says how every other column compares with the reference
	// column, the simple design a clever one must beat, e.g. "vs mutex:
	// ring 1.9× faster (5 of 5 rows significant); pooled within noise (0 of
	// 5 rows significant; geomean 1.02× slower)"; "" without one.
	Versus string
	Rows   []RowVerdict
}

// RowVerdict is the winner of one row: the best column by center, tested
// against the runner-up with the unit's benchmath assumption.
type RowVerdict struct {
	Row              string // row label, e.g. "size=1000"
	Winner, RunnerUp string
	// Delta is the winner's relative difference from the runner-up,
	// e.g. -0.6 for 60% less time.
	Delta       float64
	Comparison  benchmath.Comparison
	Significant bool
}

// String is the row verdict in benchstat's terms, e.g.
// "size=10: ring -60.11% sec/op vs channel (p=0.000 n=10)".
func (r RowVerdict) String(unit string) string {
	if !r.Significant {
		return fmt.Sprintf("%s: no significant difference between %s and %s (%s)", r.Row, r.Winner, r.RunnerUp, r.Comparison)
	}
	return fmt.Sprintf("%s: %s %+.2f%% %s vs %s (%s)", r.Row, r.Winner, r.Delta*100, unit, r.RunnerUp, r.Comparison)
}

// primaryUnits is the order in which a group's units are considered for
// its verdict; otherwise the first unit with a known direction is used.
var primaryUnits = []string{"sec/op", "p99-sec", "p50-sec", "peak-heap-B", "B/op"}

// verdicts returns one verdict per section with at least two columns and
// a unit whose better direction is known (Unit metadata or benchfmt's
// defaults for ns/op, B/op, allocs/op, MB/s). reference, if a column of
// the section, is what Versus compares every other column with.
func verdicts(ts *table.Tables, reference string) []Verdict {
	var out []Verdict
	for _, sec := range ts.Sections() {
		t := primaryTable(sec)
		if t == nil || len(t.Cols) < 2 {
			continue
		}
		v := Verdict{Section: t.Section(), Title: ts.SectionTitle(t), Unit: t.Unit, Better: t.Better}
		for _, row := range t.Rows {
			if rv, ok := rowVerdict(t, row); ok {
				v.Rows = append(v.Rows, rv)
			}
		}
		v.Text = verdictText(t, v.Rows)
		v.Versus = versus(t, reference)
		out = append(out, v)
	}
	return out
}

func primaryTable(tables []*table.Table) *table.Table {
	for _, u := range primaryUnits {
		for _, t := range tables {
			if t.Unit == u && t.Better != 0 {
				return t
			}
		}
	}
	for _, t := range tables {
		if t.Better != 0 {
			return t
		}
	}
	return nil
}

func rowVerdict(t *table.Table, row *table.Row) (RowVerdict, bool) {
	var idx []int
	for j, c := range row.Cells {
		if c != nil {
			idx = append(idx, j)
		}
	}
	if len(idx) < 2 {
		return RowVerdict{}, false
	}
	// Best first: ascending centers when lower is better.
	slices.SortStableFunc(idx, func(a, b int) int {
		ca, cb := row.Cells[a].Summary.Center, row.Cells[b].Summary.Center
		if t.Better > 0 {
			ca, cb = cb, ca
		}
		switch {
		case ca < cb:
			return -1
		case ca > cb:
			return 1
		}
		return 0
	})
	w, r := row.Cells[idx[0]], row.Cells[idx[1]]
	cmp := t.Assumption.Compare(r.Sample, w.Sample)
	rv := RowVerdict{
		Row: row.Label, Winner: t.Cols[idx[0]], RunnerUp: t.Cols[idx[1]],
		Comparison: cmp,
		// benchmath's own criterion, the one behind benchstat's "~".
		Significant: cmp.FormatDelta(r.Summary.Center, w.Summary.Center) != "~" && w.Summary.Center != r.Summary.Center,
	}
	if r.Summary.Center != 0 {
		rv.Delta = w.Summary.Center/r.Summary.Center - 1
	}
	return rv, true
}

// verdictText condenses the row verdicts into one line.
func verdictText(t *table.Table, rows []RowVerdict) string {
	what := "best " + t.Unit
	switch {
	case t.Better < 0 && strings.Contains(t.Unit, "sec"):
		what = "fastest"
	case t.Better < 0:
		what = "lowest in " + t.Unit
	case t.Better > 0:
		what = "highest in " + t.Unit
	}
	wins := map[string][]RowVerdict{}
	var order []string
	var ties []string
	for _, r := range rows {
		if !r.Significant {
			ties = append(ties, r.Row)
			continue
		}
		if _, ok := wins[r.Winner]; !ok {
			order = append(order, r.Winner)
		}
		wins[r.Winner] = append(wins[r.Winner], r)
	}
	if len(order) == 0 {
		if len(t.Cols) > 2 { // the others may differ: the Versus line says
			return fmt.Sprintf("no significant winner in %s anywhere: the best two are within noise in every row", t.Unit) + powerNote(rows)
		}
		return fmt.Sprintf("no significant difference in %s anywhere", t.Unit) + powerNote(rows)
	}
	var parts []string
	for _, w := range order {
		rs := wins[w]
		where := fmt.Sprintf("in %d of %d rows", len(rs), len(rows))
		if len(rs) == len(rows) {
			where = "everywhere"
			if k := table.VaryingKey(t.Rows); k != "" && len(rows) > 1 {
				where = "at every " + k
			}
		} else if len(rs) <= 6 {
			var names []string
			for _, r := range rs {
				names = append(names, r.Row)
			}
			where = "at " + strings.Join(names, ", ")
		}
		parts = append(parts, fmt.Sprintf("%s is %s %s (%s %s vs the runner-up)", w, what, where, deltaRange(rs), t.Unit))
	}
	text := strings.Join(parts, "; ")
	if len(ties) > 0 {
		text += fmt.Sprintf("; no significant winner at %s", strings.Join(ties, ", ")) + powerNote(rows)
	}
	return text
}

// powerNote repeats benchmath's warning when a row had too few runs to
// show any difference, so "no difference" is not read as "equal".
func powerNote(rows []RowVerdict) string {
	for _, r := range rows {
		if !r.Significant && len(r.Comparison.Warnings) > 0 {
			return " (" + r.Comparison.Warnings[0].Error() + ")"
		}
	}
	return ""
}

func deltaRange(rs []RowVerdict) string {
	lo, hi := rs[0].Delta, rs[0].Delta
	for _, r := range rs {
		lo, hi = min(lo, r.Delta), max(hi, r.Delta)
	}
	if fmt.Sprintf("%+.1f", lo*100) == fmt.Sprintf("%+.1f", hi*100) {
		return fmt.Sprintf("%+.1f%%", lo*100)
	}
	// Order the bounds by magnitude so the range reads "-59.4% to -60.4%".
	if math.Abs(lo) > math.Abs(hi) {
		lo, hi = hi, lo
	}
	return fmt.Sprintf("%+.1f%% to %+.1f%%", lo*100, hi*100)
}

// versus compares each column with the reference column on the table's
// rows: the geometric mean of the ratios of medians, and in how many rows
// benchmath's test calls the difference significant. A column that no row
// tells apart from the reference is "within noise", whatever its geomean.
func versus(t *table.Table, reference string) string {
	ref := slices.Index(t.Cols, reference)
	if ref < 0 || t.Better == 0 {
		return ""
	}
	var parts []string
	for j, col := range t.Cols {
		if j == ref {
			continue
		}
		var ratios []float64
		sig := 0
		for _, row := range t.Rows {
			r, c := row.Cells[ref], row.Cells[j]
			if r == nil || c == nil || r.Summary.Center <= 0 || c.Summary.Center <= 0 {
				continue
			}
			ratios = append(ratios, c.Summary.Center/r.Summary.Center)
			if t.Assumption.Compare(r.Sample, c.Sample).P <= r.Sample.Thresholds.CompareAlpha {
				sig++
			}
		}
		if len(ratios) == 0 {
			continue
		}
		g := stats.GeoMean(ratios)
		if t.Better > 0 {
			g = 1 / g // higher is better: more is the faster side
		}
		factor := factorText(g, t.Unit)
		text := fmt.Sprintf("%s (%d of %d rows significant)", factor, sig, len(ratios))
		if sig == 0 {
			// A direction no row supports is the seed report's claim from
			// noise: say it is within noise, and give the geomean after.
			text = fmt.Sprintf("within noise (0 of %d rows significant; geomean %s)", len(ratios), factor)
		}
		parts = append(parts, col+" "+text)
	}
	if len(parts) == 0 {
		return ""
	}
	return "vs " + reference + ": " + strings.Join(parts, "; ")
}

// factorText reads a cost ratio (column over reference, lower better) as
// "1.9× faster", "3.2× slower" or "as fast", in words for time units.
func factorText(g float64, unit string) string {
	better, worse, same := "better", "worse", "about the same"
	if strings.Contains(unit, "sec") {
		better, worse, same = "faster", "slower", "about as fast"
	}
	word, f := worse, g
	switch {
	case math.Abs(g-1) < 0.01:
		return same
	case g < 1:
		word, f = better, 1/g
	}
	if f >= 10 {
		return fmt.Sprintf("%.0f× %s", f, word)
	}
	return fmt.Sprintf("%.3g× %s", f, word)
}
