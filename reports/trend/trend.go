// Package trend reads a history of results, one benchmark file per
// commit, into a series per cell and metric, and flags change points: the
// commits where a cell's level shifted.
//
// A history holds two kinds of entry, and each series is judged by the
// method its entries allow:
//
//   - A paired entry (benchrun history add of a benchrun compare directory)
//     holds a commit measured interleaved with a reference on one machine,
//     A B A B: its parent in CI. Its results carry "source: base" and
//     "source: head". A paired series is judged entry by entry, exactly as
//     the Go performance dashboard judges its series: benchseries' Builder
//     pairs each entry's head (numerator) with its base (denominator) and
//     its AddSummaries gives head/base, the bootstrapped ratio of the
//     medians, with its 95% interval. Drift of the machine, over the
//     minutes or weeks between entries, hits both sides of a ratio alike
//     and cancels. An entry is a change point for a cell when, in a metric
//     the gate judges, the ratio's interval excludes 1 and the ratio moved
//     by at least the threshold (Options.Threshold). The interval judged is
//     benchseries' own at 1 - α/k, α (Options.Alpha, 0.05) shared among the
//     cell's k judged metrics (Bonferroni, as the gate's confirmation
//     shares its α among flagged cells), so an entry of identical builds
//     flags a cell with probability at most α; benchseries draws enough
//     resamples to reach that far into the tails. The interval drawn is the
//     95% one.
//     The level drawn is the cumulative product of the ratios, relative to
//     the first entry's base, so a creep too small for any one entry
//     (2% per merge under a 5% threshold) still shows, and is listed when
//     the level's band excludes 1 and it moved by the threshold (Creeps).
//     It multiplies along the chain of entries, each base the previous
//     entry's head (Link): a span, one pair over several commits, keeps
//     all of their changes; at a gap, a base that is not the previous
//     head, the level starts again rather than multiply across changes
//     no entry measured.
//   - An unpaired entry (a plain benchrun run) holds one commit's runs
//     alone. An unpaired series can only compare levels measured at
//     different times, so the machine's drift between entries is in its
//     numbers. It is judged as before: benchseries.ChangeScore measures how
//     far apart the confidence intervals of the medians pooled over up to
//     3 commits before and after a commit lie (0 the same interval, 1
//     just touching, more a gap), and of a cell's adjacent candidates only
//     the strongest commit is kept. trend.md says which series used which
//     method, and that unpaired ones are exposed to drift.
//
// Only the metrics the merge gate judges (gate.Units) are flagged in
// paired series; every metric is drawn. A paired series is split by
// configuration (goos, goarch, go, gomaxprocs, suite, ...) but not by the
// cpu: each ratio is measured on one machine, whichever it is, so ratios
// from different runners chain into one level.
//
// The band of the level is not benchseries': it has no interval for a
// product of ratios. Each entry's interval, read on the log scale as
// ±z·σ of its log ratio (z the normal quantile of the confidence, from
// gonum), is combined in quadrature with the others, each side of the
// interval separately: the propagation of independent errors. It is a band
// to read the level by, not a test; the test is per entry.
package trend

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/perf/benchmath"
	"golang.org/x/perf/benchseries"

	"github.com/batchbench/batchbench/internal/history"
	"github.com/batchbench/batchbench/internal/runconfig"
	"github.com/batchbench/batchbench/reports/table"
)

// poolWindow is how many commits on each side of a candidate are pooled, for
// unpaired series.
const poolWindow = 3

// minScore is the change score a shift in an unpaired series must reach:
// the intervals before and after do not overlap at all.
const minScore = 1.0

// intervalConfidence is the level of every interval: the medians', the
// ratios' and the level's band.
const intervalConfidence = 0.95

// A Method is how a series is judged.
type Method int

const (
	// Unpaired judges plain runs: the medians of windows of commits
	// before and after, measured at different times.
	Unpaired Method = iota
	// Paired judges paired entries: each commit against its reference,
	// measured together.
	Paired
)

func (m Method) String() string {
	if m == Paired {
		return "paired"
	}
	return "unpaired"
}

// Options say what counts as a change.
type Options struct {
	// Threshold is the smallest relative change flagged, e.g. 0.05: a
	// paired entry's ratio or an unpaired window's medians must move by
	// at least this much, and so must a paired level to be a creep.
	Threshold float64
	// Alpha is the probability with which a paired entry of identical
	// builds may flag a cell: it is shared among the cell's judged
	// metrics, each judged at confidence 1 - Alpha/k. Default 0.05.
	Alpha float64
	// Commits, when set, lists the commits a paired entry measures
	// together: those head has and base has not, newest first (see
	// GitCommits). Load records them in Entry.Commits, so that a pair
	// spanning several commits is named; an error leaves them unknown.
	Commits func(base, head string) ([]string, error)
}

func (o Options) withDefaults() Options {
	if o.Alpha == 0 {
		o.Alpha = DefaultAlpha
	}
	return o
}

// DefaultAlpha is Options.Alpha's default: the gate's.
const DefaultAlpha = 0.05

// A Point is one cell's sample at one entry.
type Point struct {
	Entry  int       // index into the entries
	Values []float64 // unpaired: the runs; paired: nil
	// Center, Lo and Hi are, unpaired, benchmath's median and its 95%
	// interval; paired, head/base and its 95% interval (benchseries).
	Center, Lo, Hi float64
	Inf            bool // too few runs for an interval
	// Level, LevelLo and LevelHi (paired only) are the cumulative product
	// of the ratios up to this entry and its band; NaN once a ratio of 0
	// has made the level meaningless.
	Level, LevelLo, LevelHi float64
	BaseN, HeadN            int // paired: runs per side
	Commit, Date, Label     string
	Base                    string // paired: the base commit (short)
	// Commits (paired) is how many commits the entry measures together,
	// 0 when unknown; more than 1 is a span.
	Commits int
	// Gap (paired) says that Base is not the previous point's commit:
	// the changes between them are in no ratio, so the level starts
	// again here.
	Gap bool
	// Judged is, for a paired point of a metric the gate judges, the
	// ratio and interval it is judged by.
	Judged *Judged
	// Nothing (paired) says that both sides' medians of an allocation
	// unit are below the gate's floor (gate.Floor): they allocate as good
	// as nothing, and their ratio is never flagged.
	Nothing bool
}

// Judged is a paired point's ratio as it is judged: benchseries' interval
// at intervalConfidence, 1 - alpha/Metrics.
type Judged struct {
	Center, Lo, Hi float64
	Confidence     float64
	Metrics        int // the cell's judged metrics at this entry, among which alpha is shared
}

// A Series is one cell and unit over the history, judged by one method.
type Series struct {
	Section, Group, Cell, Unit string
	Better                     int
	Method                     Method
	Points                     []Point
}

// Suspect is a flagged change point.
type Suspect struct {
	Series *Series
	At     Point   // the first point after the shift
	Change float64 // median after over median before (paired: head/base), minus 1
	// Score is benchseries.ChangeScore of the windows, signed (unpaired
	// only).
	Score float64
	// Lo and Hi are the ends of the ratio's 95% interval, minus 1
	// (paired only).
	Lo, Hi float64
}

// evidence is what makes the suspect one, as the stdout line gives it.
func (s Suspect) evidence() string {
	if s.Series.Method == Paired {
		return fmt.Sprintf("%+.1f%% (%s CI %+.1f%% to %+.1f%%, paired against %s%s)", s.Change*100, pct(s.At.Judged.Confidence), s.Lo*100, s.Hi*100, s.At.Base, spanNote(s.At))
	}
	return fmt.Sprintf("%+.1f%% (score %.2f, unpaired)", s.Change*100, s.Score)
}

// spanNote says, of a paired point that measures several commits
// together, how many: its change belongs to one of them.
func spanNote(p Point) string {
	if p.Commits > 1 {
		return fmt.Sprintf(", a span of %d commits", p.Commits)
	}
	return ""
}

func (s Suspect) String() string {
	if s.Series.Method == Paired {
		return fmt.Sprintf("%s %s at %s (%s): %s", s.Series.Cell, s.Series.Unit, s.At.Commit, s.At.Date, s.evidence())
	}
	return fmt.Sprintf("%s %s at %s (%s): %+.1f%% (score %.2f over %d commits each side)",
		s.Series.Cell, s.Series.Unit, s.At.Commit, s.At.Date, s.Change*100, s.Score, poolWindow)
}

// Lines gives one line per cell and commit, its flagged units together,
// e.g. "Size/impl=ring/size=1000 at 0123456789ab (2026-12-04T00:00:00Z):
// sec/op +15.2% (95% CI +12.0% to +18.1%, paired against 00000000000a),
// cpu-sec/op +14.0% (...)".
func Lines(suspects []Suspect) []string {
	var keys []string
	parts := map[string][]string{}
	for _, s := range suspects {
		k := fmt.Sprintf("%s at %s (%s)", s.Series.Cell, s.At.Commit, s.At.Date)
		if _, ok := parts[k]; !ok {
			keys = append(keys, k)
		}
		parts[k] = append(parts[k], s.Series.Unit+" "+s.evidence())
	}
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k + ": " + strings.Join(parts[k], ", ")
	}
	return out
}

// A Trend is a history judged: what Write renders.
type Trend struct {
	Entries  []history.Entry
	Series   []*Series
	Suspects []Suspect
	Creeps   []Creep
	Chain    []Link // the paired entries, each with the base it joins the chain by
	Options  Options
}

// Analyze flags the change points and creeps of the series, and links the
// paired entries into their chain.
func Analyze(entries []history.Entry, series []*Series, o Options) *Trend {
	o = o.withDefaults()
	suspects := detect(series, o)
	return &Trend{Entries: entries, Series: series, Suspects: suspects, Creeps: creeps(series, suspects, o),
		Chain: chain(entries), Options: o}
}

// String sums the trend up in one line, e.g. "6 commits, 5 paired; 14
// series; 1 suspect(s), 0 creep(s)".
func (t *Trend) String() string {
	paired := 0
	for _, e := range t.Entries {
		if e.Paired() {
			paired++
		}
	}
	return fmt.Sprintf("%d commits, %d paired; %d series; %d suspect(s), %d creep(s)",
		len(t.Entries), paired, len(t.Series), len(Lines(t.Suspects)), len(t.Creeps))
}

// pct formats a confidence as a percentage, e.g. "98.75%".
func pct(c float64) string { return strconv.FormatFloat(c*100, 'f', -1, 64) + "%" }

// Load returns the series of every cell and unit of the entries (as
// history.Read loaded them): the unpaired ones in the order cells first
// appear, then the paired ones, their points judged with o.Alpha.
func Load(entries []history.Entry, o Options) ([]*Series, error) {
	o = o.withDefaults()
	var unpaired, paired []int
	for i, e := range entries {
		if e.Paired() {
			entries[i].Commits = o.between(e.Base, e.Commit)
			paired = append(paired, i)
		} else {
			unpaired = append(unpaired, i)
		}
	}
	out, err := loadUnpaired(entries, unpaired)
	if err != nil {
		return nil, err
	}
	ps, err := loadPaired(entries, paired, o)
	if err != nil {
		return nil, err
	}
	return append(out, ps...), nil
}

// loadUnpaired builds the unpaired entries' series: each entry's tables
// (benchstat's, configuration-aware), one point per cell and unit.
func loadUnpaired(entries []history.Entry, idx []int) ([]*Series, error) {
	cfg := table.Config{Table: ".config,.name", Ignore: strings.Join(runconfig.PerRun, ",")}
	byKey := map[string]*Series{}
	var out []*Series
	for _, i := range idx {
		e := &entries[i]
		ts, err := table.Build(e.Results, cfg)
		if err != nil {
			return nil, err
		}
		for _, t := range ts.Tables {
			for _, row := range t.Rows {
				cell := row.Cells[0]
				if cell == nil {
					continue
				}
				name := row.Label
				if t.Group != "" && !strings.HasPrefix(name, t.Group) {
					name = t.Group + "/" + name
				}
				k := t.Section() + "\x00" + row.Label + "\x00" + t.Unit
				s := byKey[k]
				if s == nil {
					s = &Series{Section: t.Section(), Group: ts.SectionTitle(t), Cell: name, Unit: t.Unit, Better: t.Better, Method: Unpaired}
					byKey[k] = s
					out = append(out, s)
				}
				p := Point{Entry: i, Values: slices.Clone(cell.Sample.Values), Center: cell.Summary.Center,
					Lo: cell.Summary.Lo, Hi: cell.Summary.Hi, Commit: history.Short(e.Commit), Date: e.Date, Label: history.Short(e.Commit)}
				p.Inf = math.IsInf(p.Lo, 0) || math.IsInf(p.Hi, 0)
				s.Points = append(s.Points, p)
			}
		}
	}
	return out, nil
}

// detect flags the change points of every series, in the order of the
// series' cells.
func detect(series []*Series, o Options) []Suspect {
	type cell struct{ section, name string }
	var cells []cell
	byCell := map[cell][]Suspect{}
	var paired []Suspect
	for _, s := range series {
		if s.Method == Paired {
			paired = append(paired, pairedSuspects(s, o)...)
			continue
		}
		c := cell{s.Section, s.Cell}
		if _, ok := byCell[c]; !ok {
			cells = append(cells, c)
		}
		byCell[c] = append(byCell[c], candidates(s, o)...)
	}
	out := placeWindowed(cells, func(c cell) []Suspect { return byCell[c] })
	// Paired entries are judged one by one: a cell's suspects at adjacent
	// commits are two measured changes, not one shift seen twice. They
	// are listed by cell, then commit, so one line takes a cell's units.
	sort.SliceStable(paired, func(i, j int) bool {
		a, b := paired[i], paired[j]
		if a.Series.Section+a.Series.Cell != b.Series.Section+b.Series.Cell {
			return a.Series.Section+"\x00"+a.Series.Cell < b.Series.Section+"\x00"+b.Series.Cell
		}
		return a.At.Entry < b.At.Entry
	})
	return append(out, paired...)
}

// placeWindowed places each unpaired cell's shifts. The units of one cell
// (sec/op, cpu-sec/op, items/s, ...) see one shift, and noise can put one
// unit's strongest window a commit before or after another's; so each
// cell's candidates at adjacent commits are one shift, placed at the commit
// whose scores, summed over the cell's units, are strongest, and reported
// for the units that flag that commit.
func placeWindowed[C comparable](cells []C, of func(C) []Suspect) []Suspect {
	var out []Suspect
	for _, c := range cells {
		total := map[int]float64{}
		for _, sp := range of(c) {
			total[sp.At.Entry] += math.Abs(sp.Score)
		}
		at := make([]int, 0, len(total))
		for e := range total {
			at = append(at, e)
		}
		slices.Sort(at)
		for i := 0; i < len(at); {
			j, best := i, at[i]
			for j+1 < len(at) && at[j+1] == at[j]+1 {
				j++
				if total[at[j]] > total[best] {
					best = at[j]
				}
			}
			for _, sp := range of(c) {
				if sp.At.Entry == best {
					out = append(out, sp)
				}
			}
			i = j + 1
		}
	}
	return out
}

// candidates scores every commit of an unpaired series, keeping those
// whose windows before and after do not overlap and whose medians moved
// by the threshold.
func candidates(s *Series, o Options) []Suspect {
	var out []Suspect
	th := benchmath.DefaultThresholds
	for i := 1; i < len(s.Points); i++ {
		before := pool(s.Points[max(0, i-poolWindow):i])
		after := pool(s.Points[i:min(len(s.Points), i+poolWindow)])
		b := benchmath.AssumeNothing.Summary(benchmath.NewSample(before, &th), intervalConfidence)
		a := benchmath.AssumeNothing.Summary(benchmath.NewSample(after, &th), intervalConfidence)
		if math.IsInf(b.Lo, 0) || math.IsInf(a.Lo, 0) || math.IsInf(b.Hi, 0) || math.IsInf(a.Hi, 0) || b.Center == 0 {
			continue
		}
		change := a.Center/b.Center - 1
		if score := changeScore(b, a); math.Abs(score) >= minScore && math.Abs(change) >= o.Threshold {
			out = append(out, Suspect{Series: s, At: s.Points[i], Change: change, Score: score})
		}
	}
	return out
}

// changeScore is benchseries' score, made finite for intervals of zero
// width (identical runs): any gap between them is then a full change.
func changeScore(b, a benchmath.Summary) float64 {
	if b.Hi-b.Lo == 0 || a.Hi-a.Lo == 0 {
		switch {
		case a.Lo > b.Hi:
			return 1 + minScore
		case a.Hi < b.Lo:
			return -1 - minScore
		}
		return 0
	}
	return benchseries.ChangeScore(b.Lo, b.Center, b.Hi, a.Lo, a.Center, a.Hi)
}

func pool(ps []Point) []float64 {
	var out []float64
	for _, p := range ps {
		out = append(out, p.Values...)
	}
	return out
}
