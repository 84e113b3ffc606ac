package plant

import "testing"

// Sized spaces the stalls so that they add perItem on average, also when
// perItem is a fraction of a nanosecond: 5% of mutex's 7 ns is 0.35 ns,
// which a time.Duration would have truncated to nothing, planting a stall
// on every item (+800%, not +5%).
func TestSizedAddsWhatItIsAskedFor(t *testing.T) {
	for _, tc := range []struct {
		perItem, stall float64
		every          int
	}{
		{0.35, 22.4, 64},
		{0.21, 22.4, 107},
		{30, 22.4, 1}, // more than a stall per item: one on every item
		{22.4, 22.4, 1},
	} {
		s := Sized("mutex", tc.perItem, tc.stall)
		if s.Every != tc.every || s.Rounds != Rounds || s.Impl != "mutex" {
			t.Errorf("Sized(%v ns, stall %v ns) = %+v, want a stall of %d rounds every %d items", tc.perItem, tc.stall, s, Rounds, tc.every)
		}
		if tc.perItem < tc.stall {
			if got := tc.stall / float64(s.Every); got < tc.perItem*0.99 || got > tc.perItem*1.01 {
				t.Errorf("Sized(%v ns): %.4g ns per item planted", tc.perItem, got)
			}
		}
	}
	if s := Sized("mutex", 0, 22.4); s.Rounds != 0 {
		t.Errorf("Sized(0) = %+v, want nothing planted", s)
	}
}

func TestParseRoundTrips(t *testing.T) {
	s := Spec{Impl: "mutex", Every: 64, Rounds: Rounds}
	got, err := Parse(s.String())
	if err != nil || got != s {
		t.Errorf("Parse(%q) = %+v, %v", s, got, err)
	}
	for _, bad := range []string{"", "mutex", "mutex:0:64", "mutex:x:64", "mutex:1:-1"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) succeeded", bad)
		}
	}
}
