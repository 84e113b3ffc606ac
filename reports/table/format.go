package table

import (
	"fmt"

	"golang.org/x/perf/benchunit"
)

// Scaler returns the common benchunit scale for a row's centers, so the
// row's numbers share one prefix, as in benchstat.
func (t *Table) Scaler(row *Row) benchunit.Scaler {
	var centers []float64
	for _, c := range row.Cells {
		if c != nil {
			centers = append(centers, c.Summary.Center)
		}
	}
	return benchunit.CommonScale(centers, benchunit.ClassOf(t.Unit))
}

// CenterText is the cell's center in benchstat's format, e.g. "229.8n".
func (t *Table) CenterText(row *Row, c *Cell) string {
	return t.Scaler(row).Format(c.Summary.Center)
}

// RangeText is the CI half-width as benchstat prints it after "±", e.g. "3%".
func (c *Cell) RangeText() string { return c.Summary.PctRangeString() }

// DeltaText is benchstat's "vs base" value: "-12.34%", or "~" when the
// difference is not significant.
func (c *Cell) DeltaText() string {
	if !c.HasComparison {
		return ""
	}
	return c.Comparison.FormatDelta(c.Base.Summary.Center, c.Summary.Center)
}

// PText is benchstat's "p=0.002 n=10".
func (c *Cell) PText() string {
	if !c.HasComparison {
		return ""
	}
	return c.Comparison.String()
}

// CenterText formats a geomean center like benchstat's summary row.
func (g *Geomean) CenterText(unit string) string {
	if !g.HasCenter {
		return ""
	}
	return benchunit.Scale(g.Center, benchunit.ClassOf(unit))
}

// RatioText formats the geomean change like benchstat, e.g. "-8.94%", or
// "?" when it cannot be computed.
func (g *Geomean) RatioText() string {
	if !g.HasRatio {
		return "?"
	}
	return fmt.Sprintf("%+.2f%%", (g.Ratio-1)*100)
}
