package gate

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/batchbench/batchbench/reports/internal/md"
	"github.com/batchbench/batchbench/reports/table"
)

// Status is the gate's outcome and exit status.
type Status int

const (
	Pass         Status = iota // exit 0: no regression, with evidence
	Block                      // exit 1: a confirmed regression or a failed head cell
	Inconclusive               // exit 2: nothing could be judged; the reason says why
)

// ExitCode is the process exit status for s.
func (s Status) ExitCode() int { return int(s) }

// A Decision is the gate's one verdict: the CLI's exit status, the first
// line of report.md and report.html, and what compare prints all come
// from it.
type Decision struct {
	Status Status
	// Reason says why the gate is inconclusive.
	Reason string
	// IncomparableKeys are the configuration keys in which base and head
	// share no value, when that made the gate inconclusive.
	IncomparableKeys []string
	// NeedCount is about how many runs per side would let an
	// inconclusive gate decide: the fewest at which the test can reach
	// alpha, or what the underpowered cells need to resolve the
	// threshold; 0 when no practical count would, or count is not why.
	NeedCount int
	// NeedPairs is, for a paired gate left inconclusive, about how many
	// pairs its open cells would need to pass; 0 otherwise.
	NeedPairs int
	// Paired is the sequence a paired gate decided with; nil for a gate
	// that judged two unpaired samples.
	Paired *Sequence
	// First is what was judged: the runs as benchstat's tables show
	// them, and, for a paired gate, its verdicts as Cells.
	First *Judgement
	// Regressed block the merge: the unpaired gate's regressions, or the
	// paired gate's confirmed ones.
	Regressed  []Cell
	FailedHead []string // "BenchmarkX: reason"
}

// Decide makes the decision of a gate that judged two unpaired samples
// (see Judge): it blocks on a significant regression beyond the threshold
// or a failed head cell, and passes only when the compared cells that
// could resolve the threshold are at least the judgement's Cover of them.
func Decide(first *Judgement) *Decision {
	d := &Decision{First: first, Regressed: first.Regressed}
	for _, f := range first.FailedHead {
		d.FailedHead = append(d.FailedHead, f.Benchmark+": "+cmp.Or(f.Reason, "no reason given"))
	}
	compared, resolved := first.CellCount()
	switch {
	case len(first.Incomparable) > 0:
		d.Status = Inconclusive
		for _, k := range first.Incomparable {
			key, _, _ := strings.Cut(k, " ")
			d.IncomparableKeys = append(d.IncomparableKeys, key)
		}
		d.Reason = fmt.Sprintf("base and head are not comparable: they differ in %s. Results that differ in configuration are never compared; measure both on one machine and setup, or ignore these keys if the difference does not matter",
			strings.Join(first.Incomparable, ", "))
	case len(d.Regressed) > 0 || len(d.FailedHead) > 0:
		d.Status = Block
	case compared == 0:
		d.Status = Inconclusive
		d.Reason = fmt.Sprintf("compared nothing: no gated cell has both a %s and a %s sample", first.Tables.Config.Baseline, first.Head)
		for _, in := range first.Results.Inputs {
			if in.Count == 0 {
				d.Reason += fmt.Sprintf("; %s holds no benchmark results", in.Path)
			}
		}
		if len(first.Columns) > 0 {
			d.Reason += fmt.Sprintf(" (columns: %s)", strings.Join(first.Columns, ", "))
		}
	case first.maxN() < first.MinCount:
		d.Status = Inconclusive
		d.NeedCount = first.MinCount
		d.Reason = fmt.Sprintf("count %d is too small: benchmath's U test cannot reach p <= %v with fewer than %d runs per side",
			first.maxN(), first.Alpha, first.MinCount)
	case float64(resolved) < first.Cover*float64(compared):
		d.Status = Inconclusive
		d.NeedCount = first.needCount()
		if resolved == 0 {
			d.Reason = fmt.Sprintf("none of the %d compared cells can resolve a %s change; %s", compared, md.Percent(first.Threshold), first.countAdvice())
			break
		}
		var names []string
		for _, c := range first.Underpowered() {
			names = append(names, c.Name())
		}
		d.Reason = fmt.Sprintf("%s of %d cannot resolve a %s change: %s; %s", plural(len(names), "cell"), compared, md.Percent(first.Threshold),
			joinNames(names, 6), first.countAdvice())
		if first.Cover < 1 {
			d.Reason += fmt.Sprintf(" (%d resolve; %s must)", resolved, md.Percent(first.Cover))
		}
	default:
		d.Status = Pass
	}
	return d
}

func (j *Judgement) maxN() int {
	n := 0
	for _, c := range j.Cells {
		n = max(n, min(c.BaseN, c.N))
	}
	return n
}

// needCount is about how many runs per side would resolve the threshold
// in every underpowered cell; 0 when some cell would need more than any
// practical count.
func (j *Judgement) needCount() int {
	need := 0
	for _, c := range j.Underpowered() {
		if c.NeedCount == 0 {
			return 0
		}
		need = max(need, c.NeedCount)
	}
	return need
}

// countAdvice says what count would resolve the threshold in the
// underpowered cells, or that none would.
func (j *Judgement) countAdvice() string {
	if n := j.needCount(); n > 0 {
		return fmt.Sprintf("need about count %d", n)
	}
	return "some are too noisy to resolve it at any practical count"
}

// Headline is the decision in one line of plain text.
func (d *Decision) Headline() string {
	j := d.First
	switch d.Status {
	case Inconclusive:
		return "Gate inconclusive: " + d.Reason + "."
	case Block:
		var parts []string
		if n := len(d.Regressed); n > 0 {
			parts = append(parts, plural(n, "regression"))
		}
		if n := len(d.FailedHead); n > 0 {
			parts = append(parts, plural(n, "failed head cell"))
		}
		return "Merge blocked: " + strings.Join(parts, ", ") + "."
	}
	_, resolved := j.CellCount()
	line := fmt.Sprintf("No regression ≥ %s in %s", md.Percent(j.Threshold), plural(resolved, "cell"))
	if under := j.Underpowered(); len(under) > 0 && j.Paired {
		names := make([]string, len(under))
		for i, c := range under {
			names[i] = c.Name()
		}
		line += fmt.Sprintf("; %s left open: %s", plural(len(under), "cell"), joinNames(names, 4))
	} else if len(under) > 0 {
		names := make([]string, len(under))
		for i, c := range under {
			names[i] = c.Name()
		}
		line += fmt.Sprintf("; %s cannot resolve %s at count %d (%s): %s", plural(len(under), "cell"), md.Percent(j.Threshold), j.maxN(), j.countAdvice(), joinNames(names, 4))
	}
	return line + "."
}

// Details is the evidence behind the headline, in plain sentences: every
// blocking cell, the confirmation, what could not be resolved, and what
// moved without blocking.
func (d *Decision) Details() string {
	j := d.First
	var b strings.Builder
	if len(d.Regressed) > 0 {
		b.WriteString(joinCells(d.Regressed))
		b.WriteString(".")
	}
	for _, f := range d.FailedHead {
		fmt.Fprintf(&b, " Failed head cell %s.", f)
	}
	if j.Paired {
		d.pairedDetails(&b)
		return strings.TrimSpace(b.String())
	}
	fmt.Fprintf(&b, " Head against base: significant at p ≤ %v and worse by more than %s in %s.",
		j.Alpha, md.Percent(j.Threshold), strings.Join(gatedUnits(j), ", "))
	if len(d.Regressed) > 0 {
		b.WriteString(" Judged on unpaired runs, each side's as one sample (benchmath's U test): drift between them is not cancelled.")
	}
	if under := j.Underpowered(); len(under) > 0 && d.Status != Inconclusive {
		fmt.Fprintf(&b, " Cannot resolve %s, so not counted as passing: %s.", md.Percent(j.Threshold), joinResolution(under, 8))
	}
	if n := len(j.Improved); n > 0 {
		fmt.Fprintf(&b, " %s.", plural(n, "significant improvement"))
	}
	if n := len(j.Noisy); n > 0 {
		fmt.Fprintf(&b, " %s moved more than %s without significance (noisy; neither blocks nor reassures).", plural(n, "cell metric"), md.Percent(j.Threshold))
	}
	if n := len(j.OneSided); n > 0 {
		fmt.Fprintf(&b, " %s only one side has, not compared: %s.", plural(n, "cell"), joinNames(j.OneSided, 8))
	}
	return strings.TrimSpace(b.String())
}

// pairedDetails says how a paired gate judged, and what it left open.
func (d *Decision) pairedDetails(b *strings.Builder) {
	j, p := d.First, d.Paired.plan
	count := map[State]int{}
	for _, c := range j.Cells {
		count[c.State]++
	}
	at := ""
	if n := sharedConfig(j.Tables, "gomaxprocs"); n != "" {
		at = " at GOMAXPROCS " + n
	}
	fmt.Fprintf(b, " Head against base in pairs%s, a base and a head run back to back in a random order, each cell metric judged by Yuen's test of the 20%%-trimmed mean of log(head/base) in %s, look after look."+
		" The screen passed %d of %d cell metrics (a regression of %s ruled out at a level of %v spent over its looks) and flagged %d (worse at a level of %v, spent while %s of the budget was left to confirm them);",
		at, strings.Join(gatedUnits(j), ", "), count[Passed], j.Metrics, md.Percent(j.Threshold), p.Miss, count[Flagged]+count[Cleared]+count[Blocked], p.Screen, md.Percent(ConfirmShare))
	switch k := d.Paired.flagged; {
	case k > 0:
		fmt.Fprintf(b, " fresh pairs of the flagged cells, judged alone, confirmed %d at α/k = %.3g and cleared %d.", count[Blocked], p.Alpha/float64(k), count[Cleared])
	case count[Flagged] > 0:
		b.WriteString(" no fresh pairs confirmed or cleared them, so they block nothing.")
	default:
		b.WriteString(" none needed confirming.")
	}
	fmt.Fprintf(b, " The rule blocks identical builds with probability at most α = %v if the pairs are independent of one another.", p.Alpha)
	if under := j.Underpowered(); len(under) > 0 && d.Status != Inconclusive {
		fmt.Fprintf(b, " Left open, so not counted as passing: %s.", joinResolution(under, 8))
	}
	if n := len(j.OneSided); n > 0 {
		fmt.Fprintf(b, " %s only one side has, not compared: %s.", plural(n, "cell"), joinNames(j.OneSided, 8))
	}
}

// sharedConfig is the value of the configuration key that every table
// has, or "" if they differ or lack it: a quick gate says it measured
// at GOMAXPROCS 1, as its cells' names cannot once the suffix is gone.
func sharedConfig(ts *table.Tables, key string) string {
	if ts == nil {
		return ""
	}
	v := ""
	for i, t := range ts.Tables {
		x := t.ConfigValue(key)
		if i > 0 && x != v {
			return ""
		}
		v = x
	}
	return v
}

func gatedUnits(j *Judgement) []string {
	var out []string
	for _, c := range j.Cells {
		if !slices.Contains(out, c.Unit) {
			out = append(out, c.Unit)
		}
	}
	if len(out) == 0 {
		return Units
	}
	return out
}

func joinCells(cs []Cell) string {
	s := make([]string, len(cs))
	for i, c := range cs {
		s[i] = c.String()
	}
	return strings.Join(s, "; ")
}

func joinResolution(cs []Cell, n int) string {
	var s []string
	for i, c := range cs {
		if i == n {
			s = append(s, fmt.Sprintf("and %d more", len(cs)-n))
			break
		}
		s = append(s, fmt.Sprintf("%s %s (resolves %s)", c.Name(), c.Unit, md.Resolution(c.Resolution)))
	}
	return strings.Join(s, ", ")
}

func joinNames(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:n], ", ") + fmt.Sprintf(" and %d more", len(names)-n)
}

// resolution prints a cell's resolution, "nothing" when it cannot reach
// alpha.
func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
