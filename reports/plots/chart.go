package plots

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"

	"golang.org/x/perf/benchmath"
	"golang.org/x/perf/benchunit"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/batchbench/batchbench/reports/internal/md"
	"github.com/batchbench/batchbench/reports/table"
)

// Palette are the Okabe–Ito colours, distinguishable with colour-vision
// deficiencies, in the order lines take them.
var Palette = []color.Color{
	color.RGBA{0, 114, 178, 255}, color.RGBA{230, 159, 0, 255}, color.RGBA{0, 158, 115, 255},
	color.RGBA{213, 94, 0, 255}, color.RGBA{204, 121, 167, 255}, color.RGBA{86, 180, 233, 255},
	color.RGBA{0, 0, 0, 255}, color.RGBA{240, 228, 66, 255},
}

var glyphs = []draw.GlyphDrawer{draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{},
	draw.PyramidGlyph{}, draw.RingGlyph{}, draw.BoxGlyph{}, draw.CrossGlyph{}, draw.PlusGlyph{}}

var dashes = [][]vg.Length{{}, {vg.Points(6), vg.Points(3)}, {vg.Points(2), vg.Points(2)}}

var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

// maxLegendLabel bounds the legend column to about a quarter of the chart.
const maxLegendLabel = 28

// shorten cuts s to n runes, keeping its end (the distinctive part of a
// path or a parameter list).
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return "…" + string(r[len(r)-n+1:])
}

// chart is one plot of a table: the metric against the varying parameter.
type chart struct {
	plot *plot.Plot
	// legend is drawn beside the plot, not by plot.Draw (which would put
	// it over the data); labels are kept to size its column.
	legend plot.Legend
	labels []string
	notes  []string
	drawn  []*series // as plotted, with the scales' adjustments
}

// point is one cell drawn: x position, median and error bar, scaled.
type point struct {
	x, y, lo, hi float64
	minMax       bool // the bar is min–max because there is no CI
	clamped      bool // lo was below the axis and was drawn to it
}

// series is one line: a column, or a column and another parameter.
type series struct {
	label  string
	points []point
	hidden int // points not drawn because y <= 0 on a log axis
}

// newChart lays out the plot of t, titled by its section; it decides
// the scales, so a log scale never meets a value <= 0 (gonum's LogScale
// panics on those).
func newChart(t *table.Table, section string, confidence float64) (*chart, error) {
	c := &chart{plot: plot.New(), legend: plot.NewLegend()}
	p := c.plot
	title, symbol := t.Unit, t.Unit
	for _, m := range keyMetrics {
		if m.unit == t.Unit {
			title, symbol = m.title, m.symbol
		}
	}

	p.Title.Text = fmt.Sprintf("%s: %s (%s)", section, title, t.Unit)
	styleFonts(p)
	c.legend.TextStyle.Font = font.From(sans, 10)
	c.legend.Top, c.legend.Left = true, true
	c.legend.Padding = vg.Points(3)

	xKey := table.VaryingKey(t.Rows)
	xs, xLabels, numeric := xPositions(t.Rows, xKey)
	ss, scaler := c.buildSeries(t, xs, xKey, symbol)

	// X axis: log when the parameter spans about a decade.
	xmin, xmax := slices.Min(xs), slices.Max(xs)
	logX := numeric && spansDecades(xmin, xmax, 8)
	if logX {
		p.X.Scale = plot.LogScale{}
	}
	p.X.Tick.Marker = paramTicks(xs, xLabels)
	p.X.Label.Text = xKey
	if !numeric {
		c.notes = append(c.notes, "x axis: categories in table order")
	}
	dodge(ss, logX, xmin, xmax, numeric)

	// Y axis: log when the medians span two decades; zeros are then left
	// out and listed, since log(0) does not exist. Either way the axis
	// ends at labelled ticks, so every value drawn lies between labels.
	medMin, medMax := medianRange(ss)
	_, ymax, negative := yRange(ss)
	logY := spansDecades(medMin, medMax, 100)
	if logY {
		c.dropNonPositive(ss)
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.TickerFunc(logTicks)
		p.Y.Min, p.Y.Max = logBounds(barFloor(ss), ymax)
		c.clampBars(ss, p.Y.Min)
	} else {
		p.Y.Tick.Marker = plot.TickerFunc(linearTicks)
		if !negative {
			p.Y.Min = 0 // linear axes start at zero so heights compare honestly
			p.Y.Max = linearMax(ymax)
		}
		if ymax == 0 && !negative {
			p.Y.Max = 1 // gonum would centre an empty range on 0, showing -1…1
			c.notes = append(c.notes, "all values are 0")
		}
	}
	p.Y.Label.Text = axisUnit(symbol, scaler)
	if logY {
		p.Y.Label.Text += " (log)"
	}
	if logX {
		p.X.Label.Text += " (log)"
	}

	c.drawn = ss
	for i, s := range ss {
		if err := c.addSeries(i, len(t.Cols), s); err != nil {
			return nil, err
		}
	}
	if len(ss) < 2 {
		c.labels = nil // one line needs no legend; the title names it
	}
	c.notes = append(c.notes, barNote(t, ss, confidence))
	// Pad the log x axis so dodged end points stay inside.
	if logX {
		p.X.Min, p.X.Max = xmin/1.25, xmax*1.25
	} else if numeric {
		pad := (xmax - xmin) * 0.05
		p.X.Min, p.X.Max = xmin-pad, xmax+pad
	} else {
		p.X.Min, p.X.Max = -0.5, float64(len(xs))-0.5
	}
	return c, nil
}

// styleFonts uses a sans-serif face throughout, sized to stay legible
// when the chart is shown at half width, and adds a grid.
func styleFonts(p *plot.Plot) {
	p.Title.TextStyle.Font = font.From(sans, 13)
	p.Title.Padding = vg.Points(8)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sans, 11)
		a.Tick.Label.Font = font.From(sans, 10)
	}
	p.Add(plotter.NewGrid())
}

// xPositions places each row on the x axis: its parameter value when all
// are numeric and no two rows of one series share one, else its index (a
// categorical axis).
func xPositions(rows []*table.Row, key string) (xs []float64, labels []string, numeric bool) {
	numeric = true
	seen := map[string]bool{}
	for _, r := range rows {
		s, ok := r.ParamValue(key)
		if !ok {
			s = r.Label
		}
		labels = append(labels, s)
		v, ok := table.ParseParam(s)
		id := fmt.Sprint(seriesOf(r, key, rows), "\x00", v)
		numeric = numeric && ok && !seen[id]
		seen[id] = true
		xs = append(xs, v)
	}
	if !numeric {
		for i := range xs {
			xs[i] = float64(i)
		}
	}
	return xs, labels, numeric
}

// buildSeries makes one series per column, split further by any parameter
// other than the x parameter that varies (e.g. two batch sizes).
func (c *chart) buildSeries(t *table.Table, xs []float64, xKey, symbol string) ([]*series, benchunit.Scaler) {
	// Scale by the largest center: the axis then reads 1–1000 at the top
	// rather than showing 50000µs.
	top := 0.0
	for _, r := range t.Rows {
		for _, cell := range r.Cells {
			if cell != nil {
				top = max(top, math.Abs(cell.Summary.Center))
			}
		}
	}
	scaler := benchunit.CommonScale([]float64{top}, benchunit.ClassOf(t.Unit))
	if !baseUnit(symbol) && scaler.Factor < 1 {
		scaler = benchunit.Scaler{Factor: 1} // "0.02 allocs/op" reads better than "20 m allocs/op"
	}
	var out []*series
	index := map[string]*series{}
	for j, col := range t.Cols {
		for i, r := range t.Rows {
			cell := r.Cells[j]
			if cell == nil {
				continue
			}
			label := col
			if other := seriesOf(r, xKey, t.Rows); other != "" {
				label += " " + other
			}
			s := index[label]
			if s == nil {
				s = &series{label: label}
				index[label] = s
				out = append(out, s)
			}
			lo, hi, minMax := errorBar(cell, t.Assumption)
			f := scaler.Factor
			s.points = append(s.points, point{x: xs[i], y: cell.Summary.Center / f, lo: lo / f, hi: hi / f, minMax: minMax})
		}
	}
	return out, scaler
}

// seriesOf names what sets the row apart from rows of other series: its
// benchmark name when the table mixes names (benchstat's default -table
// .config does), and its parameters besides key that differ between rows.
func seriesOf(r *table.Row, key string, rows []*table.Row) string {
	var parts []string
	for _, o := range rows {
		if o.Name != r.Name {
			parts = append(parts, r.Name)
			break
		}
	}
	for _, p := range r.Param {
		if p.Key == key {
			continue
		}
		for _, o := range rows {
			if v, _ := o.ParamValue(p.Key); v != p.Value {
				parts = append(parts, p.Key+"="+p.Value)
				break
			}
		}
	}
	return strings.Join(parts, " ")
}

// errorBar is the cell's confidence interval, or its min–max when the
// interval is unbounded (too few samples for the confidence level).
func errorBar(c *table.Cell, a benchmath.Assumption) (lo, hi float64, minMax bool) {
	lo, hi = c.Summary.Lo, c.Summary.Hi
	if math.IsInf(lo, 0) || math.IsInf(hi, 0) || math.IsNaN(lo) || math.IsNaN(hi) || a == benchmath.AssumeExact {
		v := c.Sample.Values
		return v[0], v[len(v)-1], true
	}
	return lo, hi, false
}

// dodge shifts each series slightly along x so overlapping error bars
// stay readable; the shift is a fixed fraction of the axis.
func dodge(ss []*series, logX bool, xmin, xmax float64, numeric bool) {
	n := float64(len(ss))
	for k, s := range ss {
		off := (float64(k) - (n-1)/2) * 0.012
		for i := range s.points {
			pt := &s.points[i]
			switch {
			case logX:
				pt.x *= math.Exp(off * math.Log(xmax/xmin))
			case numeric:
				pt.x += off * (xmax - xmin)
			default:
				pt.x += off * 4
			}
		}
	}
}

// yRange is the smallest positive and the largest value of bars and
// medians (min is 0 when none is positive), and whether any is negative.
func yRange(ss []*series) (min, max float64, negative bool) {
	min, max = math.Inf(1), math.Inf(-1)
	for _, s := range ss {
		for _, p := range s.points {
			for _, v := range []float64{p.y, p.lo, p.hi} {
				if v > 0 {
					min = math.Min(min, v)
				}
				negative = negative || v < 0
				max = math.Max(max, v)
			}
		}
	}
	if math.IsInf(min, 1) {
		min = 0
	}
	return min, max, negative
}

// medianRange is the smallest and largest positive median.
func medianRange(ss []*series) (lo, hi float64) {
	lo, hi = math.Inf(1), 0
	for _, s := range ss {
		for _, p := range s.points {
			if p.y > 0 {
				lo, hi = math.Min(lo, p.y), math.Max(hi, p.y)
			}
		}
	}
	return lo, hi
}

// barFloor is where a log axis starts: at the lowest error bar, except
// that a bar reaching more than a decade below its median (towards 0) is
// cut at the axis rather than stretching it.
func barFloor(ss []*series) float64 {
	floor := math.Inf(1)
	for _, s := range ss {
		for _, p := range s.points {
			lo := p.lo
			if lo <= 0 || lo < p.y/10 {
				lo = p.y
			}
			floor = math.Min(floor, lo)
		}
	}
	return floor
}

// dropNonPositive removes points a log axis cannot show, noting them.
func (c *chart) dropNonPositive(ss []*series) {
	for _, s := range ss {
		kept := s.points[:0]
		for _, p := range s.points {
			if p.y <= 0 {
				s.hidden++
				continue
			}
			kept = append(kept, p)
		}
		s.points = kept
		if s.hidden > 0 {
			c.notes = append(c.notes, fmt.Sprintf("%s: %d point(s) with value ≤ 0 not drawn on the log axis", s.label, s.hidden))
		}
	}
}

// clampBars draws error bars that reach below the axis to the axis, and
// marks each such end, so a bar down to 0 is seen, not lost.
func (c *chart) clampBars(ss []*series, floor float64) {
	clamped := false
	for _, s := range ss {
		for i := range s.points {
			if p := &s.points[i]; p.lo < floor {
				p.lo, p.clamped, clamped = floor, true, true
			}
		}
	}
	if clamped {
		c.notes = append(c.notes, "error bars marked ▼ reach below the axis (towards 0) and are drawn to it")
	}
}

// addSeries draws series i as a line with markers at the medians and
// error bars; columns get colours and markers, other parameters dashes.
func (c *chart) addSeries(i, nCols int, s *series) error {
	col := Palette[i%nCols%len(Palette)]
	dash := dashes[(i/nCols)%len(dashes)]
	label := shorten(s.label, maxLegendLabel)
	if len(s.points) == 0 {
		label += " (≤ 0, not drawn)"
		c.legend.Add(label)
		c.labels = append(c.labels, label)
		return nil
	}
	xys := make(plotter.XYs, len(s.points))
	errs := make(plotter.YErrors, len(s.points))
	for k, p := range s.points {
		xys[k] = plotter.XY{X: p.x, Y: p.y}
		errs[k] = struct{ Low, High float64 }{p.y - p.lo, p.hi - p.y}
	}
	line, bars, err := LineWithBars(xys, errs, col)
	if err != nil {
		return err
	}
	line.Dashes = dash
	bars.Width, bars.CapWidth = vg.Points(1), vg.Points(6)
	pts, err := plotter.NewScatter(xys)
	if err != nil {
		return err
	}
	pts.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(3.5), Shape: glyphs[i%len(glyphs)]}
	c.plot.Add(line, bars, pts)
	var cut plotter.XYs
	for _, p := range s.points {
		if p.clamped {
			cut = append(cut, plotter.XY{X: p.x, Y: p.lo})
		}
	}
	if len(cut) > 0 {
		marks, err := plotter.NewScatter(cut)
		if err != nil {
			return err
		}
		marks.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(4), Shape: downTriangle{}}
		c.plot.Add(marks)
	}
	c.legend.Add(label, line, pts)
	c.labels = append(c.labels, label)
	return nil
}

// downTriangle marks an error bar cut at the axis: it points past it.
type downTriangle struct{}

func (downTriangle) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	r := sty.Radius
	c.SetColor(sty.Color)
	var p vg.Path
	p.Move(vg.Point{X: pt.X - r, Y: pt.Y + r})
	p.Line(vg.Point{X: pt.X + r, Y: pt.Y + r})
	p.Line(vg.Point{X: pt.X, Y: pt.Y - r/2})
	p.Close()
	c.Fill(p)
}

// barNote says what markers and error bars show, the bars at confidence.
func barNote(t *table.Table, ss []*series, confidence float64) string {
	minMax := false
	for _, s := range ss {
		for _, p := range s.points {
			minMax = minMax || p.minMax
		}
	}
	conf := md.Percent(confidence)
	if t.Assumption == benchmath.AssumeExact {
		return "markers: exact value; bars: min–max"
	}
	if minMax {
		return "markers: median; bars: min–max (too few runs for a " + conf + " confidence interval)"
	}
	return "markers: median; bars: " + conf + " confidence interval of the median"
}

// baseUnit reports whether a unit symbol takes SI/IEC prefixes directly
// ("ns/op", "MiB"); other units are counts ("allocs/op", "items/s").
func baseUnit(symbol string) bool {
	return symbol == "s" || strings.HasPrefix(symbol, "s/") || strings.HasPrefix(symbol, "B")
}

// axisUnit labels a scaled axis: "ns/op", "MiB" or "M items/s".
func axisUnit(symbol string, s benchunit.Scaler) string {
	switch {
	case s.Prefix == "":
		return symbol
	case baseUnit(symbol):
		return s.Prefix + symbol
	}
	return s.Prefix + " " + symbol
}

// LineWithBars draws a series in col: a line through xys and, at each
// point, an error bar spanning errs.
func LineWithBars(xys plotter.XYs, errs plotter.YErrors, col color.Color) (*plotter.Line, *plotter.YErrorBars, error) {
	line, err := plotter.NewLine(xys)
	if err != nil {
		return nil, nil, err
	}
	line.Color, line.Width = col, vg.Points(1.5)
	bars, err := plotter.NewYErrorBars(struct {
		plotter.XYs
		plotter.YErrors
	}{xys, errs})
	if err != nil {
		return nil, nil, err
	}
	bars.Color = col
	return line, bars, nil
}
