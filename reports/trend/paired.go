package trend

import (
	"fmt"
	"maps"
	"math"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aclements/go-moremath/stats"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchseries"
	"golang.org/x/perf/benchunit"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/batchbench/batchbench/internal/history"
	"github.com/batchbench/batchbench/internal/runconfig"
	"github.com/batchbench/batchbench/reports/gate"
)

// bootstrapResamples is how many resamples benchseries draws for each
// ratio's interval (it recommends 1000). Its resampling is seeded by the
// cells' values, so a trend is reproducible.
const bootstrapResamples = 1000

// entryKey is the key trend sets on every result of a paired entry, in
// memory only, to tell benchseries' Builder which entry (its series point
// and its experiment) a result belongs to. benchseries wants dates there;
// entry i gets stampBase plus i seconds, which sorts as the entries do.
const entryKey = "trend-entry"

var stampBase = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// minRuns is the fewest runs per side a paired point needs to be judged:
// fewer and its bootstrap interval means nothing (one run per side gives
// an interval of zero width). It is the gate's minimum, the count at
// which benchmath's test can reach α = 0.05 at all.
var minRuns = gate.MinCount(0.05)

// builderOptions are benchseries' options for batchbench's paired entries:
// the numerator is the side "source: head", the denominator "source:
// base", each with its commit; a table per unit and configuration, the
// harness's per-run keys and the cpu left out of it (a ratio is measured on
// one machine, so ratios from different machines chain).
func builderOptions() *benchseries.BuilderOptions {
	var ignore []string
	for _, k := range runconfig.PerRun {
		if k != runconfig.Commit && k != runconfig.Source {
			ignore = append(ignore, k)
		}
	}
	ignore = append(ignore, "cpu")
	return &benchseries.BuilderOptions{
		Filter:          ".unit:/.*/",
		Series:          entryKey,
		Table:           ".config",
		Experiment:      entryKey,
		Compare:         runconfig.Source,
		Numerator:       "head",
		Denominator:     "base",
		NumeratorHash:   runconfig.Commit,
		DenominatorHash: runconfig.Commit,
		Ignore:          strings.Join(ignore, ","),
		Warn:            func(string, ...any) {},
	}
}

var procsSuffix = regexp.MustCompile(`-\d+$`)

// loadPaired builds the paired entries' series with benchseries: one
// ComparisonSeries per unit and configuration, one point per entry and
// cell, head/base with its bootstrapped 95% interval; and, for the metrics
// the gate judges, the interval the point is judged by (see judging).
func loadPaired(entries []history.Entry, idx []int, o Options) ([]*Series, error) {
	if len(idx) == 0 {
		return nil, nil
	}
	shown, err := benchseries.NewBuilder(builderOptions())
	if err != nil {
		return nil, err
	}
	// One builder per number k of judged metrics a cell has: its points
	// are judged at 1 - alpha/k.
	judges := map[int]*benchseries.Builder{}
	units := benchfmt.UnitMetadataMap{}
	at := map[string]int{} // benchseries' series (normalized stamp) -> entry
	var unitOrder []string // raw units in order of appearance
	for _, i := range idx {
		stamp := stampBase.Add(time.Duration(i) * time.Second).Format(time.RFC3339)
		norm, err := benchseries.NormalizeDateString(stamp)
		if err != nil {
			return nil, err
		}
		at[norm] = i
		maps.Copy(units, entries[i].Results.Units)
		err = readEntry(entries[i], func(r *benchfmt.Result) error {
			r.SetConfig(entryKey, stamp)
			shown.Add(r)
			judged := r.Clone()
			judged.Values = slices.DeleteFunc(judged.Values, func(v benchfmt.Value) bool {
				_, u := benchunit.Tidy(1, v.Unit)
				return !slices.Contains(gate.Units, u)
			})
			for _, v := range r.Values {
				if !slices.Contains(unitOrder, v.Unit) {
					unitOrder = append(unitOrder, v.Unit)
				}
			}
			if k := len(judged.Values); k > 0 {
				if judges[k] == nil {
					if judges[k], err = benchseries.NewBuilder(builderOptions()); err != nil {
						return err
					}
				}
				judges[k].Add(judged)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	type judgedSum struct {
		sum *benchseries.ComparisonSummary
		k   int
	}
	judgedAt := map[string]judgedSum{} // unit and table, benchmark, series
	for k, b := range judges {
		css, err := b.AllComparisonSeries(nil, benchseries.DUPE_REPLACE)
		if err != nil {
			return nil, err
		}
		conf, n := judging(o.Alpha, k)
		for _, cs := range css {
			cs.AddSummaries(conf, n)
			for si, ser := range cs.Series {
				for bi, bench := range cs.Benchmarks {
					if sum := cs.Summaries[si][bi]; sum.Defined() {
						judgedAt[cs.Unit+"\x00"+bench+"\x00"+ser] = judgedSum{sum, k}
					}
				}
			}
		}
	}
	css, err := shown.AllComparisonSeries(nil, benchseries.DUPE_REPLACE)
	if err != nil {
		return nil, err
	}
	// benchseries sorts its series by unit name; the files' order (sec/op
	// first) reads better, as in the unpaired series and the reports.
	unitOf := func(cs *benchseries.ComparisonSeries) int {
		u, _, _ := strings.Cut(cs.Unit, " ")
		return slices.Index(unitOrder, u)
	}
	slices.SortStableFunc(css, func(a, b *benchseries.ComparisonSeries) int { return unitOf(a) - unitOf(b) })
	tables := map[string]bool{}
	for _, cs := range css {
		_, t, _ := strings.Cut(cs.Unit, " ")
		tables[t] = true
	}
	var out []*Series
	for _, cs := range css {
		cs.AddSummaries(intervalConfidence, bootstrapResamples)
		rawUnit, tbl, _ := strings.Cut(cs.Unit, " ")
		_, unit := benchunit.Tidy(1, rawUnit)
		for bi, bench := range cs.Benchmarks {
			cell := procsSuffix.ReplaceAllString(bench, "")
			family, _, _ := strings.Cut(cell, "/")
			group := family
			if len(tables) > 1 && tbl != "" {
				group += " · " + tbl
			}
			s := &Series{Section: tbl + "\x00" + family, Group: group, Cell: cell, Unit: unit,
				Better: units.GetBetter(rawUnit), Method: Paired}
			for si, ser := range cs.Series {
				sum := cs.Summaries[si][bi]
				if !sum.Defined() {
					continue
				}
				i, ok := at[ser]
				if !ok {
					return nil, fmt.Errorf("trend: benchseries returned a point %q no entry has", ser)
				}
				e := entries[i]
				p := Point{Entry: i, Center: sum.Center, Lo: sum.Low, Hi: sum.High,
					Commit: history.Short(e.Commit), Date: e.Date, Label: history.Short(e.Commit), Base: history.Short(cs.HashPairs[ser].DenHash),
					Commits: len(e.Commits)}
				if c, ok := cs.ComparisonAt(bench, ser); ok && c.Numerator != nil && c.Denominator != nil {
					p.HeadN, p.BaseN = len(c.Numerator.Values), len(c.Denominator.Values)
					if floor := gate.Floor(unit); floor > 0 {
						factor, _ := benchunit.Tidy(1, rawUnit)
						median := func(xs []float64) float64 { return factor * stats.Sample{Xs: xs}.Quantile(0.5) }
						p.Nothing = median(c.Numerator.Values) < floor && median(c.Denominator.Values) < floor
					}
				}
				p.Inf = min(p.HeadN, p.BaseN) < minRuns
				if j, ok := judgedAt[cs.Unit+"\x00"+bench+"\x00"+ser]; ok {
					p.Judged = &Judged{Center: j.sum.Center, Lo: j.sum.Low, Hi: j.sum.High, Metrics: j.k}
					p.Judged.Confidence, _ = judging(o.Alpha, j.k)
				}
				s.Points = append(s.Points, p)
			}
			if len(s.Points) > 0 {
				cumulate(s)
				out = append(out, s)
			}
		}
	}
	return out, nil
}

// judging is the confidence at which a cell with k judged metrics has each
// judged (alpha shared among them, Bonferroni, as the gate's confirmation
// shares its alpha among the flagged cells), and the bootstraps that
// estimate so far into the tails: at least 20 resamples beyond each end.
func judging(alpha float64, k int) (confidence float64, bootstraps int) {
	tail := alpha / float64(2*k)
	return 1 - alpha/float64(k), max(bootstrapResamples, int(math.Ceil(20/tail)))
}

// readEntry calls use for every result of an entry; a line that does not
// parse is an error naming the entry.
func readEntry(e history.Entry, use func(*benchfmt.Result) error) error {
	f, err := os.Open(e.Path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := benchfmt.NewReader(f, e.Path)
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.SyntaxError:
			return &history.DamagedError{Entry: e.Name, Why: rec.Error()}
		case *benchfmt.Result:
			if err := use(rec); err != nil {
				return err
			}
		}
	}
	return r.Err()
}

// cumulate fills in the level of each point: the product of the ratios so
// far, with its band (see the package doc). A point whose base is not the
// previous point's commit is a gap: what changed between them is in no
// ratio, so the level starts again there, from the point's base, rather
// than multiply across it as if nothing had.
func cumulate(s *Series) {
	z := distuv.UnitNormal.Quantile(1 - (1-intervalConfidence)/2)
	var logLevel, varLo, varHi float64
	broken := false
	for k := range s.Points {
		p := &s.Points[k]
		if k > 0 && p.Base != s.Points[k-1].Commit {
			p.Gap = true
			logLevel, varLo, varHi, broken = 0, 0, 0, false
		}
		if broken || p.Center <= 0 || p.Lo <= 0 {
			broken = true
			p.Level, p.LevelLo, p.LevelHi = math.NaN(), math.NaN(), math.NaN()
			continue
		}
		logLevel += math.Log(p.Center)
		varLo += sq(math.Log(p.Center/p.Lo) / z)
		varHi += sq(math.Log(p.Hi/p.Center) / z)
		p.Level = math.Exp(logLevel)
		p.LevelLo = math.Exp(logLevel - z*math.Sqrt(varLo))
		p.LevelHi = math.Exp(logLevel + z*math.Sqrt(varHi))
	}
}

func sq(x float64) float64 { return x * x }

// judged reports whether a paired series' unit is one the gate judges.
func judged(s *Series) bool { return slices.Contains(gate.Units, s.Unit) }

// pairedSuspects flags the entries of a paired series whose judged ratio's
// interval excludes 1 and whose ratio moved by at least the threshold.
func pairedSuspects(s *Series, o Options) []Suspect {
	if !judged(s) {
		return nil
	}
	var out []Suspect
	for _, p := range s.Points {
		j := p.Judged
		if p.Inf || p.Nothing || j == nil || !(j.Lo > 1 || j.Hi < 1) || math.Abs(j.Center-1) < o.Threshold {
			continue
		}
		out = append(out, Suspect{Series: s, At: p, Change: j.Center - 1, Lo: j.Lo - 1, Hi: j.Hi - 1})
	}
	return out
}

// A Creep is a stretch of a paired series, from its first entry or a
// gap to its end or the next gap, whose level moved by at least the
// threshold with its band excluding 1: a change made of steps, each
// perhaps too small to flag.
type Creep struct {
	Series        *Series
	Level, Lo, Hi float64 // the stretch's last level and its band, minus 1
	Steps         int     // the paired entries it is the product of
	Flagged       int     // of which flagged as change points
	Largest       float64 // the largest single ratio, minus 1 (by size)
	From, To      string  // the stretch's first base and its last commit
}

// creeps lists the stretches of the paired series, of the metrics the
// gate judges, whose level moved by at least the threshold, its band
// excluding 1. A level never spans a gap (see cumulate), so neither does a
// creep.
func creeps(series []*Series, suspects []Suspect, o Options) []Creep {
	flagged := map[*Series]map[int]bool{}
	for _, sp := range suspects {
		if flagged[sp.Series] == nil {
			flagged[sp.Series] = map[int]bool{}
		}
		flagged[sp.Series][sp.At.Entry] = true
	}
	var out []Creep
	for _, s := range series {
		if s.Method != Paired || !judged(s) {
			continue
		}
		for _, st := range stretches(s) {
			first, last := st[0], st[len(st)-1]
			if math.IsNaN(last.Level) || last.Nothing || !(last.LevelLo > 1 || last.LevelHi < 1) || math.Abs(last.Level-1) < o.Threshold {
				continue
			}
			c := Creep{Series: s, Level: last.Level - 1, Lo: last.LevelLo - 1, Hi: last.LevelHi - 1, Steps: len(st),
				From: first.Base, To: last.Commit}
			for _, p := range st {
				if math.Abs(p.Center-1) > math.Abs(c.Largest) {
					c.Largest = p.Center - 1
				}
				if flagged[s][p.Entry] {
					c.Flagged++
				}
			}
			out = append(out, c)
		}
	}
	return out
}

// stretches splits a paired series' points at its gaps: each stretch is
// one chain, along which the level multiplies.
func stretches(s *Series) [][]Point {
	var out [][]Point
	for k, p := range s.Points {
		if k == 0 || p.Gap {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], p)
	}
	return out
}
