package reports

import (
	"fmt"
	"math"
	"strings"

	"golang.org/x/perf/benchunit"

	"github.com/batchbench/batchbench/reports/gate"
	"github.com/batchbench/batchbench/reports/internal/md"
	"github.com/batchbench/batchbench/reports/table"
)

// The view types hold the display strings both renderers (HTML and
// Markdown) print, so the two reports say exactly the same thing.

type tableView struct {
	Group, Unit string
	Cols        []string // Cols[0] is the baseline
	Rows        []rowView
	Geomean     *rowView // nil with a single row, as in benchstat's text output
	Notes       []string // footnote texts; cells refer to them by number
	Warnings    []string // table-level warnings
}

type rowView struct {
	Label string
	Cells []cellView // one per column
}

type cellView struct {
	Missing       bool
	Center, Range string // "229.8n", "3%" (Range empty for geomeans)
	Delta, P      string // "-6.03%" / "~", "p=0.015 n=6"; empty for the baseline
	Class         string // "better", "worse", "same" or ""
	Notes         []int  // footnote numbers, 1-based
}

// NoteMarks renders footnote numbers as benchstat does, e.g. "¹ ²".
func (c cellView) NoteMarks() string {
	var s []string
	for _, n := range c.Notes {
		s = append(s, superscript(n))
	}
	return strings.Join(s, " ")
}

func superscript(n int) string {
	const digits = "⁰¹²³⁴⁵⁶⁷⁸⁹"
	d := []rune(digits)
	s := ""
	for ; n > 0; n /= 10 {
		s = string(d[n%10]) + s
	}
	return s
}

func newTableView(t *table.Table, title string) tableView {
	v := tableView{Group: title, Unit: t.Unit, Cols: t.Cols, Warnings: t.Warnings}
	notes := map[string]int{}
	note := func(errs []error) []int {
		var out []int
		for _, e := range errs {
			n, ok := notes[e.Error()]
			if !ok {
				v.Notes = append(v.Notes, e.Error())
				n = len(v.Notes)
				notes[e.Error()] = n
			}
			out = append(out, n)
		}
		return out
	}
	for _, row := range t.Rows {
		rv := rowView{Label: row.Label}
		for _, c := range row.Cells {
			if c == nil {
				rv.Cells = append(rv.Cells, cellView{Missing: true})
				continue
			}
			cv := cellView{Center: t.CenterText(row, c), Range: c.RangeText(), Notes: note(c.Warnings())}
			if c.HasComparison {
				cv.Delta, cv.P = c.DeltaText(), c.PText()
				cv.Class = deltaClass(t.Better, c)
			}
			rv.Cells = append(rv.Cells, cv)
		}
		v.Rows = append(v.Rows, rv)
	}
	if len(t.Rows) > 1 {
		gv := rowView{Label: "geomean"}
		for j, g := range t.Geomean {
			cv := cellView{Center: g.CenterText(t.Unit), Notes: note(g.Warnings)}
			if j > 0 {
				cv.Delta = g.RatioText()
			}
			gv.Cells = append(gv.Cells, cv)
		}
		v.Geomean = &gv
	}
	return v
}

// deltaClass colours a significant change by whether it is an improvement.
func deltaClass(better int, c *table.Cell) string {
	if !c.Significant() {
		return "same"
	}
	switch d := c.Summary.Center - c.Base.Summary.Center; {
	case better == 0 || d == 0:
		return ""
	case (d > 0) == (better > 0):
		return "better"
	default:
		return "worse"
	}
}

// pct formats a share as a percentage with one decimal.
func pct(f float64) string { return fmt.Sprintf("%.1f%%", f*100) }

// pctPoints formats a change of share in percentage points.
func pctPoints(f float64) string { return fmt.Sprintf("%+.1f pp", f*100) }

// share2 formats a category's flat and cumulative shares, "–" for none.
func share2(flat, cum float64) string {
	if flat == 0 && cum == 0 {
		return "–"
	}
	return pct(flat) + " / " + pct(cum)
}

// gateView is the merge gate's per-cell evidence.
type gateView struct {
	Note string
	Rows []gateRow
}

type gateRow struct {
	Cell, Unit, Base, Head, Delta, P, N, Resolves, Status string
	Class                                                 string // "worse" for a blocking regression, "better", "same" or ""
}

// Gate is the per-cell table of a gate report; nil otherwise.
func (r *report) Gate() *gateView {
	d := r.Decision
	if d == nil {
		return nil
	}
	j := d.First
	v := &gateView{Note: fmt.Sprintf("Every gated cell and metric, %s against base. “resolves” is the smallest change the cell's test detects with %.0f%% power at α = %v, simulated with benchmath's test from the cell's own runs; a cell that cannot resolve %s does not count towards “no regression”.",
		j.Head, gate.Power*100, j.Alpha, pct(j.Threshold))}
	if j.Paired {
		v.Note = fmt.Sprintf("Every gated cell and metric, %s against base, judged in pairs (n is the number of pairs): Δ is the ratio of the geometric means, head/base, with its interval at the last look; "+
			"“resolves” is the smallest change for the worse that the cell's last look able to flag it detects with %.0f%% power, at that look's share of the screen's level; "+
			"each says why it stopped: passed (a regression of the threshold ruled out), a regression confirmed on fresh pairs, or cleared by them, or open when the pairs ran out; open cells do not count towards “no regression”.",
			j.Head, gate.Power*100)
	}
	status := map[string]string{}
	key := func(c gate.Cell) string { return c.Section + "\x00" + c.Row + "\x00" + c.Unit }
	for _, c := range j.Noisy {
		status[key(c)] = "noisy"
	}
	for _, c := range j.Improved {
		status[key(c)] = "improvement"
	}
	for _, c := range d.Regressed {
		status[key(c)] = "regression"
	}
	for _, c := range j.Cells {
		st := status[key(c)]
		if st == "" && c.Pairs > 0 {
			st = pairedStatus[c.State]
		}
		if st == "" {
			st = "ok"
			if !c.Resolves(j.Threshold) {
				st = "cannot resolve " + pct(j.Threshold)
			}
		}
		class := benchunit.ClassOf(c.Unit)
		res := "nothing"
		if !math.IsInf(c.Resolution, 1) {
			res = pct(c.Resolution)
		}
		if c.NeedCount > 0 {
			res += fmt.Sprintf(" (needs count ≈%d)", c.NeedCount)
		}
		row := gateRow{
			Cell: c.Name(), Unit: c.Unit, Base: benchunit.Scale(c.Base, class), Head: benchunit.Scale(c.Head, class),
			Delta: c.Change(), P: fmt.Sprintf("%.3f", c.P), N: fmt.Sprintf("%d+%d", c.BaseN, c.N),
			Resolves: res, Status: st, Class: map[string]string{"regression": "worse", "improvement": "better", "ok": "same"}[st],
		}
		if c.Pairs > 0 {
			row.N = fmt.Sprint(c.Pairs)
			if c.Fresh > 0 {
				row.N += fmt.Sprintf(" + %d fresh", c.Fresh)
			}
			if c.State == gate.Passed || c.State == gate.Cleared {
				row.Class = "same"
			}
		}
		v.Rows = append(v.Rows, row)
	}
	return v
}

// estimatesView is what a paired gate's pairs say of each cell metric at
// the report's confidence, beside what the gate decided.
type estimatesView struct {
	Note string
	Rows []estimateRow
}

type estimateRow struct{ Cell, Unit, N, Change, Interval string }

// Estimates is the table of a paired gate's estimates (gate.Estimate);
// nil for any other report.
func (r *report) Estimates() *estimatesView {
	d := r.Decision
	if d == nil || d.Paired == nil {
		return nil
	}
	conf := r.Config.Confidence
	v := &estimatesView{Note: fmt.Sprintf("Each gated cell and metric over all its pairs, the screen's and any fresh ones (n): the change head/base − 1 from the 20%%-trimmed mean of the pairs' log ratios, with Yuen's %s interval and its half width. "+
		"It is the gate's test at one fixed level (-confidence), where the gate's Δ above is at the levels its looks spent; a cell metric the screen flagged was picked for looking worse, so its screen pairs lean that way. "+
		"An allocation unit below its floor is in differences relative to the floor, as the gate judges it.", md.Percent(conf))}
	for _, e := range d.Paired.Estimates(conf) {
		row := estimateRow{Cell: e.Cell, Unit: e.Unit, N: fmt.Sprint(e.Pairs), Change: fmt.Sprintf("%+.2f%%", e.Change*100), Interval: "–"}
		if !math.IsNaN(e.Lo) {
			row.Interval = fmt.Sprintf("[%+.2f%%, %+.2f%%] ±%.2f%%", e.Lo*100, e.Hi*100, (e.Hi-e.Lo)/2/(1+e.Change)*100)
		}
		v.Rows = append(v.Rows, row)
	}
	return v
}

// pairedStatus is why a paired cell metric stopped, as its row says.
var pairedStatus = map[gate.State]string{
	gate.Passed:  "passed",
	gate.Cleared: "cleared on fresh pairs",
	gate.Flagged: "flagged, not confirmed: no fresh pairs decided it",
	gate.Open:    "open: neither passed nor flagged",
	gate.Blocked: "regression",
}
