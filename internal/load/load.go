// Package load records what else used the machine while the harness timed
// a run: the CPU other processes took, the load average, and the time a
// hypervisor stole. The harness writes one Record per measured run to a
// sidecar file beside its results; reports read it to say which runs were
// taken on a busy machine.
//
// Shares are fractions of the machine's whole CPU capacity (every online
// CPU) over the run's wall time, so 0.5 on a 4-CPU machine means others kept
// two CPUs busy on average.
package load

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"

	"github.com/batchbench/batchbench/internal/atomicfile"
)

// File is the name of the sidecar inside a run's output directory.
const File = "load.json"

// LegacyFile is the sidecar's name in runs written before batchbench
// called it load (it said "noise", which now means a cell's spread);
// Read falls back to it, so saved runs keep their records.
const LegacyFile = "noise.json"

// DefaultThreshold is the share of the machine's CPU others may take during
// a run before the run counts as taken on a busy machine.
const DefaultThreshold = 0.10

// Record is what else used the machine during one measured run.
type Record struct {
	// Cell is the benchmark as named in results.txt, without "Benchmark"
	// (so with the -GOMAXPROCS suffix), e.g. "Size/impl=ring/size=1000-2".
	Cell   string `json:"cell"`
	Source string `json:"source,omitempty"` // "base" or "head" in a compare run
	Round  int    `json:"round"`            // the timing round, from 0
	// Others is the share of the CPU that processes other than the
	// harness and its worker used.
	Others float64 `json:"others"`
	Load1  float64 `json:"load1"` // the 1-minute load average at the run's end
	// Steal is the share of the CPU the hypervisor gave to other guests
	// while this machine wanted it; 0 where the kernel reports none.
	Steal float64 `json:"steal"`
	// Seconds is how long the run took as the harness timed it, its
	// worker's start and warm-up included: what it cost a budget.
	Seconds float64 `json:"seconds,omitempty"`
}

// Busy reports whether others, processes or other guests, took more than
// threshold of the CPU during the run.
func (r Record) Busy(threshold float64) bool {
	return Usage{Others: r.Others, Steal: r.Steal}.Busy(threshold)
}

// Name is the record's cell, followed by its source in parentheses if it
// has one.
func (r Record) Name() string {
	if r.Source == "" {
		return r.Cell
	}
	return r.Cell + " (" + r.Source + ")"
}

type file struct {
	Records []Record `json:"records"`
}

// Write replaces dir/load.json with records, atomically.
func Write(dir string, records []Record) error {
	data, err := json.MarshalIndent(file{Records: records}, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, File), append(data, '\n'))
}

// Read reads dir/load.json, or dir/noise.json where a run predates the
// name. A directory with neither gives an error satisfying errors.Is(err,
// fs.ErrNotExist): the run recorded nothing (it predates the sidecar, or
// ran where /proc is missing). A file that is not a record gives an error
// naming it; a record whose shares are not fractions of the machine, one
// naming the file and the record.
func Read(dir string) ([]Record, error) {
	path := filepath.Join(dir, File)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		path = filepath.Join(dir, LegacyFile)
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, err
	}
	var f file
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	for i, r := range f.Records {
		for _, v := range []float64{r.Others, r.Steal} {
			if !(v >= 0 && v <= 1) {
				return nil, fmt.Errorf("%s: record %d (%s): share %v is not between 0 and 1", path, i+1, r.Name(), v)
			}
		}
		if !(r.Load1 >= 0) || math.IsInf(r.Load1, 0) || r.Round < 0 || !(r.Seconds >= 0) || math.IsInf(r.Seconds, 0) {
			return nil, fmt.Errorf("%s: record %d (%s): load average %v, round %d or seconds %v is impossible", path, i+1, r.Name(), r.Load1, r.Round, r.Seconds)
		}
	}
	return f.Records, nil
}

// Busy returns the records, in order, of the runs during which others took
// more than threshold of the CPU.
func Busy(records []Record, threshold float64) []Record {
	var out []Record
	for _, r := range records {
		if r.Busy(threshold) {
			out = append(out, r)
		}
	}
	return out
}

// Cells returns the distinct names (see Record.Name) of the records' cells,
// in order of first appearance.
func Cells(records []Record) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range records {
		if n := r.Name(); !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}
