package harness

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"

	"github.com/batchbench/batchbench/impl/registry"
	"github.com/batchbench/batchbench/scenarios"
)

// workerEnv carries a request to a worker process. Every run happens in a
// fresh process, so a hung or panicking implementation takes down only its
// own run, and no run inherits another's heap or goroutines.
const workerEnv = "BATCHBENCH_WORKER"

// request is one run of one cell.
type request struct {
	Cell        string
	Items       int
	WarmupItems int    // a discarded run first, in the same process
	CPUProfile  string // if set, profile the measured run
	HeapProfile string // if set, write an allocs profile after it
}

// response is a worker's answer on stdout.
type response struct {
	Values []value `json:",omitempty"`
	Error  string  `json:",omitempty"`
}

type value struct {
	Unit  string
	Value float64
}

// ServeWorker turns the process into a harness worker if the harness started
// it as one: it runs the request and exits. Otherwise it returns at once.
// Call it first thing in main, and in TestMain of tests that run the harness,
// after registering any test-only implementation.
func ServeWorker() {
	raw, ok := os.LookupEnv(workerEnv)
	if !ok {
		return
	}
	var req request
	resp := response{}
	if err := json.Unmarshal([]byte(raw), &req); err != nil {
		resp.Error = fmt.Sprintf("bad worker request: %v", err)
	} else if vals, err := work(req); err != nil {
		resp.Error = err.Error()
	} else {
		resp.Values = vals
	}
	if err := json.NewEncoder(os.Stdout).Encode(resp); err != nil {
		os.Exit(3)
	}
	os.Exit(0)
}

func work(req request) ([]value, error) {
	c, err := scenarios.Parse(req.Cell)
	if err != nil {
		return nil, err
	}
	e, _ := registry.Lookup(c.Impl)
	if req.HeapProfile != "" {
		runtime.MemProfileRate = 4096 // profiling pass only: finer allocation samples
	}
	if req.WarmupItems > 0 {
		if _, err := scenarios.Run(c, e.New, req.WarmupItems); err != nil {
			return nil, err // the warm-up checks itself like any run
		}
	}
	if req.CPUProfile != "" {
		f, err := os.Create(req.CPUProfile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
	}
	m, err := scenarios.Run(c, e.New, req.Items)
	if req.CPUProfile != "" {
		pprof.StopCPUProfile()
	}
	if err != nil {
		return nil, err
	}
	if req.HeapProfile != "" {
		if err := writeHeapProfile(req.HeapProfile); err != nil {
			return nil, err
		}
	}
	vals := make([]value, 0, len(c.Family.Metrics))
	for _, metric := range c.Family.Metrics {
		vals = append(vals, value{metric.Unit, metric.Value(m)})
	}
	return vals, nil
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	runtime.GC() // the allocs profile is as of the last GC
	return errors.Join(pprof.Lookup("allocs").WriteTo(f, 0), f.Close())
}
