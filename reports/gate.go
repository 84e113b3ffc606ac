package reports

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"golang.org/x/perf/benchunit"
)

// GateUnits are the primary metrics a merge gate judges: time and CPU per
// op, allocation per op, and tail latency. Other units are reported, never
// gated.
var GateUnits = []string{"sec/op", "cpu-sec/op", "allocs/op", "B/op", "p99-sec"}

// A Finding is one gated cell whose head differs from its base.
type Finding struct {
	Group, Row, Unit string
	Base, Head       float64 // centers (medians)
	Delta            float64 // (Head-Base)/Base
	P                float64
	N                int // head sample size
}

func (f Finding) String() string {
	class := benchunit.ClassOf(f.Unit)
	return fmt.Sprintf("%s/%s %s: %+.2f%% (%s → %s, p=%.3f n=%d)",
		f.Group, f.Row, f.Unit, f.Delta*100, benchunit.Scale(f.Base, class), benchunit.Scale(f.Head, class), f.P, f.N)
}

// Judgement is a merge gate's verdict on head against base.
type Judgement struct {
	Threshold float64
	Alpha     float64
	Compared  int       // gated cells that had both a base and a head sample
	Regressed []Finding // significant and worse than Threshold
	Improved  []Finding // significant and better than Threshold
	// Noisy differences exceed Threshold but are not significant: the
	// samples cannot tell, so they neither block nor reassure.
	Noisy []Finding
}

// Judge compares column opts.Head with the baseline column in every table of
// a gated unit. A cell regresses when its difference is significant at the
// tables' alpha (benchmath's test for the unit's assumption), larger than
// the threshold, and in the direction the unit calls worse (Unit metadata
// better=, or benchfmt's defaults).
func Judge(ts *Tables, opts GateOptions) *Judgement {
	units := opts.Units
	if units == nil {
		units = GateUnits
	}
	threshold := opts.Threshold
	j := &Judgement{Threshold: threshold, Alpha: ts.Config.Alpha}
	for _, t := range ts.Tables {
		col := slices.Index(t.Cols, opts.Head)
		if col <= 0 || t.Better == 0 || !slices.Contains(units, t.Unit) {
			continue
		}
		for _, row := range t.Rows {
			c := row.Cells[col]
			if c == nil || !c.HasComparison {
				continue
			}
			j.Compared++
			base := c.Base.Summary.Center
			f := Finding{Group: t.Group, Row: row.Label, Unit: t.Unit,
				Base: base, Head: c.Summary.Center, P: c.Comparison.P, N: len(c.Sample.Values)}
			switch {
			case base != 0:
				f.Delta = (f.Head - base) / base
			case f.Head != 0:
				f.Delta = math.Inf(1) // from nothing to something
			}
			if math.Abs(f.Delta) <= threshold {
				continue
			}
			worse := f.Delta*float64(t.Better) < 0
			switch {
			case !c.Significant():
				j.Noisy = append(j.Noisy, f)
			case worse:
				j.Regressed = append(j.Regressed, f)
			default:
				j.Improved = append(j.Improved, f)
			}
		}
	}
	return j
}

// Paragraph is the judgement in one paragraph, for the top of a report.
func (j *Judgement) Paragraph(base, head string) string {
	var b strings.Builder
	if len(j.Regressed) == 0 {
		fmt.Fprintf(&b, "**No regression.** %s does not make any of %d gated cells worse than %s by more than %.0f%% at p < %.2f.",
			head, j.Compared, base, j.Threshold*100, j.Alpha)
	} else {
		fmt.Fprintf(&b, "**Merge blocked: %d regression(s).** ", len(j.Regressed))
		for i, f := range j.Regressed {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(f.String())
		}
		fmt.Fprintf(&b, ". Threshold %.0f%%, alpha %.2f, %d gated cells compared.", j.Threshold*100, j.Alpha, j.Compared)
	}
	if n := len(j.Improved); n > 0 {
		fmt.Fprintf(&b, " %d significant improvement(s).", n)
	}
	if n := len(j.Noisy); n > 0 {
		fmt.Fprintf(&b, " %d cell(s) moved more than %.0f%% without significance (noisy; rerun with a higher -count to decide).", n, j.Threshold*100)
	}
	return b.String()
}

// GateOptions turn a report into a merge gate's: Generate judges column Head
// against the baseline, opens the report with the verdict and shows, for
// each regressed cell, the functions whose CPU share grew.
type GateOptions struct {
	Head      string   // the column judged, e.g. "head"
	Threshold float64  // smallest relative change that counts, e.g. 0.05
	Units     []string // tidied units to judge; nil means GateUnits
}

// Blame is a regression with the profile evidence for it.
type Blame struct {
	Finding
	Profile string      // "CPU", or "allocation" for B/op and allocs/op
	Grown   []FuncDelta // functions whose flat share grew most, head against base
	Command string      // opens the profile difference in pprof
}

// Blames pairs each regression with the profile difference of its cell (the
// allocation profile for allocation metrics, the CPU profile otherwise),
// keeping the n functions whose share grew most.
func (s *Summary) Blames(n int) []Blame {
	if s.Judgement == nil {
		return nil
	}
	var out []Blame
	for _, f := range s.Judgement.Regressed {
		b := Blame{Finding: f, Profile: "CPU"}
		for _, d := range s.Profiles.Diffs {
			diff := d.CPU
			if f.Unit == "B/op" || f.Unit == "allocs/op" {
				b.Profile, diff = "allocation", d.Heap
			}
			if d.Group != f.Group || d.Row != f.Row || d.Head != s.gateHead || diff == nil {
				continue
			}
			b.Command = diff.Command
			for _, fd := range diff.Funcs {
				if fd.FlatChange() > 0 && len(b.Grown) < n {
					b.Grown = append(b.Grown, fd)
				}
			}
		}
		out = append(out, b)
	}
	return out
}

// GateHead is the column a gate report judged.
func (s *Summary) GateHead() string { return s.gateHead }
