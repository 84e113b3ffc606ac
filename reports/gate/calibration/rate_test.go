package calibration

import (
	"math"
	"testing"
)

func TestRate(t *testing.T) {
	// Clopper–Pearson, as tabulated: 0 of 40 has a one-sided 95% upper
	// bound of 7.2%; 2 of 26 lies in [0.95%, 25.1%].
	r := NewRate(0, 40)
	if r.Lo != 0 || math.Abs(r.Upper-0.0722) > 0.0005 {
		t.Errorf("0/40: %+v", r)
	}
	r = NewRate(2, 26)
	if math.Abs(r.Lo-0.0095) > 0.0005 || math.Abs(r.Hi-0.2513) > 0.0005 || math.Abs(r.Observed()-2.0/26) > 1e-12 {
		t.Errorf("2/26: %+v", r)
	}
	if r := NewRate(10, 10); r.Hi != 1 || math.Abs(r.Lo-0.6915) > 0.0005 {
		t.Errorf("10/10: %+v", r)
	}
}
