package gate

import "testing"

func TestParseThreshold(t *testing.T) {
	for in, want := range map[string]float64{"5%": 0.05, "0.05": 0.05, "12.5%": 0.125, "0": 0, "100%": 1, "0.5": 0.5} {
		if got, err := parseThreshold(in); err != nil || got != want {
			t.Errorf("parseThreshold(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	// A bare 5 once meant 500%; NaN, Inf and 1e9 were accepted.
	for _, bad := range []string{"", "five", "-1%", "%", "5", "1", "1e9", "NaN", "Inf", "-Inf", "NaN%", "150%"} {
		if _, err := parseThreshold(bad); err == nil {
			t.Errorf("parseThreshold(%q) succeeded", bad)
		}
	}
}

// Threshold is a flag.Value that prints what it parsed.
func TestThresholdFlag(t *testing.T) {
	var th Threshold
	if err := th.Set("12.5%"); err != nil || float64(th) != 0.125 || th.String() != "12.5%" {
		t.Errorf("Set(12.5%%) = %v, %v (%s)", float64(th), err, th.String())
	}
	if err := th.Set("5"); err == nil || float64(th) != 0.125 {
		t.Errorf("Set(5) = %v and changed the value to %v", err, float64(th))
	}
}
