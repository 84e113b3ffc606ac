package harness

import (
	"bufio"
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/batchbench/batchbench/internal/gitrepo"
	"github.com/batchbench/batchbench/internal/runconfig"
)

// environment returns the config lines that head a source's results: where
// and from what the numbers came. Unless the source names its commit, it is
// read with git, not from build info, because builds may run with
// -buildvcs=false.
func environment(src Source, opts Options) []benchfmt.Config {
	seed, count, quick := opts.Seed, opts.Count, opts.Quick
	commit, dirty := src.Commit, src.Dirty
	if commit == "" {
		commit, dirty = gitState("")
	}
	mode := "default"
	if quick {
		mode = "quick"
	}
	kv := [][2]string{
		{"goos", runtime.GOOS},
		{"goarch", runtime.GOARCH},
		{"cpu", cpuModel()},
		{"go", runtime.Version()},
		{"gomaxprocs", strconv.Itoa(opts.Procs)},
		{runconfig.Commit, commit},
		{runconfig.Dirty, strconv.FormatBool(dirty)},
		{runconfig.Date, time.Now().UTC().Format(time.RFC3339)},
		{runconfig.Harness, "batchbench " + Version},
		{runconfig.Suite, mode},
		{runconfig.Count, strconv.Itoa(count)},
		{runconfig.Seed, strconv.FormatUint(seed, 10)},
	}
	if src.Name != "" {
		kv = append(kv, [2]string{runconfig.Source, src.Name})
	}
	if opts.Shard != "" {
		kv = append(kv, [2]string{runconfig.Shard, opts.Shard})
	}
	kv = append(kv, [2]string{runconfig.Runner, runnerName()})
	f := measureFloor()
	kv = append(kv, [2]string{runconfig.FloorAtomic, ns(f.AtomicAdd)},
		[2]string{runconfig.FloorMutex, ns(f.Mutex)}, [2]string{runconfig.FloorChan, ns(f.Chan)})
	out := make([]benchfmt.Config, len(kv))
	for i, p := range kv {
		out[i] = benchfmt.Config{Key: p[0], Value: []byte(p[1]), File: true}
	}
	return out
}

// gitState returns HEAD's hash in dir ("" for the current directory) and
// whether the work tree has changes, or "unknown" outside a git checkout.
func gitState(dir string) (commit string, dirty bool) {
	ctx := context.Background()
	commit, err := gitrepo.Git(ctx, dir, "rev-parse", "HEAD")
	if err != nil {
		return "unknown", false
	}
	status, err := gitrepo.Git(ctx, dir, "status", "--porcelain", "--untracked-files=no")
	return commit, err != nil || status != ""
}

// cpuModel reads the CPU model the way go test's cpu line does on Linux.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if k, v, ok := strings.Cut(s.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// runnerName names the machine: GitHub Actions' runner name where it is
// set, else the host name.
func runnerName() string {
	if n := os.Getenv("RUNNER_NAME"); n != "" {
		return n
	}
	if h, err := os.Hostname(); err == nil {
		return h
	}
	return "unknown"
}
