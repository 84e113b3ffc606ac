package table

import (
	"slices"
	"strings"

	"golang.org/x/perf/benchproc"
)

// sortedKeys returns m's keys in benchproc's order: observation order
// unless the projection names another (e.g. "/size@num").
func sortedKeys[V any](m map[benchproc.Key]V) []benchproc.Key {
	keys := make([]benchproc.Key, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	benchproc.SortKeys(keys)
	return keys
}

// unitField is the ".unit" field ParseWithUnit added to a table key.
func unitField(k benchproc.Key) *benchproc.Field {
	for _, f := range k.Projection().FlattenedFields() {
		if f.Name == ".unit" {
			return f
		}
	}
	panic("table: key without .unit") // ParseWithUnit always adds it
}

// isConfigField reports whether a projected field is a file configuration
// key: benchproc names those by the key itself, and its own fields with
// "." (".name", ".unit") or "/" (sub-name keys).
func isConfigField(f *benchproc.Field) bool {
	return !strings.HasPrefix(f.Name, ".") && !strings.HasPrefix(f.Name, "/")
}

// groupLabel is a table key's values without the unit and the
// configuration.
func groupLabel(k benchproc.Key) string {
	var parts []string
	for _, f := range k.Projection().FlattenedFields() {
		if v := k.Get(f); f.Name != ".unit" && !isConfigField(f) && v != "" {
			parts = append(parts, v)
		}
	}
	return strings.Join(parts, " ")
}

// keyConfig is the configuration a table key holds, keys with a value.
func keyConfig(k benchproc.Key) []ConfigLine {
	var out []ConfigLine
	for _, f := range k.Projection().FlattenedFields() {
		if v := k.Get(f); isConfigField(f) && v != "" {
			out = append(out, ConfigLine{f.Name, v})
		}
	}
	return out
}

// tidyRowLabel turns benchstat's "*/size=10" row key into "size=10".
func tidyRowLabel(key string) string {
	if l := strings.TrimPrefix(strings.TrimPrefix(key, "*"), "/"); l != "" {
		return l
	}
	return key
}

// nameKeysOf returns the sub-name keys ("impl" for "/impl") a projection uses.
func nameKeysOf(p *benchproc.Projection) map[string]bool {
	keys := make(map[string]bool)
	for _, f := range p.FlattenedFields() {
		if k, ok := strings.CutPrefix(f.Name, "/"); ok {
			keys[k] = true
		}
	}
	return keys
}

// withoutKeys drops the parameters whose keys are in drop.
func withoutKeys(ps []Param, drop map[string]bool) []Param {
	return slices.DeleteFunc(ps, func(p Param) bool { return drop[p.Key] })
}

// labelRows derives display labels: benchstat's "*/size=10-2" becomes
// "size=10"; the GOMAXPROCS suffix is dropped when all rows share it (it
// is in the environment section).
func labelRows(rows []*Row) {
	suffix, same := "", true
	for i, r := range rows {
		s := gomaxprocsSuffix(r.Key)
		if i == 0 {
			suffix = s
		} else if s != suffix {
			same = false
		}
	}
	for _, r := range rows {
		l := r.Key
		if same && suffix != "" {
			l = strings.TrimSuffix(l, suffix)
		}
		l = strings.TrimPrefix(strings.TrimPrefix(l, "*"), "/")
		if l == "" {
			l = r.Key
		}
		r.Label = l
	}
}

func gomaxprocsSuffix(name string) string {
	i := strings.LastIndexByte(name, '-')
	if i < 0 || i == len(name)-1 || strings.ContainsAny(name[i+1:], "/=") {
		return ""
	}
	for _, c := range name[i+1:] {
		if c < '0' || c > '9' {
			return ""
		}
	}
	return name[i:]
}
