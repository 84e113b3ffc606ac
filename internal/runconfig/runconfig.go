// Package runconfig names the configuration keys the harness writes at the
// head of every results file, and says which of them describe one run
// rather than the conditions the numbers were measured under.
package runconfig

// PerRun are the keys that differ from run to run by nature: the build
// measured, when and in what order, how many times, and which side of a
// comparison it was. Reports and the merge gate ignore them when deciding
// whether two results are comparable, as `benchstat -ignore` would.
// Everything else (goos, goarch, cpu, go, gomaxprocs, suite, pkg, ...)
// is part of a result's identity.
var PerRun = []string{Commit, Dirty, Date, Harness, Count, Seed, Source}

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
)
