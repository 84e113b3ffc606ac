package gate

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/batchbench/batchbench/reports/table"
)

// incomparable returns, for each configuration key in which the tables
// holding column base and those holding column head share no value, a
// description such as `goos (base: linux; head: darwin)`. Results that
// differ in configuration are never compared (benchstat puts them in
// separate tables), so such inputs cannot be judged.
func incomparable(ts *table.Tables, base, head string) []string {
	allKeys := map[string]bool{}
	for _, t := range ts.Tables {
		for _, l := range t.Config {
			allKeys[l.Key] = true
		}
	}
	values := map[string][2][]string{} // key -> values on base, head ("" for none)
	for _, t := range ts.Tables {
		for side, col := range []string{base, head} {
			if !slices.Contains(t.Cols, col) {
				continue
			}
			for k := range allKeys {
				v, x := values[k], t.ConfigValue(k)
				if !slices.Contains(v[side], x) {
					v[side] = append(v[side], x)
				}
				values[k] = v
			}
		}
	}
	var out []string
	for k, v := range values {
		if len(v[0]) == 0 || len(v[1]) == 0 {
			continue // one side has no results at all: nothing compared, said elsewhere
		}
		shared := false
		for _, x := range v[0] {
			shared = shared || slices.Contains(v[1], x)
		}
		if !shared {
			out = append(out, fmt.Sprintf("%s (%s: %s; %s: %s)", k, base, show(v[0]), head, show(v[1])))
		}
	}
	sort.Strings(out)
	return out
}

func show(vs []string) string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v
		if v == "" {
			out[i] = "(none)"
		}
	}
	return strings.Join(out, ", ")
}
