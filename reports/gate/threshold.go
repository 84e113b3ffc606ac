package gate

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/batchbench/batchbench/reports/internal/md"
)

// Threshold is the smallest relative change that counts, e.g. 0.05. It
// is a flag.Value: Set reads "5%" or "0.05".
type Threshold float64

// parseThreshold reads "5%" or "0.05" as 0.05. A bare number of 1 or more
// is refused, since "5" is far more likely to mean 5% than 500%.
func parseThreshold(s string) (float64, error) { return parseShare("threshold", "5%", "0.05", s) }

// parseShare reads a percentage or a fraction below 1 as a fraction from
// 0 to 1; its errors name what it reads, with examples of both forms.
func parseShare(what, percent, fraction, s string) (float64, error) {
	bad := func(why string) error {
		return fmt.Errorf("bad %s %q: %s; give a percentage such as %s or a fraction such as %s", what, s, why, percent, fraction)
	}
	num, isPct := strings.CutSuffix(strings.TrimSpace(s), "%")
	v, err := strconv.ParseFloat(num, 64)
	switch {
	case err != nil:
		return 0, bad("not a number")
	case math.IsNaN(v) || math.IsInf(v, 0):
		return 0, bad("not finite")
	case v < 0:
		return 0, bad("negative")
	case !isPct && v >= 1:
		return 0, bad(fmt.Sprintf("a bare number must be a fraction below 1 (did you mean %s%%?)", num))
	}
	if isPct {
		v /= 100
	}
	if v > 1 {
		return 0, bad("over 100%")
	}
	return v, nil
}

// Set parses s with parseThreshold.
func (t *Threshold) Set(s string) error {
	v, err := parseThreshold(s)
	if err != nil {
		return err
	}
	*t = Threshold(v)
	return nil
}

// String prints the threshold as a percentage, e.g. "5%".
func (t Threshold) String() string { return md.Percent(float64(t)) }

// Confidence is the level of an interval, e.g. 0.95. It is a flag.Value:
// Set reads "95%" or "0.95", and refuses 0 and 100%.
type Confidence float64

// Set parses s as a level strictly between 0 and 1.
func (c *Confidence) Set(s string) error {
	v, err := parseShare("confidence", "95%", "0.95", s)
	switch {
	case err != nil:
		return err
	case v <= 0 || v >= 1:
		return fmt.Errorf("bad confidence %q: must be above 0%% and below 100%%", s)
	}
	*c = Confidence(v)
	return nil
}

// String prints the level as a percentage, e.g. "95%".
func (c Confidence) String() string { return md.Percent(float64(c)) }
