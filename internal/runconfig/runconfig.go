// Package runconfig names the configuration keys the harness writes at the
// head of every results file, and says which of them describe one run
// rather than the conditions the numbers were measured under.
package runconfig

import (
	"fmt"
	"strconv"
	"strings"
)

// PerRun are the keys that differ from run to run by nature: the build
// measured, when and in what order, how many times, which side of a
// comparison and which shard it was, on which runner and in which worker
// process, and the machine's floor as measured then. Reports and the
// merge gate ignore them when deciding whether two results are
// comparable, as `benchstat -ignore` would.
// Everything else (goos, goarch, cpu, go, gomaxprocs, suite, pkg, ...)
// is part of a result's identity.
var PerRun = []string{Commit, Dirty, Date, Harness, Count, Seed, Source, Shard, Runner, FloorAtomic, FloorMutex, FloorChan, Pair, Worker, Layout}

// PerResult are the keys that differ from one result to the next: they
// belong to a result, not to the configuration of a file, which readers
// describe without them.
var PerResult = []string{Pair, Worker, Layout}

// Keys the harness writes.
const (
	Commit  = "commit"  // the git revision built
	Dirty   = "dirty"   // whether the work tree had uncommitted changes
	Date    = "date"    // when the run started (RFC 3339, UTC)
	Harness = "harness" // the harness version; base and head each bring their own
	Count   = "count"   // measured runs per cell
	Seed    = "seed"    // the run-order shuffle seed
	Source  = "source"  // "base" or "head" in a compare run
	Suite   = "suite"   // "default" or "quick": different grids and run lengths
	Shard   = "shard"   // "i/n" when the suite was split over machines
	Runner  = "runner"  // the machine that ran it: $RUNNER_NAME in GitHub Actions, else the host name
	// Pair names the pair a compare's run is half of: its number, per
	// cell from 0, and which side ran first, e.g. "17 head-first". Base's
	// and head's runs of one pair carry the same value.
	Pair = "pair"
	// Worker numbers the worker process that measured the run, per source
	// and stage from 1, so that what a process adds to its runs can be
	// told from what the code does.
	Worker = "worker"
	// Layout is the function layout of the executable that measured the
	// run, when its side was linked in several: 0 for the linker's own,
	// k for -randlayout=k. A pair's two runs share it.
	Layout = "layout"

	// The machine's floor, measured at the start of a run: ns per
	// uncontended atomic add, per mutex lock and unlock, and per
	// buffered channel send and receive. They describe the machine, and
	// vary a little from run to run, so they never split a table.
	FloorAtomic = "floor-atomic-add"
	FloorMutex  = "floor-mutex"
	FloorChan   = "floor-chan"
)

// A ShardSpec is one part of a suite split over several machines: shard I of
// N, counted from 1, as the Shard key records it.
type ShardSpec struct{ I, N int }

// ParseShard reads "i/n" with 1 <= i <= n.
func ParseShard(s string) (ShardSpec, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return ShardSpec{}, fmt.Errorf("bad shard %q: want i/n with 1 <= i <= n, e.g. 2/3", s)
	}
	return ShardSpec{i, n}, nil
}

func (s ShardSpec) String() string { return fmt.Sprintf("%d/%d", s.I, s.N) }
