package plant

import (
	"reflect"
	"testing"
)

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
	for _, s := range []Spec{
		{Impl: "mutex", Every: 64, Rounds: Rounds},
		{Impl: "mutex", Every: 64, Rounds: 0, Cells: map[string]int{"Size/impl=mutex/size=10": 7, "Concurrency/impl=mutex/producers=4": 90}},
	} {
		got, err := Parse(s.String())
		if err != nil || !reflect.DeepEqual(got, s) {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", s, got, err, s)
		}
	}
	for _, bad := range []string{"", "mutex", "mutex:0:64", "mutex:x:64", "mutex:1:-1",
		"mutex:1:64;Size/impl=mutex/size=10", "mutex:1:64;Size/impl=mutex/size=10@0", "mutex:1:64;@3",
		"mutex:1:64;Size/impl=mutex/size=10@x", "mutex:1:64;a@2;a@3", "mutex:1:64;"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) succeeded", bad)
		}
	}
}

// A cell whose items cost more gets its own spacing, so that it carries
// the same fraction of its time; the others keep the spec's. SizedIn
// leaves its receiver's cells as they were, and Empty keeps the spacing,
// so that base calls Stall exactly as often as head.
func TestSizedInSpacesOneCell(t *testing.T) {
	const cell = "Size/impl=mutex/size=10"
	s := Sized("mutex", 0.35, 22.4)
	in := s.SizedIn(cell, 1.4, 22.4)
	if in.every(cell) != 16 || in.every("Size/impl=mutex/size=1000") != 64 || in.Every != 64 {
		t.Errorf("SizedIn(%s, 1.4 ns) = %v: want a stall every 16 items there, every 64 elsewhere", cell, in)
	}
	if s.Cells != nil {
		t.Errorf("SizedIn changed its receiver's cells: %v", s.Cells)
	}
	again := in.SizedIn("Size/impl=mutex/size=10000", 0.7, 22.4)
	if in.every("Size/impl=mutex/size=10000") != 64 || again.every("Size/impl=mutex/size=10000") != 32 || again.every(cell) != 16 {
		t.Errorf("a second SizedIn: %v from %v", again, in)
	}
	if e := again.Empty(); e.Rounds != 0 || !reflect.DeepEqual(e.Cells, again.Cells) || e.Every != again.Every {
		t.Errorf("Empty() = %v: want %v's spacing with no rounds", e, again)
	}
	if got := in.SizedIn("x", 0, 22.4); !reflect.DeepEqual(got, in) {
		t.Errorf("SizedIn(0 ns) = %v, want %v unchanged", got, in)
	}
}
