package rundir

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/perf/benchfmt"

	"github.com/batchbench/batchbench/internal/runconfig"
)

// ShardOf returns the shard a results file records: the "shard" key of
// its first result's configuration. ok is false for a file without one
// (an unsplit run, or a file without results); a value that is not
// "i/n" is an error naming the file and line.
func ShardOf(file string) (sh runconfig.ShardSpec, ok bool, err error) {
	f, err := os.Open(file)
	if err != nil {
		return sh, false, err
	}
	defer f.Close()
	r := benchfmt.NewReader(f, file)
	for r.Scan() {
		res, isResult := r.Result().(*benchfmt.Result)
		if !isResult {
			continue
		}
		v := res.GetConfig(runconfig.Shard)
		if v == "" {
			return sh, false, nil
		}
		if sh, err = runconfig.ParseShard(v); err != nil {
			name, line := res.Pos()
			return sh, false, fmt.Errorf("%s:%d: %v", name, line, err)
		}
		return sh, true, nil
	}
	return sh, false, r.Err()
}

// CheckShards checks that files, the results pooled under one column (a
// label), are whole: either none records a shard, or they are each shard
// of one split exactly once. A missing or repeated shard, a file without
// a shard among shards, or two ways of splitting are errors that name
// the column and the files.
func CheckShards(column string, files []string) error {
	n := 0
	byShard := map[int][]string{}
	var unsharded []string
	for _, file := range files {
		sh, ok, err := ShardOf(file)
		switch {
		case err != nil:
			return err
		case !ok:
			unsharded = append(unsharded, file)
			continue
		case n == 0:
			n = sh.N
		case sh.N != n:
			return fmt.Errorf("%s is shard %s, but other %s inputs split the suite %d ways", file, sh, column, n)
		}
		byShard[sh.I] = append(byShard[sh.I], file)
	}
	if n == 0 {
		return nil
	}
	if len(unsharded) > 0 {
		return fmt.Errorf("%s carries no shard, but other %s inputs do", strings.Join(unsharded, ", "), column)
	}
	var missing []string
	for i := 1; i <= n; i++ {
		switch fs := byShard[i]; {
		case len(fs) == 0:
			missing = append(missing, runconfig.ShardSpec{I: i, N: n}.String())
		case len(fs) > 1:
			slices.Sort(fs)
			return fmt.Errorf("shard %d/%d of %s is given %d times: %s", i, n, column, len(fs), strings.Join(fs, ", "))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s is missing shard(s) %s of %d", column, strings.Join(missing, ", "), n)
	}
	return nil
}

// RunDir is the run directory a results file belongs to, "" for a file
// that is not a run's results.txt.
func RunDir(file string) string {
	if filepath.Base(file) != ResultsFile {
		return ""
	}
	return filepath.Dir(file)
}
