package trend

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/batchbench/batchbench/internal/history"
)

// writeHistory writes one entry per commit: the cell's runs around its
// level at that commit, ±2% noise, deterministic.
func writeHistory(t *testing.T, levels []float64) string {
	t.Helper()
	db := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	for i, level := range levels {
		var b strings.Builder
		fmt.Fprintf(&b, "commit: %012d%028d\ndate: 2026-12-0%dT00:00:00Z\nharness: batchbench test\n", i+1, 0, i+1)
		for range 10 {
			for _, cell := range []string{"impl=ring/size=1000", "impl=mutex/size=1000"} {
				v := 13.0
				if strings.Contains(cell, "ring") {
					v = level
				}
				fmt.Fprintf(&b, "BenchmarkSize/%s-2 100000 %.4f ns/op\n", cell, v*(1+0.02*(2*rng.Float64()-1)))
			}
		}
		writeEntry(t, db, i, b.String())
	}
	return db
}

func writeEntry(t testing.TB, db string, i int, data string) {
	t.Helper()
	dir := filepath.Join(db, fmt.Sprintf("202612%02dT000000Z-%012d", i+1, i+1))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "results.txt"), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func load(t *testing.T, db string) ([]history.Entry, []*Series) {
	t.Helper()
	entries, err := history.Read(db)
	if err != nil {
		t.Fatal(err)
	}
	series, err := Load(entries, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return entries, series
}

func commitID(i int) string { return fmt.Sprintf("%012d%028d", i+1, 0) }

// A shift at commit 4 of 6 is flagged there and nowhere else, for the
// cell that shifted only; noise alone flags nothing.
func TestDetectFlagsTheShift(t *testing.T) {
	db := writeHistory(t, []float64{10, 10, 10, 11.5, 11.5, 11.5})
	entries, series := load(t, db)
	suspects := detect(series, Options{Threshold: 0.05})
	if len(suspects) != 1 {
		t.Fatalf("suspects %v, want exactly one", suspects)
	}
	s := suspects[0]
	if s.At.Entry != 3 || s.Series.Cell != "Size/impl=ring/size=1000" || s.Series.Unit != "sec/op" || s.Change < 0.1 || s.Change > 0.2 {
		t.Errorf("suspect %s, want ring at commit 4, about +15%%", s)
	}
	if !strings.HasPrefix(s.String(), "Size/impl=ring/size=1000 sec/op at 000000000004 (2026-12-04T00:00:00Z): +") {
		t.Errorf("suspect line %q", s)
	}
	path, err := Write(Analyze(entries, series, Options{Threshold: 0.05}), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	md, _ := os.ReadFile(path)
	for _, want := range []string{"| `000000000004` |", "plots/size-sec-op.png", "**Unpaired series are exposed to machine drift**", "| unpaired |"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("trend.md lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(string(md), "**Paired**") {
		t.Errorf("trend.md of an unpaired history describes paired series:\n%s", md)
	}

	quiet := writeHistory(t, []float64{10, 10, 10, 10, 10, 10})
	_, series = load(t, quiet)
	if s := detect(series, Options{Threshold: 0.05}); len(s) != 0 {
		t.Errorf("noise flagged %v", s)
	}
	// A shift smaller than the threshold is not flagged, however clear.
	_, series = load(t, db)
	if s := detect(series, Options{Threshold: 0.2}); len(s) != 0 {
		t.Errorf("a 15%% shift flagged at a 20%% threshold: %v", s)
	}
}

// A history entry cut short is an error naming it; an empty history too.
func TestBadHistory(t *testing.T) {
	if _, err := history.Read(t.TempDir()); err == nil || !strings.Contains(err.Error(), "holds no history entries") {
		t.Errorf("empty history: %v", err)
	}
	db := writeHistory(t, []float64{10, 10, 10})
	entries, err := history.Read(db)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(entries[1].Path)
	cut := strings.LastIndex(string(data), "ns/op")
	if err := os.WriteFile(entries[1].Path, data[:cut-3], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := history.Read(db); err == nil || !strings.Contains(err.Error(), entries[1].Name+" is damaged") {
		t.Errorf("cut-short entry: %v", err)
	}
}

// One cell's units that place one shift a commit apart are one suspect
// commit, not two.
func TestDetectPlacesACellsShiftOnce(t *testing.T) {
	series := func(unit string, levels []float64) *Series {
		s := &Series{Section: "Size", Group: "Size", Cell: "Size/impl=ring/size=1000", Unit: unit}
		for i, l := range levels {
			var vs []float64
			for k := range 10 {
				vs = append(vs, l*(1+0.002*float64(k-5)))
			}
			s.Points = append(s.Points, Point{Entry: i, Values: vs, Commit: fmt.Sprint(i)})
		}
		return s
	}
	got := detect([]*Series{
		series("sec/op", []float64{10, 10, 10, 12, 12, 12}),
		series("items/s", []float64{10, 10, 12, 12, 12, 12}),
	}, Options{Threshold: 0.05})
	if len(got) == 0 {
		t.Fatal("no suspect")
	}
	for _, s := range got {
		if s.At.Entry != got[0].At.Entry {
			t.Errorf("suspects at commits %d and %d: one cell's shift reported twice", got[0].At.Entry, s.At.Entry)
		}
	}
	if lines := Lines(got); len(lines) != 1 {
		t.Errorf("lines %q, want one for the cell", lines)
	}
}

// machine is a synthetic history's machine: every entry runs at its own
// speed (drift, the same for both sides of a pair), and within an entry
// each round at its own (shared by base and head, measured A B A B), with
// ±2% noise on every run.
type machine struct {
	rng    *rand.Rand
	drift  []float64 // per entry
	rounds int
	round  float64 // ± relative speed of a round
}

func newMachine(drift []float64) *machine {
	return &machine{rng: rand.New(rand.NewPCG(3, 4)), drift: drift, rounds: 10, round: 0.05}
}

func (m *machine) noise() float64 { return 1 + 0.02*(2*m.rng.Float64()-1) }

// header is the configuration a benchrun compare writes for one side.
func header(side, commit string, i int) string {
	return fmt.Sprintf("Unit ns/op better=lower\ngoos: linux\ngoarch: amd64\ncpu: machine %d\ngo: go1.26.8\ngomaxprocs: 2\n"+
		"commit: %s\ndirty: false\ndate: 2026-12-%02dT00:00:00Z\nharness: batchbench test\nsuite: quick\ncount: 10\nseed: %d\nsource: %s\nrunner: r%d\nfloor-mutex: %d.0\n\n",
		i%3, commit, i+1, 1000+i, side, i%2, 9+i%3)
}

// pair returns entry i's file: base (commit i-1) at levels[i-1], head
// (commit i) at levels[i], for ring; mutex stays at 13 ns.
func (m *machine) pair(i int, levels []float64) string { return m.pairAgainst(i, i-1, levels) }

// pairAgainst returns entry i's file measured against commit b (b < i):
// base at levels[b], head at levels[i].
func (m *machine) pairAgainst(i, b int, levels []float64) string {
	var base, head strings.Builder
	base.WriteString(header("base", commitID(b), i))
	head.WriteString(header("head", commitID(i), i))
	for range m.rounds {
		r := m.drift[i] * (1 + m.round*(2*m.rng.Float64()-1))
		for _, side := range []struct {
			b     *strings.Builder
			level float64
		}{{&base, levels[b]}, {&head, levels[i]}} {
			fmt.Fprintf(side.b, "BenchmarkSize/impl=ring/size=1000-2 100000 %.4f ns/op %.4f cpu-ns/op 0 B/op\n", side.level*r*m.noise(), 1.2*side.level*r*m.noise())
			fmt.Fprintf(side.b, "BenchmarkSize/impl=mutex/size=1000-2 100000 %.4f ns/op %.4f cpu-ns/op 0 B/op\n", 13*r*m.noise(), 15*r*m.noise())
		}
	}
	return base.String() + head.String()
}

// run returns entry i as a plain run of commit i at levels[i] on the same
// machine.
func (m *machine) run(i int, levels []float64) string {
	var b strings.Builder
	h := header("", commitID(i), i)
	b.WriteString(strings.Replace(h, "source: \n", "", 1))
	for range m.rounds {
		r := m.drift[i] * (1 + m.round*(2*m.rng.Float64()-1))
		fmt.Fprintf(&b, "BenchmarkSize/impl=ring/size=1000-2 100000 %.4f ns/op %.4f cpu-ns/op 0 B/op\n", levels[i]*r*m.noise(), 1.2*levels[i]*r*m.noise())
		fmt.Fprintf(&b, "BenchmarkSize/impl=mutex/size=1000-2 100000 %.4f ns/op %.4f cpu-ns/op 0 B/op\n", 13*r*m.noise(), 15*r*m.noise())
	}
	return b.String()
}

// pairedHistory files entry 0 as a plain run and entries 1.. as pairs,
// each commit against its parent.
func pairedHistory(t testing.TB, levels, drift []float64) string {
	t.Helper()
	db := t.TempDir()
	m := newMachine(drift)
	writeEntry(t, db, 0, m.run(0, levels))
	for i := 1; i < len(levels); i++ {
		writeEntry(t, db, i, m.pair(i, levels))
	}
	return db
}

// unpairedHistory files the same machine's plain runs of every commit.
func unpairedHistory(t *testing.T, levels, drift []float64) string {
	t.Helper()
	db := t.TempDir()
	m := newMachine(drift)
	for i := range levels {
		writeEntry(t, db, i, m.run(i, levels))
	}
	return db
}

// drift is how fast the machine ran at each entry: the 5–15% a shared VM
// drifts over a minute of sequential runs.
var drift = []float64{1, 1.12, 0.9, 1.08, 0.88, 1.15}

// A 15% shift planted at commit 4, on a machine that drifts by up to 15%
// from entry to entry, is flagged at commit 4 and nowhere else when every
// commit is measured against its parent; the same machine's plain runs
// flag the drift (that is why pairs exist).
func TestPairedFlagsTheShiftUnderDrift(t *testing.T) {
	levels := []float64{10, 10, 10, 11.5, 11.5, 11.5}
	entries, series := load(t, pairedHistory(t, levels, drift))
	if entries[0].Paired() || !entries[1].Paired() || entries[3].Base != commitID(2) || entries[3].Commit != commitID(3) {
		t.Fatalf("entries %+v: want a plain run, then pairs of each commit and its parent", entries)
	}
	tr := Analyze(entries, series, Options{Threshold: 0.05})
	lines := Lines(tr.Suspects)
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "Size/impl=ring/size=1000 at 000000000004 (2026-12-04T00:00:00Z): sec/op +") ||
		!strings.Contains(lines[0], "paired against 000000000003") || !strings.Contains(lines[0], "cpu-sec/op +") {
		t.Fatalf("lines %q, want ring at commit 4 alone, sec/op and cpu-sec/op, paired", lines)
	}
	for _, s := range tr.Suspects {
		if s.Series.Method != Paired || s.Change < 0.1 || s.Change > 0.2 || s.Lo <= 0 {
			t.Errorf("suspect %s: want paired, about +15%%, its interval above 0", s)
		}
	}
	// ring's level ends about 15% up, mutex's about level; the shift is
	// one flagged step, so it is listed as a change of the level with one
	// flagged entry.
	for _, s := range series {
		if s.Method != Paired || s.Unit != "sec/op" {
			continue
		}
		want := 1.0
		if strings.Contains(s.Cell, "ring") {
			want = 1.15
		}
		last := s.Points[len(s.Points)-1]
		if math.Abs(last.Level/want-1) > 0.04 || last.LevelLo > last.Level || last.LevelHi < last.Level {
			t.Errorf("%s level %.3f [%.3f, %.3f], want about %.2f", s.Cell, last.Level, last.LevelLo, last.LevelHi, want)
		}
	}
	out := t.TempDir()
	path, err := Write(tr, out)
	if err != nil {
		t.Fatal(err)
	}
	md, _ := os.ReadFile(path)
	for _, want := range []string{"**Paired** (", "**Unpaired** (", "| paired | +1", "plots/size-sec-op-paired-level.png",
		"plots/size-sec-op.png", "## Cumulative change (paired)"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("trend.md lacks %q:\n%s", want, md)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "plots/size-sec-op-paired-level.png")); err != nil {
		t.Error(err)
	}

	// The same machine, the same commits, measured alone: the drift
	// shows as changes of the code.
	_, unpaired := load(t, unpairedHistory(t, levels, drift))
	if got := Lines(detect(unpaired, Options{Threshold: 0.05})); len(got) == 1 && strings.Contains(got[0], "ring/size=1000 at 000000000004") {
		t.Errorf("the unpaired method found the shift through this drift (%q): the drift is too mild to test pairing", got)
	}
}

// Drift alone, however large, flags nothing in a paired history, and
// moves no level.
func TestPairedDriftAloneFlagsNothing(t *testing.T) {
	levels := []float64{10, 10, 10, 10, 10, 10}
	entries, series := load(t, pairedHistory(t, levels, drift))
	tr := Analyze(entries, series, Options{Threshold: 0.05})
	if len(tr.Suspects) != 0 || len(tr.Creeps) != 0 {
		t.Errorf("drift flagged %v, creeps %v", tr.Suspects, tr.Creeps)
	}
	_, unpaired := load(t, unpairedHistory(t, levels, drift))
	if len(detect(unpaired, Options{Threshold: 0.05})) == 0 {
		t.Error("the unpaired method flagged nothing through this drift: too mild to test pairing")
	}
}

// A 2% slowdown per commit is flagged at no commit (each is under the 5%
// threshold), but the level multiplies up to about +22% over 10 commits,
// its band excluding 1, and the creep is listed.
func TestPairedCreepShowsInTheLevel(t *testing.T) {
	var levels, dr []float64
	for i := range 11 {
		levels = append(levels, 10*math.Pow(1.02, float64(i)))
		dr = append(dr, drift[i%len(drift)])
	}
	entries, series := load(t, pairedHistory(t, levels, dr))
	tr := Analyze(entries, series, Options{Threshold: 0.05})
	if len(tr.Suspects) != 0 {
		t.Errorf("a 2%% step flagged: %v", Lines(tr.Suspects))
	}
	var ring *Creep
	for i, c := range tr.Creeps {
		if strings.Contains(c.Series.Cell, "mutex") {
			t.Errorf("mutex, which did not move, listed as a creep: %+v", c)
		}
		if c.Series.Cell == "Size/impl=ring/size=1000" && c.Series.Unit == "sec/op" {
			ring = &tr.Creeps[i]
		}
	}
	if ring == nil {
		t.Fatalf("creeps %+v: want ring's sec/op", tr.Creeps)
	}
	want := math.Pow(1.02, 10) - 1
	if math.Abs(ring.Level-want) > 0.05 || ring.Lo <= 0 || ring.Steps != 10 || ring.Flagged != 0 || math.Abs(ring.Largest) >= 0.05 {
		t.Errorf("ring creep %+v, want level about %+.3f, band above 0, 10 steps, none flagged or over 5%%", *ring, want)
	}
	path, err := Write(tr, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	md, _ := os.ReadFile(path)
	if !strings.Contains(string(md), "| `Size/impl=ring/size=1000` | sec/op | +2") || !strings.Contains(string(md), "No change point") {
		t.Errorf("trend.md does not list the creep:\n%s", md)
	}
}

// A paired entry cut short after base's half (its head lost), and one
// with a line cut short, are errors naming the entry.
func TestDamagedPairedEntry(t *testing.T) {
	for name, cut := range map[string]func(string) string{
		"base half only": func(s string) string { return s[:strings.Index(s[1:], "Unit ns/op")+1] },
		"line cut short": func(s string) string { return s[:strings.LastIndex(s, " ns/op")-3] },
	} {
		db := pairedHistory(t, []float64{10, 10, 10}, drift)
		entries, err := history.Read(db)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(entries[2].Path)
		if err := os.WriteFile(entries[2].Path, []byte(cut(string(data))), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := history.Read(db); err == nil || !strings.Contains(err.Error(), entries[2].Name+" is damaged") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// FuzzTrend files arbitrary bytes as the last entry of a paired history:
// reading it, judging the series and wording trend.md either works or
// fails with an error, never a panic. (The charts are gonum's, drawn
// from the same series; leaving them out keeps each input fast.)
func FuzzTrend(f *testing.F) {
	db := pairedHistory(f, []float64{10, 10, 12}, drift)
	f.Fuzz(func(t *testing.T, data []byte) {
		writeEntry(t, db, 3, string(data))
		entries, err := history.Read(db)
		if err != nil {
			return
		}
		o := Options{Threshold: 0.05}
		series, err := Load(entries, o)
		if err != nil {
			return
		}
		tr := Analyze(entries, series, o)
		_ = markdown(tr, groupSeries(tr.Series))
		_ = Lines(tr.Suspects)
	})
}
