package reports

import (
	"fmt"
	"math"
	"strings"

	"github.com/batchbench/batchbench/reports/gate"
)

// CalibrationMarkdown renders a calibration of the gate: the rate per
// decision with its interval, then every cell's noise, how often the
// first stage flagged it, and the smallest change it could resolve.
// planted says whether head carried a planted regression (a pass is then
// a miss) or was identical to base (a block is then false).
func CalibrationMarkdown(c *gate.Calibration, planted bool, threshold float64, setup string) string {
	var b strings.Builder
	b.WriteString("# Merge gate calibration\n\n")
	b.WriteString(setup + "\n\n")
	what, r := "False-block rate (identical builds, exit 1)", c.BlockRate()
	if planted {
		what, r = "Miss rate (planted regression, exit 0 or 2)", c.PassRate()
	}
	fmt.Fprintf(&b, "**%s: %s**, Clopper–Pearson. %d inconclusive.\n\n", what, r, c.Inconclusive)
	fmt.Fprintf(&b, "Per cell: noise is the runs' coefficient of variation (median over decisions); flagged counts the decisions whose first test called the cell a regression; resolves is the median smallest change detected with %.0f%% power at the gate's α.\n\n", gate.Power*100)
	mdRow(&b, "cell", "unit", "noise (CV)", "flagged first", "blocked", fmt.Sprintf("resolves (threshold %s)", pct(threshold)))
	mdAlign(&b, "---", 5, "--:")
	for _, s := range c.Cells() {
		res := gate.Median(s.Resolution)
		rs := "nothing"
		if !math.IsInf(res, 1) {
			rs = pct(res)
		}
		mdRow(&b, mdCode(s.Name), s.Unit, pct(gate.Median(s.Noise)), fmt.Sprintf("%d of %d", s.Flagged, s.Judged), fmt.Sprint(s.Confirmed), rs)
	}
	return b.String()
}
