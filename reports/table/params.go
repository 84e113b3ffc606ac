package table

import (
	"cmp"
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

// VaryingKey is the parameter the rows vary in: the first key with more
// than one value, else the first key; "" when rows have no parameters.
func VaryingKey(rows []*Row) string {
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

// sortRowsByParam orders rows by benchmark name, in order of first
// appearance, and within a name numerically by the one parameter the
// rows vary in, because results appear in run order (which the harness
// interleaves). A name's rows keep their order when they vary in more
// than one key or a value is not numeric.
func sortRowsByParam(rows []*Row) {
	var names []string
	byName := map[string][]*Row{}
	for _, r := range rows {
		if _, ok := byName[r.Name]; !ok {
			names = append(names, r.Name)
		}
		byName[r.Name] = append(byName[r.Name], r)
	}
	out := rows[:0]
	for _, n := range names {
		group := byName[n]
		sortByParam(group)
		out = append(out, group...)
	}
}

func sortByParam(rows []*Row) {
	key := VaryingKey(rows)
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
	slices.SortStableFunc(rows, func(a, b *Row) int { return cmp.Compare(vals[a], vals[b]) })
}

func sameParamsExcept(a, b []Param, key string) bool {
	a = slices.DeleteFunc(slices.Clone(a), func(p Param) bool { return p.Key == key })
	b = slices.DeleteFunc(slices.Clone(b), func(p Param) bool { return p.Key == key })
	return slices.Equal(a, b)
}
