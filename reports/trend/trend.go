// Package trend reads a history of results, one benchmark file per
// commit, into a series per cell and metric, and flags change points: the
// commits where a cell's level shifted.
//
// A change point is judged as the Go performance dashboard judges its
// series: benchseries.ChangeScore measures how far apart the confidence
// intervals of the medians before and after a commit lie (0 the same
// interval, 1 just touching, more a gap). Comparing windows of a few
// commits on each side, not single commits, keeps one noisy run from
// looking like a shift; of a cell's adjacent candidates only the strongest
// commit is kept.
package trend

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"golang.org/x/perf/benchmath"
	"golang.org/x/perf/benchseries"

	"github.com/batchbench/batchbench/internal/runconfig"
	"github.com/batchbench/batchbench/reports/table"
)

// Window is how many commits on each side of a candidate are pooled.
const Window = 3

// MinScore is the change score a shift must reach: the intervals before
// and after do not overlap at all.
const MinScore = 1.0

// An Entry is one commit's results in the history.
type Entry struct {
	Name   string // the entry's directory, "20261201T120000Z-0123456789ab"
	Commit string
	Date   string
	Path   string
}

// A Point is one cell's sample at one entry.
type Point struct {
	Entry               int // index into Series' entries
	Values              []float64
	Center, Lo, Hi      float64 // benchmath's median and its 95% interval
	Inf                 bool    // too few runs for an interval
	Commit, Date, Label string
}

// A Series is one cell and unit over the history.
type Series struct {
	Section, Group, Cell, Unit string
	Better                     int
	Points                     []Point
}

// Suspect is a flagged change point.
type Suspect struct {
	Series *Series
	At     Point   // the first point after the shift
	Change float64 // median after over median before, minus 1
	Score  float64 // benchseries.ChangeScore of the windows, signed
}

func (s Suspect) String() string {
	return fmt.Sprintf("%s %s at %s (%s): %+.1f%% (score %.2f over %d commits each side)",
		s.Series.Cell, s.Series.Unit, s.At.Commit, s.At.Date, s.Change*100, s.Score, Window)
}

// Lines gives one line per cell and commit, its flagged units together,
// e.g. "Size/impl=ring/size=1000 at 0123456789ab (2026-12-04T00:00:00Z):
// sec/op +12.3% (score 2.10), cpu-sec/op +11.0% (score 1.80)".
func Lines(suspects []Suspect) []string {
	var keys []string
	parts := map[string][]string{}
	for _, s := range suspects {
		k := fmt.Sprintf("%s at %s (%s)", s.Series.Cell, s.At.Commit, s.At.Date)
		if _, ok := parts[k]; !ok {
			keys = append(keys, k)
		}
		parts[k] = append(parts[k], fmt.Sprintf("%s %+.1f%% (score %.2f)", s.Series.Unit, s.Change*100, s.Score))
	}
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k + ": " + strings.Join(parts[k], ", ")
	}
	return out
}

// Entries lists the history in db, oldest first.
func Entries(db string) ([]Entry, error) {
	dirs, err := os.ReadDir(db)
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, d := range dirs {
		path := filepath.Join(db, d.Name(), "results.txt")
		if !d.IsDir() {
			continue
		}
		if _, err := os.Stat(path); err != nil {
			continue
		}
		out = append(out, Entry{Name: d.Name(), Path: path})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	if len(out) == 0 {
		return nil, fmt.Errorf("%s holds no history entries (DIR/DATE-COMMIT/results.txt)", db)
	}
	return out, nil
}

// Load reads every entry and returns the series of every cell and unit,
// in the order cells first appear.
func Load(entries []Entry) ([]*Series, error) {
	cfg := table.Config{Table: ".config,.name", Ignore: strings.Join(runconfig.PerRun, ",")}
	byKey := map[string]*Series{}
	var out []*Series
	for i := range entries {
		e := &entries[i]
		res, err := table.Load(e.Path)
		if err != nil {
			return nil, err
		}
		if len(res.SyntaxErrors) > 0 || res.Count == 0 {
			why := "no results"
			if len(res.SyntaxErrors) > 0 {
				why = res.SyntaxErrors[0]
			}
			return nil, fmt.Errorf("history entry %s is damaged (%s); refile it with benchrun history add -force", e.Name, why)
		}
		e.Commit, e.Date = res.Inputs[0].ConfigValue(runconfig.Commit), res.Inputs[0].ConfigValue(runconfig.Date)
		ts, err := table.Build(res, cfg)
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
					s = &Series{Section: t.Section(), Group: ts.SectionTitle(t), Cell: name, Unit: t.Unit, Better: t.Better}
					byKey[k] = s
					out = append(out, s)
				}
				p := Point{Entry: i, Values: slices.Clone(cell.Sample.Values), Center: cell.Summary.Center,
					Lo: cell.Summary.Lo, Hi: cell.Summary.Hi, Commit: short(e.Commit), Date: e.Date, Label: short(e.Commit)}
				p.Inf = math.IsInf(p.Lo, 0) || math.IsInf(p.Hi, 0)
				s.Points = append(s.Points, p)
			}
		}
	}
	return out, nil
}

func short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}

// Detect flags the change points of every series. The units of one cell
// (sec/op, cpu-sec/op, items/s, ...) see one shift, and noise can put one
// unit's strongest window a commit before or after another's; so each
// cell's candidates at adjacent commits are one shift, placed at the commit
// whose scores, summed over the cell's units, are strongest, and reported
// for the units that flag that commit.
func Detect(series []*Series) []Suspect {
	type cell struct{ section, name string }
	var cells []cell
	byCell := map[cell][]Suspect{}
	for _, s := range series {
		c := cell{s.Section, s.Cell}
		if _, ok := byCell[c]; !ok {
			cells = append(cells, c)
		}
		byCell[c] = append(byCell[c], candidates(s)...)
	}
	var out []Suspect
	for _, c := range cells {
		total := map[int]float64{}
		for _, sp := range byCell[c] {
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
			for _, sp := range byCell[c] {
				if sp.At.Entry == best {
					out = append(out, sp)
				}
			}
			i = j + 1
		}
	}
	return out
}

// candidates scores every commit of s, keeping those whose windows before
// and after do not overlap.
func candidates(s *Series) []Suspect {
	var out []Suspect
	th := benchmath.DefaultThresholds
	for i := 1; i < len(s.Points); i++ {
		before := pool(s.Points[max(0, i-Window):i])
		after := pool(s.Points[i:min(len(s.Points), i+Window)])
		b := benchmath.AssumeNothing.Summary(benchmath.NewSample(before, &th), 0.95)
		a := benchmath.AssumeNothing.Summary(benchmath.NewSample(after, &th), 0.95)
		if math.IsInf(b.Lo, 0) || math.IsInf(a.Lo, 0) || math.IsInf(b.Hi, 0) || math.IsInf(a.Hi, 0) || b.Center == 0 {
			continue
		}
		if score := changeScore(b, a); math.Abs(score) >= MinScore {
			out = append(out, Suspect{Series: s, At: s.Points[i], Change: a.Center/b.Center - 1, Score: score})
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
			return 1 + MinScore
		case a.Hi < b.Lo:
			return -1 - MinScore
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
