package profiles

import (
	"cmp"
	"fmt"
	"os"
	"slices"

	"github.com/google/pprof/profile"

	"github.com/batchbench/batchbench/reports/internal/shellquote"
)

// TopN is how many functions profile summaries and diffs list.
const TopN = 10

// Summary condenses one pprof profile: where its samples go by
// function and by category.
type Summary struct {
	Path    string // the profile file, as found through the index
	Command string // "go tool pprof -http=: PATH", to open it
	// SampleType is the value summarised, e.g. "cpu" or "alloc_space":
	// the profile's default sample type, else its last (pprof's choice).
	SampleType, Unit string
	Total            int64 // sum of SampleType over all samples
	// Flat lists the top functions by self value (the leaf frame), Cum by
	// value of the samples whose stack contains the function.
	Flat, Cum  []FuncShare
	Categories []CategoryShare // one per category, in categories order
	// Other is the flat share outside every category, so Other plus the
	// categories' Flat shares is 1 (for a non-empty profile).
	Other float64

	flat, cum map[string]int64 // every function, for diffs
}

// FuncShare is one function's value and its share of the profile total.
type FuncShare struct {
	Func  string
	Value int64
	Share float64
}

// CategoryShare is a category's share of a profile: Flat counts samples
// whose leaf is in the category (see leafCategory; disjoint across
// categories), Cum samples with the category anywhere on the stack.
type CategoryShare struct {
	Name, Desc string
	Flat, Cum  float64
}

// Category returns the named category share ("sched", "gc", "alloc",
// "impl", "shared", "deps").
func (s *Summary) Category(name string) CategoryShare {
	for _, c := range s.Categories {
		if c.Name == name {
			return c
		}
	}
	return CategoryShare{Name: name}
}

// SummarizeFile reads a pprof profile and summarises it. impl names the
// implementation whose package (github.com/batchbench/batchbench/impl/<impl>)
// counts as its own code; "" for none. Path is kept as given, so the
// command to open it works from where the report was made.
func SummarizeFile(path, impl string) (*Summary, error) {
	p, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	s := Summarize(p, impl)
	s.Path = path
	s.Command = "go tool pprof -http=: " + shellquote.Quote(path)
	return s, nil
}

// ReadFile reads a pprof profile; an error names the file.
func ReadFile(path string) (*profile.Profile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	p, err := profile.Parse(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// Summarize summarises a parsed profile; see SummarizeFile.
func Summarize(p *profile.Profile, impl string) *Summary {
	vi := sampleIndex(p)
	s := &Summary{
		SampleType: p.SampleType[vi].Type, Unit: p.SampleType[vi].Unit,
		flat: map[string]int64{}, cum: map[string]int64{},
	}
	catFlat := make([]int64, len(categories))
	catCum := make([]int64, len(categories))
	seen := map[string]bool{}
	inCat := make([]bool, len(categories))
	for _, smp := range p.Sample {
		v := smp.Value[vi]
		if v == 0 {
			continue
		}
		s.Total += v
		if len(smp.Location) > 0 {
			names := funcNames(smp.Location[0])
			s.flat[names[0]] += v
			if c := leafCategory(names, impl); c >= 0 {
				catFlat[c] += v
			}
		}
		clear(seen)
		clear(inCat)
		for _, loc := range smp.Location {
			for _, fn := range funcNames(loc) {
				if seen[fn] {
					continue // recursion counts once per sample
				}
				seen[fn] = true
				s.cum[fn] += v
				if c := categoryOf(fn, impl); c >= 0 && !inCat[c] {
					inCat[c] = true
					catCum[c] += v
				}
			}
		}
	}
	s.Flat = top(s.flat, s.Total, TopN)
	s.Cum = top(s.cum, s.Total, TopN)
	s.Other = 1
	for i, c := range categories {
		cs := CategoryShare{Name: c.Name, Desc: c.Desc, Flat: share(catFlat[i], s.Total), Cum: share(catCum[i], s.Total)}
		s.Categories = append(s.Categories, cs)
		s.Other -= cs.Flat
	}
	if s.Total == 0 {
		s.Other = 0
	}
	return s
}

// leafCategory categorises a sample by its leaf location: the innermost
// function there that belongs to a category. The location holds one
// compiled function and what was inlined into it, so an uncategorised
// helper inlined into an implementation (sync/atomic in a ring buffer)
// counts for the implementation, and an implementation method inlined into
// the harness still counts for the implementation.
func leafCategory(names []string, impl string) int {
	for _, fn := range names {
		if c := categoryOf(fn, impl); c >= 0 {
			return c
		}
	}
	return -1
}

// sampleIndex picks the value pprof shows by default.
func sampleIndex(p *profile.Profile) int {
	for i, st := range p.SampleType {
		if st.Type == p.DefaultSampleType {
			return i
		}
	}
	return len(p.SampleType) - 1
}

// funcNames lists a location's functions, innermost (inlined) first; an
// unsymbolised location is named by its address. The result is never empty.
func funcNames(loc *profile.Location) []string {
	names := make([]string, 0, len(loc.Line))
	for _, l := range loc.Line {
		if l.Function != nil {
			names = append(names, l.Function.Name)
		}
	}
	if len(names) == 0 {
		names = append(names, fmt.Sprintf("0x%x", loc.Address))
	}
	return names
}

func share(v, total int64) float64 {
	if total == 0 {
		return 0
	}
	return float64(v) / float64(total)
}

func top(m map[string]int64, total int64, n int) []FuncShare {
	out := make([]FuncShare, 0, len(m))
	for fn, v := range m {
		out = append(out, FuncShare{fn, v, share(v, total)})
	}
	slices.SortFunc(out, func(a, b FuncShare) int {
		return cmp.Or(cmp.Compare(b.Value, a.Value), cmp.Compare(a.Func, b.Func))
	})
	return out[:min(n, len(out))]
}

// FormatValue prints a profile value in its unit: CPU time as a duration,
// bytes with a binary prefix, counts plainly.
func (s *Summary) FormatValue(v int64) string {
	switch s.Unit {
	case "nanoseconds":
		return fmt.Sprintf("%.3gs", float64(v)/1e9)
	case "bytes":
		return formatBytes(v)
	}
	return fmt.Sprint(v)
}

func formatBytes(v int64) string {
	f, units := float64(v), []string{"B", "KiB", "MiB", "GiB", "TiB"}
	i := 0
	for ; f >= 1024 && i < len(units)-1; i++ {
		f /= 1024
	}
	return fmt.Sprintf("%.3g%s", f, units[i])
}
