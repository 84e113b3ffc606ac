package table

import (
	"errors"
	"math"

	"github.com/aclements/go-moremath/stats"
)

// geomean summarises column j the way benchstat's summary row does: the
// geomean of the centers, and the geomean of the per-row ratios to the
// baseline (not the ratio of geomeans, which breaks when the benchmark
// sets differ). The warning texts are benchstat's.
func geomean(t *Table, j int) *Geomean {
	g := &Geomean{}
	var centers, ratios []float64
	nBase, badRatio := 0, false
	for _, row := range t.Rows {
		if row.Cells[0] != nil {
			nBase++
		}
		c := row.Cells[j]
		if c == nil {
			continue
		}
		centers = append(centers, c.Summary.Center)
		if j == 0 || !c.HasComparison {
			continue
		}
		a, b := c.Summary.Center, c.Base.Summary.Center
		switch {
		case a == b:
			ratios = append(ratios, 1) // 0/0 counts as no change
		case b == 0:
			badRatio = true
			ratios = append(ratios, 0)
		default:
			ratios = append(ratios, a/b)
		}
	}
	if j > 0 && nBase != len(ratios) {
		g.Warnings = append(g.Warnings, errors.New("benchmark set differs from baseline; geomeans may not be comparable"))
	}
	if gm := stats.GeoMean(centers); math.IsNaN(gm) {
		g.Warnings = append(g.Warnings, errors.New("summaries must be >0 to compute geomean"))
	} else {
		g.HasCenter, g.Center = true, gm
	}
	if j > 0 && !badRatio {
		if gm := stats.GeoMean(ratios); math.IsNaN(gm) {
			g.Warnings = append(g.Warnings, errors.New("ratios must be >0 to compute geomean"))
		} else {
			g.HasRatio, g.Ratio = true, gm
		}
	}
	return g
}
