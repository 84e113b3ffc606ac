package reports

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/batchbench/batchbench/internal/load"
	"github.com/batchbench/batchbench/reports/flame"
	"github.com/batchbench/batchbench/reports/internal/fixture"
)

// testImpls are the registry's roles, as the command line passes them.
var testImpls = ImplRoles{Baseline: "channel", Reference: "mutex"}

func readString(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func mustContain(t *testing.T, what, doc string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(doc, s) {
			t.Errorf("%s lacks %q", what, s)
		}
	}
}

// The harness's layout: DIR/results.txt and DIR/profiles/index.json.
func harnessDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	fixture.WriteResults(t, filepath.Join(dir, "results.txt"))
	fixture.WriteProfiles(t, dir)
	return dir
}

func TestGenerateHarnessResults(t *testing.T) {
	dir := harnessDir(t)
	out := filepath.Join(t.TempDir(), "report")
	s, err := Generate(Options{Inputs: fixture.Inputs(filepath.Join(dir, "results.txt")), Impls: testImpls, Page: Page{OutDir: out}})
	if err != nil {
		t.Fatal(err)
	}
	if s.Config.Col != "/impl" || s.Config.Baseline != "channel" {
		t.Errorf("defaults: col %q baseline %q, want /impl and channel", s.Config.Col, s.Config.Baseline)
	}
	html := readString(t, s.HTML)

	// The answer first: the verdicts, then the evidence, then where the
	// numbers came from.
	inOrder(t, "report.html", html, `<h2 id="summary">`, `<h2 id="tables">`, `<h2 id="plots">`, `<h2 id="profiles">`, `<h2 id="environment">`, `<h2 id="warnings">`)
	// Self-contained: every image and script inline, nothing fetched.
	if m := regexp.MustCompile(`(?i)<link\b|<script\b[^>]*\bsrc=|src="(http|//|plots/)|https?://`).FindString(html); m != "" {
		t.Errorf("report.html loads an external asset: %q", m)
	}
	if n, imgs := strings.Count(html, `<img src="data:image/png;base64,`), strings.Count(html, "<img "); n != len(s.Plots) || imgs != n {
		t.Errorf("%d inline images of %d <img>, %d plots", n, imgs, len(s.Plots))
	}

	mustContain(t, "report.html", html,
		"commit", "0123456789abcdef", // environment
		"ring is fastest at every size",                       // verdict
		"Size · sec/op", "geomean", "~ <span class=\"p\">(p=", // tables
		"need &gt;= 6 samples for confidence interval at level 0.95", // benchstat's warnings, verbatim
		"need &gt;= 4 samples to detect a difference at alpha level 0.05",
		"all samples are equal",
		"Size size=1000 pooled: sec/op CV", // noisy cell
		"self-check: observed mean batch fill 50000.0, want 100000",
		"timeout: cell did not finish within 2m0s",
		"go tool pprof -http=: "+filepath.Join(dir, "profiles"), // open commands
		"-diff_base=",
	)
	for _, p := range s.Plots {
		if _, err := os.Stat(filepath.Join(out, p.SVG)); err != nil {
			t.Error(err)
		}
	}

	// Profiles tell the story: channel lives in the scheduler, ring in its
	// own code.
	for _, c := range s.Profiles.Cells {
		if c.Group != "Size" || c.Row != "size=1000" {
			continue
		}
		sched, impl := c.CPU.Category("sched").Cum, c.CPU.Category("impl").Cum
		switch c.Col {
		case "channel":
			if sched < 0.2 {
				t.Errorf("channel: scheduling share %v", sched)
			}
		case "ring":
			if impl < 0.5 || sched > impl {
				t.Errorf("ring: own code %v, scheduling %v", impl, sched)
			}
		}
	}

	// A flame graph per family and implementation, for CPU and for
	// allocations, drawn from the stacks of its profiles.
	graphs, err := flame.Graphs([]byte(html))
	if err != nil {
		t.Fatal(err)
	}
	if len(graphs) != 4*len(fixture.Impls)*3 {
		t.Errorf("%d flame graphs, want one per family, implementation and sample type (%d)", len(graphs), 4*len(fixture.Impls)*3)
	}
	frames, err := flame.Frames(graphs["flame-size-ring-cpu"])
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(frames, func(f flame.Frame) bool {
		return f.Func == "github.com/batchbench/batchbench/impl/ring.ringSpin" && f.Self > 0
	}) {
		t.Errorf("ring's CPU flame graph of Size does not draw ring's work: %v", frames)
	}

	md := readString(t, s.Markdown)
	inOrder(t, "report.md", md, "## Summary", "## Tables", "## Plots", "## Profiles", "## Environment", "## Warnings")
	if strings.Contains(md, "<script") {
		t.Error("report.md inlines a script")
	}
	mustContain(t, "report.md", md,
		"[CPU](report.html#flame-size-ring-cpu)", "[objects allocated](report.html#flame-memory-channel-alloc_objects)",
		"](plots/size-sec-op.png)", "| **geomean** |", "| `size=10` |",
		"ring is fastest at every size", "need >= 6 samples", "self-check:")
	if len(md) > 65536 {
		t.Errorf("report.md is %d bytes, more than a GitHub comment holds", len(md))
	}
	mustContain(t, "summary text", s.Text(), "report: "+s.HTML, "Size (sec/op): ring is fastest", "failed cells: 2 (1 self-check)")
}

// inOrder checks that each of subs occurs in doc, each after the one before.
func inOrder(t *testing.T, what, doc string, subs ...string) {
	t.Helper()
	last := -1
	for _, sub := range subs {
		i := strings.Index(doc, sub)
		if i < 0 || i < last {
			t.Errorf("%s: %q missing or out of order", what, sub)
		}
		last = i
	}
}

func TestGenerateForeignFixture(t *testing.T) {
	out := t.TempDir()
	s, err := Generate(Options{Inputs: fixture.Inputs(fixture.Nsxbet), Impls: testImpls, Page: Page{OutDir: out}})
	if err != nil {
		t.Fatal(err)
	}
	if s.Config.Col != ".file" {
		t.Errorf("col %q, want benchstat's default .file", s.Config.Col)
	}
	html := readString(t, filepath.Join(out, "report.html"))
	mustContain(t, "report.html", html,
		"all benchmarks · sec/op", "all benchmarks · B/op", "BatcherEnqueueParallel/batch_size=100k",
		"229.8n ± 22%", // benchstat's own numbers for this file
		"No profiles", "Apple M4 Pro")
	if len(s.Profiles.Errors) > 0 || len(s.Warnings.Other) > 0 || len(s.Warnings.Syntax) > 0 {
		t.Errorf("errors on a foreign file: %v %v %v", s.Profiles.Errors, s.Warnings.Other, s.Warnings.Syntax)
	}
	// benchstat's default -table .config: one table per unit over both
	// benchmarks, so one plot per unit with a line per benchmark.
	if len(s.Plots) != 3 {
		t.Errorf("%d plots, want 3 (sec/op, B/op, allocs/op)", len(s.Plots))
	}
	mustContain(t, "report.md", readString(t, filepath.Join(out, "report.md")), "No profiles", "BatcherEnqueue")
}

func TestGenerateBaseHead(t *testing.T) {
	base, head := harnessDir(t), harnessDir(t)
	s, err := Generate(Options{
		Inputs:   fixture.Inputs("base="+filepath.Join(base, "results.txt"), "head="+filepath.Join(head, "results.txt")),
		Page:     Page{OutDir: t.TempDir()},
		Col:      ".file",
		Baseline: "base",
		Filter:   ".name:Size", // fewer plots: this test is about pairing
	})
	if err != nil {
		t.Fatal(err)
	}
	tb := fixture.FindTable(t, s.Tables, "Size", "sec/op")
	if strings.Join(tb.Cols, " ") != "base head" {
		t.Errorf("columns %q", tb.Cols)
	}
	// Identical runs: nothing is significant, and the verdict says so.
	for _, r := range tb.Rows {
		if c := r.Cells[1]; c != nil && c.Significant() {
			t.Errorf("%s: identical samples differ: %s", r.Label, c.DeltaText())
		}
	}
	if len(s.Profiles.Diffs) != 45 || s.Profiles.Diffs[0].Base != "base" {
		t.Errorf("%d base/head profile diffs", len(s.Profiles.Diffs))
	}
	mustContain(t, "report.html", readString(t, s.HTML), "-col &#39;.file@(base head)&#39;", "impl=ring/size=1000")
}

func TestGenerateErrors(t *testing.T) {
	if _, err := Generate(Options{Inputs: fixture.Inputs(fixture.Nsxbet)}); err == nil {
		t.Error("no error without an output directory")
	}
	if _, err := Generate(Options{Inputs: fixture.Inputs("does-not-exist.txt"), Impls: testImpls, Page: Page{OutDir: t.TempDir()}}); err == nil {
		t.Error("no error for a missing input")
	}
	if _, err := Generate(Options{Inputs: fixture.Inputs(fixture.Nsxbet), Impls: testImpls, Col: "/x@((", Page: Page{OutDir: t.TempDir()}}); err == nil {
		t.Error("no error for a bad projection")
	}
}

func TestGenerateOnlyFailures(t *testing.T) {
	in := "goos: linux\n--- FAIL: BenchmarkSize/impl=ring/size=10\n    self-check: 3 items lost\nFAIL\n"
	out := t.TempDir()
	s, err := Generate(Options{Inputs: fixture.Inputs(fixture.WriteFile(t, t.TempDir(), "r.txt", in)), Impls: testImpls, Page: Page{OutDir: out}})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Tables.Tables) != 0 || len(s.Warnings.SelfCheck) != 1 {
		t.Errorf("%d tables, self-check failures %v", len(s.Tables.Tables), s.Warnings.SelfCheck)
	}
	mustContain(t, "report.html", readString(t, s.HTML), "No results", "self-check: 3 items lost")
	mustContain(t, "report.md", readString(t, s.Markdown), "No results", "self-check: 3 items lost")
}

func TestGenerateRefusesInputWithoutResults(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(path, []byte("just some notes\nPASS\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Generate(Options{Inputs: fixture.Inputs(path), Impls: testImpls, Page: Page{OutDir: filepath.Join(dir, "out")}})
	if err == nil || !strings.Contains(err.Error(), "no benchmark results") {
		t.Fatalf("Generate = %v, want a no-results error", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "report.html")); err == nil {
		t.Error("a report was written for an input without results")
	}
}

// Runs recorded as taken on a busy machine are named in the report: a
// noise.json beside the results, or one level up as compare writes it.
func TestBusyMachineIsReported(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "head")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	fixture.WriteResults(t, filepath.Join(dir, "results.txt"))
	recs := []load.Record{
		{Cell: "Size/impl=ring/size=1000-2", Source: "head", Others: 0.5},
		{Cell: "Size/impl=ring/size=10-2", Source: "head", Others: 0.01},
	}
	if err := load.Write(root, recs); err != nil {
		t.Fatal(err)
	}
	s, err := Generate(Options{Inputs: fixture.Inputs(filepath.Join(dir, "results.txt")), Impls: testImpls, Page: Page{OutDir: t.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	want := "the machine was busy during 1 of 2 runs (others took over 10% of the CPU): Size/impl=ring/size=1000-2 (head)"
	if got := s.Warnings.BusyLine(); got != want {
		t.Errorf("busy line %q, want %q", got, want)
	}
	mustContain(t, "report.md", readString(t, s.Markdown), "busy machine during 1 of 2 runs", want)
}
