package plots

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/batchbench/batchbench/internal/atomicfile"
	"github.com/batchbench/batchbench/reports/table"
)

// File is one chart written by Write.
type File struct {
	Section     string // the table section (table.Table.Section) it plots
	Group, Unit string
	Title       string
	// PNG and SVG are slash-separated paths relative to the output
	// directory, e.g. "plots/size-sec-op.png", as report.md links them.
	PNG, SVG string
	// Notes are caveats to print under the chart: scale choices, points
	// that could not be drawn, what the error bars mean.
	Notes []string
}

// keyMetrics are the units plotted for every group that has them, in
// order, with a title and the symbol the scaled axis is labelled with.
var keyMetrics = []struct{ unit, title, symbol string }{
	{"sec/op", "time per op", "s/op"},
	{"cpu-sec/op", "CPU time per op", "s/op"},
	{"items/s", "throughput", "items/s"},
	{"allocs/op", "allocations per op", "allocs/op"},
	{"B/op", "bytes allocated per op", "B/op"},
	{"p50-sec", "p50 latency", "s"},
	{"p99-sec", "p99 latency", "s"},
	{"peak-heap-B", "peak heap in use", "B"},
}

// Chart geometry: wide enough for a right-hand legend, 150 dpi PNGs.
const (
	chartWidth  = 7 * vg.Inch
	chartHeight = 4 * vg.Inch
	chartDPI    = 150
)

// Write draws, for every group (benchmark family) and key metric
// present, the metric against the group's varying parameter with one line
// per column, the median marked and error bars from the confidence
// interval (min–max where there is none). It writes PNG and SVG (fonts
// embedded) into outDir/plots. Groups whose rows do not vary get no chart.
// A group without any key metric gets a chart of its first unit.
func Write(ts *table.Tables, outDir string) ([]File, error) {
	dir := filepath.Join(outDir, "plots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var out []File
	for _, sec := range ts.Sections() {
		for _, t := range plottedTables(sec) {
			if len(t.Rows) < 2 {
				continue
			}
			c, err := newChart(t, ts.SectionTitle(t), ts.Config.Confidence)
			if err != nil {
				return nil, fmt.Errorf("reports: plot %s %s: %w", t.Group, t.Unit, err)
			}
			base := Slug(ts.SectionTitle(t) + "-" + t.Unit)
			pf := File{Section: t.Section(), Group: t.Group, Unit: t.Unit, Title: c.plot.Title.Text,
				PNG: "plots/" + base + ".png", SVG: "plots/" + base + ".svg", Notes: c.notes}
			if err := c.writePNG(filepath.Join(outDir, pf.PNG)); err != nil {
				return nil, err
			}
			if err := c.writeSVG(filepath.Join(outDir, pf.SVG)); err != nil {
				return nil, err
			}
			out = append(out, pf)
		}
	}
	return out, nil
}

// MetricTitle describes a key metric's unit, e.g. "time per op"; "" for
// other units.
func MetricTitle(unit string) string {
	for _, m := range keyMetrics {
		if m.unit == unit {
			return m.title
		}
	}
	return ""
}

func plottedTables(tables []*table.Table) []*table.Table {
	var out []*table.Table
	for _, m := range keyMetrics {
		for _, t := range tables {
			if t.Unit == m.unit {
				out = append(out, t)
			}
		}
	}
	if len(out) == 0 && len(tables) > 0 {
		out = tables[:1]
	}
	return out
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// Slug makes a file name of a title: lower case, runs of anything but
// letters and digits one dash, e.g. "Size · sec/op" → "size-sec-op".
func Slug(s string) string {
	return strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(s), "-"), "-")
}

// layout draws the plot with its legend in a column on the right, outside
// the data area, so the legend never hides a line.
func (c *chart) layout(dc draw.Canvas) {
	p := c.plot
	if len(c.labels) == 0 {
		p.Draw(dc)
		return
	}
	legendW := vg.Length(0)
	for _, e := range c.labels {
		legendW = max(legendW, c.legend.TextStyle.Width(e))
	}
	legendW += c.legend.ThumbnailWidth + vg.Points(24)
	p.Draw(draw.Crop(dc, 0, -legendW, 0, 0))
	titleH := p.Title.TextStyle.Rectangle(p.Title.Text).Size().Y + p.Title.Padding
	area := draw.Crop(dc, dc.Max.X-dc.Min.X-legendW+vg.Points(8), 0, 0, -titleH-vg.Points(6))
	c.legend.Draw(area)
}

func (c *chart) writePNG(path string) error { return WritePNG(path, chartWidth, chartHeight, c.layout) }

// WritePNG paints a width × height canvas at the charts' resolution and
// writes it to path as a PNG, atomically.
func WritePNG(path string, width, height vg.Length, paint func(draw.Canvas)) error {
	img := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(chartDPI))
	paint(draw.New(img))
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
		return err
	})
}

func (c *chart) writeSVG(path string) error {
	svg := vgsvg.NewWith(vgsvg.UseWH(chartWidth, chartHeight), vgsvg.EmbedFonts(true))
	c.layout(draw.New(svg))
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := svg.WriteTo(w)
		return err
	})
}
