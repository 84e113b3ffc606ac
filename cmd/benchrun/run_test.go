package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/batchbench/batchbench/harness"
	"github.com/batchbench/batchbench/internal/load"
)

// oneCell selects a single cell under a short timeout: a run that wrongly
// starts has this test binary, which serves no worker, as its worker, and
// must fail fast.
var oneCell = []string{"-impl", "^ring$", "-scenario", "Size/size=1000$", "-count", "1", "-profile=false", "-timeout", "2s"}

func TestRunRefusesAnUnusableOutput(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "notes.txt")
	earlier := filepath.Join(dir, "earlier")
	if err := os.MkdirAll(earlier, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{file, filepath.Join(earlier, "results.txt")} {
		if err := os.WriteFile(f, []byte("keep me\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		out, kept, want string
	}{
		{file, file, "not a directory"},
		{earlier, filepath.Join(earlier, "results.txt"), "already holds results (results.txt); use -force to replace it"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(append([]string{"run", "-o", c.out}, oneCell...), &stdout, &stderr)
		if code != 2 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("run -o %s exited %d, want 2 and %q; stderr:\n%s", c.out, code, c.want, stderr.String())
		}
		if data, _ := os.ReadFile(c.kept); string(data) != "keep me\n" {
			t.Errorf("run -o %s changed %s to %q", c.out, c.kept, data)
		}
		if stdout.Len() > 0 {
			t.Errorf("run -o %s printed %q", c.out, stdout.String())
		}
	}
}

func TestRunWaitIdleMustNotBeNegative(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(append([]string{"run", "-o", t.TempDir(), "-wait-idle", "-1s"}, oneCell...), &stdout, &stderr); code != 2 {
		t.Errorf("run -wait-idle -1s exited %d, want 2; stderr:\n%s", code, stderr.String())
	}
}

// TestRunHelpPrintsEachDefaultOnce checks run -h: the flag package appends
// each default, so no usage text may carry one of its own, and the flags
// -quick changes say how.
func TestRunHelpPrintsEachDefaultOnce(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"run", "-h"}, &stdout, &stderr); code != 0 {
		t.Fatalf("run -h exited %d", code)
	}
	usage := map[string]string{} // flag name → its usage text, default included
	var name string
	for _, line := range strings.Split(stderr.String(), "\n") {
		if m := regexp.MustCompile(`^  -(\S+)`).FindStringSubmatch(line); m != nil {
			name = m[1]
			usage[name] = line
		} else if name != "" {
			usage[name] += " " + strings.TrimSpace(line)
		}
	}
	if len(usage) < 10 {
		t.Fatalf("run -h listed %d flags:\n%s", len(usage), stderr.String())
	}
	for name, text := range usage {
		if n := strings.Count(text, "default"); n > 1 {
			t.Errorf("-%s: %d defaults in %q", name, n, text)
		}
	}
	for name, want := range map[string]string{"count": "(default 10)", "runtime": "(default 200ms)", "profiletime": "(default 1s)"} {
		if text := usage[name]; !strings.Contains(text, "-quick") || !strings.Contains(text, want) {
			t.Errorf("-%s: %q does not give its default %s and what -quick changes", name, text, want)
		}
	}
}

// TestPrintRun checks that run names the runs taken on a busy machine.
func TestPrintRun(t *testing.T) {
	res := &harness.Result{
		Outputs: []harness.Output{{ResultsPath: "out/x/results.txt"}},
		Load: []load.Record{
			{Cell: "Size/impl=ring/size=1000-2", Round: 0, Others: 0.01},
			{Cell: "Size/impl=ring/size=1000-2", Round: 1, Others: 0.40},
			{Cell: "Size/impl=channel/size=1000-2", Round: 1, Others: 0.02, Steal: 0.2},
		},
		LoadPath: "out/x/load.json",
	}
	var stdout, stderr bytes.Buffer
	printRun(res, &stdout, &stderr)
	const want = "benchrun: the machine was busy during 2 of 3 runs (others took over 10% of the CPU; see out/x/load.json): " +
		"Size/impl=ring/size=1000-2, Size/impl=channel/size=1000-2\n"
	if stderr.String() != want {
		t.Errorf("stderr = %q, want %q", stderr.String(), want)
	}
}
