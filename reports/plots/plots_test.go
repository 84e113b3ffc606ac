package plots

import (
	"bytes"
	"fmt"
	"image"
	_ "image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot"

	"github.com/batchbench/batchbench/reports/internal/fixture"
	"github.com/batchbench/batchbench/reports/table"
)

func TestPlotsWritten(t *testing.T) {
	ts := fixture.Tables(t, table.Config{Table: ".config,.name", Col: "/impl", Baseline: "channel"}, fixture.ResultsFile(t))
	out := t.TempDir()
	plots, err := Write(ts, out)
	if err != nil {
		t.Fatal(err)
	}
	// Key metrics present in the fixture: Size 5, Interval 2,
	// Concurrency 3, Memory 3.
	if len(plots) != 13 {
		t.Errorf("%d plots, want 13", len(plots))
	}
	for _, p := range plots {
		png, err := os.ReadFile(filepath.Join(out, p.PNG))
		if err != nil {
			t.Fatal(err)
		}
		img, format, err := image.Decode(bytes.NewReader(png))
		if err != nil || format != "png" {
			t.Fatalf("%s: %v (%s)", p.PNG, err, format)
		}
		if b := img.Bounds(); b.Dx() < 800 || b.Dy() < 400 {
			t.Errorf("%s: %v is too small to read", p.PNG, b)
		}
		svg, err := os.ReadFile(filepath.Join(out, p.SVG))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(svg, []byte("<svg")) || !bytes.Contains(svg, []byte("@font-face")) ||
			!bytes.Contains(svg, []byte("data:font/ttf;charset=utf-8;base64,")) {
			t.Errorf("%s: not an SVG with embedded fonts", p.SVG)
		}
		if len(p.Notes) == 0 {
			t.Errorf("%s: no caption notes", p.PNG)
		}
	}
}

func TestLogAxisWithZeros(t *testing.T) {
	// ring allocates nothing: its B/op are all 0 while the others span
	// four decades, so the axis is logarithmic and ring's points must be
	// left out (and said so) rather than panic in gonum's LogScale.
	ts := fixture.Tables(t, table.Config{Table: ".config,.name", Col: "/impl", Baseline: "channel"}, fixture.ResultsFile(t))
	c, err := newChart(fixture.FindTable(t, ts, "Size", "B/op"), "Size", 0.95)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(c.plot.Y.Label.Text, "(log)") {
		t.Errorf("y axis %q is not logarithmic", c.plot.Y.Label.Text)
	}
	if !strings.Contains(strings.Join(c.notes, " "), "ring: 5 point(s) with value ≤ 0 not drawn") {
		t.Errorf("notes %q do not mention the zeros", c.notes)
	}
	if err := c.writePNG(filepath.Join(t.TempDir(), "b.png")); err != nil {
		t.Fatal(err)
	}

	// All values zero (and a narrow positive range with zeros): linear.
	in := ""
	for i := 0; i < 6; i++ {
		in += "BenchmarkZ/impl=a/n=1 1 0 allocs/op\nBenchmarkZ/impl=a/n=10 1 0 allocs/op\nBenchmarkZ/impl=b/n=1 1 0 allocs/op\nBenchmarkZ/impl=b/n=10 1 2 allocs/op\n"
	}
	ts = fixture.Tables(t, table.Config{Table: ".config,.name", Col: "/impl"}, fixture.WriteFile(t, t.TempDir(), "z.txt", in))
	c, err = newChart(ts.Tables[0], "Z", 0.95)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(c.plot.Y.Label.Text, "(log)") {
		t.Errorf("y axis %q is logarithmic with zero values", c.plot.Y.Label.Text)
	}
	if err := c.writeSVG(filepath.Join(t.TempDir(), "z.svg")); err != nil {
		t.Fatal(err)
	}
}

func TestTicks(t *testing.T) {
	labels := func(ticks []plot.Tick) []string {
		var out []string
		for _, tk := range ticks {
			if tk.Label != "" {
				out = append(out, tk.Label)
			}
		}
		return out
	}
	// One decade: plot.LogTicks would label only "100"; we label 1-2-5.
	if got := labels(logTicks(60, 600)); strings.Join(got, " ") != "100 200 500" {
		t.Errorf("logTicks(60, 600) labels %q", got)
	}
	if got := labels(logTicks(1, 1e6)); strings.Join(got, " ") != "1 10 100 1000 10000 100000 1e+06" {
		t.Errorf("logTicks(1, 1e6) labels %q", got)
	}
	for _, r := range [][2]float64{{0, 10}, {-1, 10}, {5, 5}, {10, 1}} {
		if got := logTicks(r[0], r[1]); got != nil {
			t.Errorf("logTicks(%v) = %v, want none", r, got)
		}
	}
	if got := labels(linearTicks(0, 280)); strings.Join(got, " ") != "0 100 200" {
		t.Errorf("linearTicks(0, 280) labels %q", got)
	}
	if got := labels(linearTicks(0, 0.3)); strings.Join(got, " ") != "0 0.1 0.2 0.3" {
		t.Errorf("linearTicks(0, 0.3) labels %q", got)
	}
	if got := labels(linearTicks(0, 1)); strings.Join(got, " ") != "0 0.2 0.4 0.6 0.8 1" {
		t.Errorf("linearTicks(0, 1) labels %q", got)
	}
	if got := labels(linearTicks(-50, 50)); strings.Join(got, " ") != "-40 -20 0 20 40" {
		t.Errorf("linearTicks(-50, 50) labels %q", got)
	}
	if got := linearTicks(1, 1); got != nil {
		t.Errorf("linearTicks(1, 1) = %v", got)
	}
	// Parameter labels are the names' own strings, thinned when crowded.
	pt := paramTicks([]float64{10, 100, 1000}, []string{"10", "100", "1k"})
	if got := labels([]plot.Tick(pt)); strings.Join(got, " ") != "10 100 1k" {
		t.Errorf("paramTicks labels %q", got)
	}
	var pos []float64
	var names []string
	for i := 0; i < 30; i++ {
		pos, names = append(pos, float64(i)), append(names, "x")
	}
	if got := labels([]plot.Tick(paramTicks(pos, names))); len(got) > 12 {
		t.Errorf("%d labels for 30 crowded parameters", len(got))
	}
}

// Every plotted value lies within labelled ticks, on linear and log axes
// of any span, and a bar down to 0 on a log axis is drawn and marked.
func TestAxesLabelEveryValue(t *testing.T) {
	lines := func(unit string, vals map[string][]float64) string {
		var b strings.Builder
		for _, impl := range []string{"a", "b"} {
			for i, v := range vals[impl] {
				for run := range 6 {
					fmt.Fprintf(&b, "BenchmarkF/impl=%s/n=%d 1 %g %s\n", impl, []int{1, 10, 100}[i], v*(1+0.001*float64(run)), unit)
				}
			}
		}
		return b.String()
	}
	for _, tc := range []struct {
		name string
		in   string
		log  bool
	}{
		// 125–130 B/op: under a decade.
		{"narrow", lines("B/op", map[string][]float64{"a": {125, 127, 130}, "b": {126, 128, 129}}), false},
		// 0.015–0.03 µs beside 1–3 µs: log, and the small ones labelled.
		{"wide", lines("ns/op", map[string][]float64{"a": {1000, 2000, 3000}, "b": {15, 20, 30}}), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := fixture.Tables(t, table.Config{Table: ".name", Col: "/impl"}, fixture.WriteFile(t, t.TempDir(), "r.txt", tc.in))
			c, err := newChart(ts.Tables[0], "F", 0.95)
			if err != nil {
				t.Fatal(err)
			}
			p := c.plot
			if got := strings.Contains(p.Y.Label.Text, "(log)"); got != tc.log {
				t.Errorf("log axis %v, want %v", got, tc.log)
			}
			var labelled []float64
			for _, tk := range p.Y.Tick.Marker.Ticks(p.Y.Min, p.Y.Max) {
				if tk.Label != "" {
					labelled = append(labelled, tk.Value)
				}
			}
			if len(labelled) < 2 {
				t.Fatalf("labels at %v: fewer than two", labelled)
			}
			lo, hi := labelled[0], labelled[len(labelled)-1]
			for _, s := range c.series(t) {
				for _, pt := range s.points {
					if pt.lo < lo*(1-1e-9) || pt.hi > hi*(1+1e-9) {
						t.Errorf("%s: value %v–%v outside the labels %v–%v", s.label, pt.lo, pt.hi, lo, hi)
					}
				}
			}
		})
	}

	// A bar whose lower end is 0 on a log axis: drawn to the axis, marked.
	var b strings.Builder
	for run := range 6 {
		fmt.Fprintf(&b, "BenchmarkF/impl=a/n=1 1 %d B/op\nBenchmarkF/impl=a/n=10 1 1000 B/op\n", []int{0, 0, 5, 5, 9, 9}[run])
	}
	ts := fixture.Tables(t, table.Config{Table: ".name", Col: "/impl"}, fixture.WriteFile(t, t.TempDir(), "z.txt", b.String()))
	c, err := newChart(ts.Tables[0], "F", 0.95)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(c.notes, " "), "▼") {
		t.Errorf("notes %q do not mark the bar cut at the axis", c.notes)
	}
}

// series returns the chart's drawn series, for tests.
func (c *chart) series(t *testing.T) []*series {
	t.Helper()
	return c.drawn
}
