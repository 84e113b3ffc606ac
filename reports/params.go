package reports

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ParseParam reads a benchmark parameter value as a number: plain numbers
// ("1000", "0.5"), SI and IEC suffixes ("10k", "2M", "1Ki") and Go
// durations ("10ms", in seconds). ok is false for anything else, which is
// then plotted on a categorical axis.
func ParseParam(s string) (v float64, ok bool) {
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		return v, true
	}
	if d, err := time.ParseDuration(s); err == nil {
		return d.Seconds(), true
	}
	for _, suf := range paramSuffixes {
		if num, found := strings.CutSuffix(s, suf.suffix); found {
			if v, err := strconv.ParseFloat(num, 64); err == nil {
				return v * suf.factor, true
			}
		}
	}
	return math.NaN(), false
}

// paramSuffixes lists IEC before SI so "Ki" is not read as "K"+"i".
var paramSuffixes = []struct {
	suffix string
	factor float64
}{
	{"Ki", 1 << 10}, {"Mi", 1 << 20}, {"Gi", 1 << 30}, {"Ti", 1 << 40},
	{"k", 1e3}, {"K", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12},
}

// paramValue returns the value of key among a row's parameters.
func paramValue(ps []Param, key string) (string, bool) {
	for _, p := range ps {
		if p.Key == key {
			return p.Value, true
		}
	}
	return "", false
}

// varyingKey is the parameter the rows vary in: the first key with more
// than one value, else the first key; "" when rows have no parameters.
func varyingKey(rows []*Row) string {
	var first string
	for _, r := range rows {
		for _, p := range r.Param {
			if first == "" {
				first = p.Key
			}
			for _, o := range rows {
				if v, _ := paramValue(o.Param, p.Key); v != p.Value {
					return p.Key
				}
			}
		}
	}
	return first
}

// sortRowsByParam orders rows numerically by their one varying parameter,
// because results appear in run order (which the harness interleaves).
// Rows are left alone when they vary in more than one key or when a value
// is not numeric.
func sortRowsByParam(rows []*Row) {
	key := varyingKey(rows)
	if key == "" {
		return
	}
	vals := make(map[*Row]float64, len(rows))
	for _, r := range rows {
		s, _ := paramValue(r.Param, key)
		v, ok := ParseParam(s)
		if !ok || !sameParamsExcept(r.Param, rows[0].Param, key) {
			return
		}
		vals[r] = v
	}
	slices.SortStableFunc(rows, func(a, b *Row) int {
		switch {
		case vals[a] < vals[b]:
			return -1
		case vals[a] > vals[b]:
			return 1
		}
		return 0
	})
}

func sameParamsExcept(a, b []Param, key string) bool {
	a = slices.DeleteFunc(slices.Clone(a), func(p Param) bool { return p.Key == key })
	b = slices.DeleteFunc(slices.Clone(b), func(p Param) bool { return p.Key == key })
	return slices.Equal(a, b)
}
