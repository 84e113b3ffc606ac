package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/batchbench/batchbench/harness"
	"github.com/batchbench/batchbench/harness/compare"
	"github.com/batchbench/batchbench/reports/flame"
)

var e2e = flag.Bool("e2e", false, "run the end-to-end compare tests: they build benchrun twice in a scratch git repo and take minutes")

// pairCount is the runs per side of each paired history entry the
// end-to-end trend test records.
const pairCount = 100

func TestUsageErrorsExitTwo(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"bogus"},
		{"run"},
		{"run", "-o", t.TempDir(), "-count", "0"},
		{"run", "-o", t.TempDir(), "-impl", "nosuch"},
		{"run", "-o", t.TempDir(), "-scenario", "("},
		{"report"},
		{"report", "-in", filepath.Join(t.TempDir(), "missing")},
		{"report", "-in", t.TempDir(), "-col", "(("},
		{"compare", "-base", "HEAD", "-o", t.TempDir(), "-threshold", "5"},
		{"calibrate", "-n", "2"},
		{"calibrate", "-n", "0", "-o", filepath.Join(t.TempDir(), "new")},
		{"calibrate", "-o", t.TempDir()},
		{"calibrate", "-count", "1", "-o", filepath.Join(t.TempDir(), "new")},
		{"compare", "-base", "HEAD", "-o", t.TempDir(), "-budget", "-1s"},
		{"compare", "-base", "HEAD", "-o", t.TempDir(), "-layouts", "0"},
		{"compare", "-base", "HEAD", "-o", t.TempDir(), "-cpu", "-1"},
		{"run", "-o", t.TempDir(), "-cpu", "-2"},
		{"compare", "-base", "HEAD", "-o", t.TempDir(), "-cover", "0%"},
		{"compare", "-o", t.TempDir()},
		{"compare", "-base", "HEAD", "-o", t.TempDir(), "-threshold", "lots"},
		{"compare", "-base", "HEAD", "-o", t.TempDir(), "-alpha", "2"},
		{"compare", "-base", "no-such-revision-anywhere", "-o", t.TempDir(), "-scenario", "Size/size=10$", "-impl", "ring"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 2 {
			t.Errorf("benchrun %q exited %d, want 2; stderr:\n%s", args, code, stderr.String())
		} else if stderr.Len() == 0 {
			t.Errorf("benchrun %q printed no error", args)
		}
	}
}

// The quick gate starts its workers at one CPU unless -cpu says
// otherwise; the full gate, and run -quick, leave it to the machine.
func TestTheQuickGateRunsAtOneCPU(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		procs int
	}{
		{[]string{"-quick"}, 1},
		{[]string{"-quick", "-cpu", "2"}, 2},
		{[]string{"-quick", "-cpu", "0"}, 0},
		{nil, 0},
		{[]string{"-cpu", "3"}, 3},
	} {
		var g gateFlags
		fs := newFlagSet("compare", io.Discard)
		g.register(fs)
		if err := g.parse(fs, tc.args, 0); err != nil {
			t.Fatalf("%q: %v", tc.args, err)
		}
		if got := g.compare(harness.Build{}, "", "", io.Discard).Run.Procs; got != tc.procs {
			t.Errorf("%q: workers at GOMAXPROCS %d, want %d", tc.args, got, tc.procs)
		}
	}
	var m measuring
	sel := selection{}
	fs := newFlagSet("run", io.Discard)
	sel.register(fs)
	m.register(fs, "cell")
	if err := parseFlags(fs, []string{"-quick"}, 0); err != nil || m.finish(fs, &sel) != nil || m.options(&sel, nil, "", io.Discard).Procs != 0 {
		t.Errorf("run -quick: workers at GOMAXPROCS %d (%v), want the machine's", m.procs, err)
	}
}

// A side measured against saved results runs at their GOMAXPROCS, not
// at -quick's one CPU, unless -cpu says so: else the two could never be
// compared.
func TestASavedSideFixesTheCPUs(t *testing.T) {
	dir := t.TempDir()
	file := func(name, config string) string {
		path := filepath.Join(dir, name)
		text := config + "BenchmarkSize/impl=mutex/size=1000-2 1000 12.5 ns/op\n"
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	atTwo, unsaid := file("two.txt", "gomaxprocs: 2\n"), file("go-test.txt", "goos: linux\n")
	for _, tc := range []struct {
		args       []string
		base, head string
		procs      int
	}{
		{[]string{"-quick"}, atTwo, "", 2},
		{[]string{"-quick", "-cpu", "1"}, atTwo, "", 1},
		{[]string{"-quick"}, unsaid, "", 1},
		{[]string{"-quick"}, "HEAD~1", "", 1},
		{nil, "HEAD~1", atTwo, 2},
	} {
		var g gateFlags
		fs := newFlagSet("compare", io.Discard)
		g.register(fs)
		if err := g.parse(fs, tc.args, 0); err != nil {
			t.Fatal(err)
		}
		o := g.compare(harness.Build{}, "", "", io.Discard)
		o.Base, o.Head = compare.ParseSide(tc.base), compare.ParseSide(tc.head)
		g.procsOfSaved(fs, &o)
		if o.Run.Procs != tc.procs {
			t.Errorf("%q, base %s, head %q: workers at GOMAXPROCS %d, want %d", tc.args, filepath.Base(tc.base), filepath.Base(tc.head), o.Run.Procs, tc.procs)
		}
	}
}

// The end-to-end tests plant a slowdown in one implementation's Add: a
// chain of 8 dependent multiplies that starts from an atomic load and ends
// in an atomic add. Neither end lets the chain overlap the item's own
// locked instructions (the load waits for the last one, the next one waits
// for the add), so it costs its multiplies' latency, about 25 cycles, on
// any host. Earlier plants did not: a multiply chain alone ran in the
// shadow of ring's compare-and-swap on one build (+33%, then nothing), and
// one more atomic add cost a floor, 5.5 ns on one host and, on a host whose
// floor is 2.1 ns, -10% to +5% on mutex's Size cells below 100000, where
// these tests failed.
const (
	plantDecl = "\nfunc (b *Batcher[T]) Add(item T) error {\n"
	plantCall = "\tplanted()\n"
	plantFile = `package %s

import "sync/atomic"

// plantedSink and planted are the end-to-end tests' planted slowdown.
var plantedSink atomic.Uint64

func planted() {
	w := plantedSink.Load()
	for i := range uint64(8) {
		w = w*0x9E3779B97F4A7C15 + i
	}
	plantedSink.Add(w)
}
`
)

// scratchRepo copies this module's files into a new git repository and
// commits them, then commits mutex with the planted slowdown on top.
func scratchRepo(t *testing.T) string {
	t.Helper()
	repo := scratchCopy(t)
	git := gitRunner(t, repo)
	git("init", "-q")
	git("add", "-A")
	git("commit", "-qm", "base")
	plantSlowdown(t, repo, "mutex")
	git("add", "-A")
	git("commit", "-qm", "mutex: planted slowdown")
	return repo
}

// scratchCopy copies this module's files into a new directory.
func scratchCopy(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	files, err := exec.Command("git", "-C", root, "ls-files", "-co", "--exclude-standard").Output()
	if err != nil {
		t.Fatal(err)
	}
	repo := t.TempDir()
	for _, f := range strings.Fields(string(files)) {
		data, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			continue // deleted in the work tree
		}
		dst := filepath.Join(repo, f)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		mode := os.FileMode(0o644)
		if fi, err := os.Stat(filepath.Join(root, f)); err == nil && fi.Mode()&0o100 != 0 {
			mode = 0o755 // scripts such as .ci/bench
		}
		if err := os.WriteFile(dst, data, mode); err != nil {
			t.Fatal(err)
		}
	}
	return repo
}

// gitRunner runs git in repo as a throwaway identity, failing the test on
// an error.
func gitRunner(t *testing.T, repo string) func(args ...string) {
	return func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
}

// plantSlowdown puts the planted atomic add at the top of impl/NAME's Add.
func plantSlowdown(t *testing.T, repo, name string) {
	t.Helper()
	file := filepath.Join(repo, "impl", name, name+".go")
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(src, []byte(plantDecl)) {
		t.Fatalf("%s has no Add to plant the slowdown in", file)
	}
	src = bytes.Replace(src, []byte(plantDecl), []byte(plantDecl+plantCall), 1)
	if err := os.WriteFile(file, src, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, "impl", name, "plant.go"), fmt.Appendf(nil, plantFile, name), 0o644); err != nil {
		t.Fatal(err)
	}
}

// benchrunIn builds benchrun in repo and runs it there. A built binary,
// not go run, which turns every failure into exit status 1.
func benchrunIn(t *testing.T, repo string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "benchrun")
	build := exec.Command("go", "build", "-o", bin, "./cmd/benchrun")
	build.Dir = repo
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = repo
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), o.String(), e.String()
	} else if err != nil {
		t.Fatal(err)
	}
	return 0, o.String(), e.String()
}

// TestCompareFlagsPlantedRegression is the merge gate's acceptance test: in
// a scratch repository whose HEAD slows mutex down, compare against HEAD~1
// exits 1 and names mutex's regressed cells; HEAD against HEAD exits 0.
// The subject is mutex, the steady baseline, as this tests the gate: ring's
// cells have a slow tail on a busy host (docs/ring-design.md), and at count
// 10 the gate confirmed one of five, rightly not claiming the others.
func TestCompareFlagsPlantedRegression(t *testing.T) {
	if !*e2e {
		t.Skip("end-to-end: run with -e2e")
	}
	repo := scratchRepo(t)
	code, stdout, stderr := benchrunIn(t, repo, "compare", "-base", "HEAD~1", "-head", "HEAD",
		"-impl", "^mutex$", "-scenario", "^Size", "-count", "10", "-profile=false", "-o", filepath.Join(repo, "out/planted"))
	t.Logf("planted:\n%s", stdout)
	if code != 1 {
		t.Fatalf("compare HEAD~1 HEAD exited %d, want 1\n%s", code, stderr)
	}
	// The blocking cell metrics, from the report's gate table (stderr
	// lists the first five regressions only).
	md, err := os.ReadFile(filepath.Join(repo, "out/planted/report.md"))
	if err != nil {
		t.Fatal(err)
	}
	flagged := regexp.MustCompile("(?m)^\\| `Size/impl=mutex/size=\\d+` \\| sec/op \\|.*\\*\\*regression\\*\\* \\|$").FindAllString(string(md), -1)
	t.Logf("blocked %d of 5 size cells in sec/op", len(flagged))
	if len(flagged) < 4 { // 90% of 5 cells, rounded down
		t.Errorf("only %d of 5 size cells blocked in sec/op\n%s", len(flagged), stderr)
	}

	code, stdout, stderr = benchrunIn(t, repo, "compare", "-base", "HEAD", "-head", "HEAD",
		"-impl", "^mutex$", "-scenario", "^Size", "-quick", "-profile=false", "-o", filepath.Join(repo, "out/aa"))
	t.Logf("A/A:\n%s", stdout)
	if code != 0 && code != 2 { // inconclusive is honest when the cells are too noisy
		t.Errorf("compare HEAD HEAD exited %d, want no block\n%s", code, stderr)
	}
}

// TestCompareDrawsThePlantedRegression: with profiles on, the report of a
// blocking regression opens with the flame graph of its cell, head against
// base, and the frame that grew most in it is the planted function.
func TestCompareDrawsThePlantedRegression(t *testing.T) {
	if !*e2e {
		t.Skip("end-to-end: run with -e2e")
	}
	repo := scratchRepo(t)
	out := filepath.Join(repo, "out/planted")
	code, stdout, stderr := benchrunIn(t, repo, "compare", "-base", "HEAD~1", "-head", "HEAD",
		"-impl", "^mutex$", "-scenario", "^Size/size=(1000|10000)$", "-count", "10", "-o", out)
	t.Logf("planted:\n%s", stdout)
	if code != 1 {
		t.Fatalf("compare HEAD~1 HEAD exited %d, want 1\n%s", code, stderr)
	}
	doc, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	graphs, err := flame.Graphs(doc)
	if err != nil {
		t.Fatal(err)
	}
	const planted = "github.com/batchbench/batchbench/impl/mutex.planted"
	drawn := 0
	for id, page := range graphs {
		if !regexp.MustCompile(`^flame-diff-.*-cpu(-\d+)?$`).MatchString(id) {
			continue
		}
		drawn++
		frames, err := flame.Frames(page)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		slices.SortFunc(frames, func(a, b flame.Frame) int { return int(b.Self - a.Self) })
		t.Logf("%s: grew most %s %+d, then %s %+d", id, frames[0].Func, frames[0].Self, frames[1].Func, frames[1].Self)
		if frames[0].Func != planted {
			t.Errorf("%s: the frame that grew most is %s (%+d), want %s", id, frames[0].Func, frames[0].Self, planted)
		}
	}
	if drawn == 0 {
		t.Errorf("report.html draws no CPU flame graph of a regression; graphs: %d", len(graphs))
	}
	md, err := os.ReadFile(filepath.Join(out, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(md, []byte("[flame graph of the difference](report.html#flame-diff-")) {
		t.Error("report.md does not link the flame graph of the difference")
	}
}

// TestTrendAndBisectFindThePlantedCommit is issue 11's acceptance: a
// scratch history of 6 commits, the slowdown planted in commit 4. Commit 1,
// which has no parent, is filed as a plain run; every later commit as a
// paired entry, compare of its parent against it (A B A B), as the CI
// history job records them. trend flags commit 4 and no other, and bisect
// names commit 4. The subject is mutex, the steady baseline: this tests
// the instrument. On ring's cell, whose runs have a slow tail on a busy
// host (docs/ring-design.md), bisect's steps needed count 110–130 to judge
// a 14% threshold in one run: more than the step's largest count, 80.
func TestTrendAndBisectFindThePlantedCommit(t *testing.T) {
	if !*e2e {
		t.Skip("end-to-end: run with -e2e")
	}
	repo := scratchCopy(t)
	git := gitRunner(t, repo)
	git("init", "-q")
	var commits []string
	for i := 1; i <= 6; i++ {
		if i == 4 {
			plantSlowdown(t, repo, "mutex")
		} else if err := os.WriteFile(filepath.Join(repo, "NOTES"), []byte(fmt.Sprintf("commit %d\n", i)), 0o644); err != nil {
			t.Fatal(err)
		}
		git("add", "-A")
		git("commit", "-qm", fmt.Sprintf("commit %d", i))
		out, err := exec.Command("git", "-C", repo, "rev-parse", "HEAD").Output()
		if err != nil {
			t.Fatal(err)
		}
		commits = append(commits, strings.TrimSpace(string(out)))
	}
	cells := []string{"-impl", "^mutex$", "-scenario", "^Size/size=1000$"}
	selection := append(slices.Clone(cells), "-count", "20")
	db := filepath.Join(t.TempDir(), "history")
	first := filepath.Join(t.TempDir(), "run1")
	git("checkout", "-q", commits[0]) // run measures the build of the checkout
	if code, _, stderr := benchrunIn(t, repo, append([]string{"run", "-profile=false", "-o", first}, selection...)...); code != 0 {
		t.Fatalf("run at commit 1 exited %d\n%s", code, stderr)
	}
	if code, _, stderr := benchrunIn(t, repo, "history", "add", "-db", db, first); code != 0 {
		t.Fatalf("history add 1 exited %d\n%s", code, stderr)
	}
	for i := 1; i < len(commits); i++ {
		out := filepath.Join(t.TempDir(), fmt.Sprint("pair", i+1))
		args := append([]string{"compare", "-base", commits[i-1], "-head", commits[i], "-profile=false", "-budget", "0", "-o", out}, cells...)
		// The gate's verdict (0, 1 or 2) does not matter here: the
		// history records the measurement.
		if code, _, stderr := benchrunIn(t, repo, append(args, "-count", fmt.Sprint(pairCount))...); !exists(filepath.Join(out, "head", "results.txt")) {
			t.Fatalf("compare at commit %d exited %d and measured nothing\n%s", i+1, code, stderr)
		}
		if code, _, stderr := benchrunIn(t, repo, "history", "add", "-db", db, out); code != 0 {
			t.Fatalf("history add %d exited %d\n%s", i+1, code, stderr)
		}
	}
	git("checkout", "-q", commits[5])
	trendOut := filepath.Join(t.TempDir(), "trend")
	code, stdout, stderr := benchrunIn(t, repo, "trend", "-db", db, "-o", trendOut)
	md, _ := os.ReadFile(filepath.Join(trendOut, "trend.md"))
	t.Logf("trend:\n%s%s\n%s", stdout, stderr, md)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if code != 0 || len(lines) != 1 || !strings.Contains(lines[0], " at "+commits[3][:12]+" ") || !strings.Contains(lines[0], "paired against "+commits[2][:12]) {
		t.Errorf("trend exited %d and flagged %q; want commit 4 (%s) alone, paired against commit 3", code, lines, commits[3][:12])
	}
	code, stdout, stderr = benchrunIn(t, repo, append([]string{"bisect", "-good", commits[0], "-bad", commits[5]}, selection...)...)
	t.Logf("bisect:\n%s", stdout)
	if code != 0 || !strings.Contains(stdout, "first bad commit: "+commits[3]+" commit 4") {
		t.Errorf("bisect exited %d: %q, want commit 4 (%s)\n%s", code, stdout, commits[3], stderr)
	}
}

// TestCILocalRunsTheWorkflowSteps runs make ci-local, the pull-request
// workflow's own steps (.ci/bench shard and merge), on a small selection
// in a scratch repository: two shards, then one merged decision.
func TestCILocalRunsTheWorkflowSteps(t *testing.T) {
	if !*e2e {
		t.Skip("end-to-end: run with -e2e")
	}
	repo := scratchRepo(t)
	cmd := exec.Command("make", "ci-local", "SHARDS=2", "BASE=HEAD",
		"BENCH_ARGS=-impl mutex -scenario Size -profile=false") // no $: make would expand it
	cmd.Dir = repo
	out, err := cmd.CombinedOutput()
	t.Logf("make ci-local:\n%s", out)
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	md, rerr := os.ReadFile(filepath.Join(repo, "out/ci/gate/report.md"))
	if rerr != nil {
		t.Fatalf("no merged report (make exited %d): %v", code, rerr)
	}
	lines := strings.Split(string(md), "\n")
	if len(lines) < 3 || !regexp.MustCompile(`^\*\*(No regression|Merge blocked|Gate inconclusive)`).MatchString(lines[2]) {
		t.Errorf("merged report.md does not open with a decision: %q", lines[:min(3, len(lines))])
	}
	for _, want := range []string{"shard-1", "shard-2", "`shard (ignored)`"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("merged report lacks %q", want)
		}
	}
	// An A/A comparison must not block (make reports any failure as 2).
	if strings.HasPrefix(lines[2], "**Merge blocked") || code != 0 && code != 2 {
		t.Errorf("make ci-local exited %d: %s", code, lines[2])
	}
}
