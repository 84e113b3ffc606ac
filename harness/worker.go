package harness

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/batchbench/batchbench/impl/plant"
	"github.com/batchbench/batchbench/impl/registry"
	"github.com/batchbench/batchbench/scenarios"
)

// workerEnv carries a request to a worker process, or serveRequests: the
// worker then serves requests from stdin, one JSON object a line, and
// answers each on stdout, until stdin closes. A worker process runs in a
// process of its own, so a hung or panicking implementation takes down only
// that process and its own runs; a measured run never shares a process with
// another source's.
const workerEnv = "BATCHBENCH_WORKER"

// serveRequests is workerEnv's value for a worker that serves many runs.
const serveRequests = "serve"

// request is one run of one cell.
type request struct {
	Cell  string
	Items int
	// WarmupItems, if positive, makes the first run of the cell in a
	// process a discarded one of that many items, which also fixes the
	// items of every later run of the cell in the process (see RunTime).
	WarmupItems int
	// RunTime, for closed-loop cells, scales Items up or down so that the
	// measured run lasts about this long, judged from the rate of the
	// warm-up and of discarded runs after it (scaleItems), as go test
	// scales b.N, but never below five batches.
	RunTime time.Duration
	// CPUProfile or HeapProfile, if set, turn the request into a profiling
	// run: runs repeat for ProfileTime, so that even a fast cell yields
	// enough samples, and the profile goes to the path.
	CPUProfile  string
	HeapProfile string
	ProfileTime time.Duration
}

// response is a worker's answer on stdout.
type response struct {
	Items  int     `json:",omitempty"` // items the measured run added
	Procs  int     `json:",omitempty"` // the worker's GOMAXPROCS
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
	w := &worker{items: map[string]int{}}
	enc := json.NewEncoder(os.Stdout)
	if raw != serveRequests {
		if err := enc.Encode(w.answer([]byte(raw))); err != nil {
			os.Exit(3)
		}
		os.Exit(0)
	}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 64<<10), 1<<20)
	for in.Scan() {
		if err := enc.Encode(w.answer(in.Bytes())); err != nil {
			os.Exit(3)
		}
	}
	os.Exit(0)
}

// worker is a worker process's state: the items each cell runs, fixed by
// its warm-up, the first run of the cell in this process.
type worker struct {
	items map[string]int
}

// answer runs one raw request.
func (w *worker) answer(raw []byte) response {
	var req request
	if err := json.Unmarshal(raw, &req); err != nil {
		return response{Error: fmt.Sprintf("bad worker request: %v", err)}
	}
	items, vals, err := w.work(req)
	if err != nil {
		return response{Error: err.Error()}
	}
	return response{Items: items, Procs: runtime.GOMAXPROCS(0), Values: vals}
}

func (w *worker) work(req request) (int, []value, error) {
	c, err := scenarios.Parse(req.Cell)
	if err != nil {
		return 0, nil, err
	}
	e, _ := registry.Lookup(c.Impl)
	plant.Select(req.Cell) // a calibration's plant may be spaced by cell
	items, warmed := w.items[req.Cell]
	if !warmed {
		items = req.Items
	}
	if req.WarmupItems > 0 && !warmed {
		warm, err := scenarios.Run(c, e.New, req.WarmupItems)
		if err != nil {
			return 0, nil, err // the warm-up checks itself like any run
		}
		if wl := c.Workload(); req.RunTime > 0 && wl.Timed() {
			items, err = scaleItems(req.RunTime, 5*wl.BatchSize, req.WarmupItems, warm.Wall, func(n int) (time.Duration, error) {
				m, err := scenarios.Run(c, e.New, n)
				if err != nil {
					return 0, err
				}
				return m.Wall, nil
			})
			if err != nil {
				return 0, nil, err
			}
		}
		w.items[req.Cell] = items
	}
	if req.CPUProfile != "" || req.HeapProfile != "" {
		return 0, nil, profileRuns(c, e.New, req)
	}
	m, err := scenarios.Run(c, e.New, items)
	if err != nil {
		return 0, nil, err
	}
	vals := make([]value, 0, len(c.Family.Metrics))
	for _, metric := range c.Family.Metrics {
		vals = append(vals, value{metric.Unit, metric.Value(m)})
	}
	return items, vals, nil
}

// calibrationRuns is how many discarded runs, after the warm-up, may
// judge a closed-loop cell's rate for RunTime.
const calibrationRuns = 3

// scaleItems returns how many items a run needs to last about runTime,
// never fewer than least, from a warm-up of n items that took wall, and
// from discarded runs of run, which it calls from 1 to calibrationRuns
// times. A process's first run is slow (cold caches, a heap still
// growing) and a short one is mostly fixed costs: scaled from a warm-up
// alone, the runs of fast cells lasted a fifth of runTime, and the
// worker's cost of a run was up to half of the time it took. So each
// calibration runs half the items the last run predicts, up to 100 times
// as many, until one lasts a quarter of runTime.
func scaleItems(runTime time.Duration, least, n int, wall time.Duration, run func(items int) (time.Duration, error)) (int, error) {
	predict := func() int {
		if wall <= 0 {
			return 100 * n
		}
		return min(int(float64(n)*runTime.Seconds()/wall.Seconds()), 100*n)
	}
	for i := 0; i < calibrationRuns && (i == 0 || wall < runTime/4); i++ {
		n = max(predict()/2, 1)
		var err error
		if wall, err = run(n); err != nil {
			return 0, err
		}
	}
	return max(least, predict()), nil
}

// profileRuns repeats the cell's run under the CPU profiler, or with fine
// allocation sampling, until ProfileTime has passed. CPU and heap profiles
// come from separate processes, so neither records the other's overhead.
func profileRuns(c scenarios.Cell, newBatcher registry.Factory, req request) error {
	var f *os.File
	var err error
	if req.CPUProfile != "" {
		if f, err = os.Create(req.CPUProfile); err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	} else {
		runtime.MemProfileRate = 4096
	}
	for start := time.Now(); ; {
		_, err = scenarios.Run(c, newBatcher, req.Items)
		if err != nil || time.Since(start) >= req.ProfileTime {
			break
		}
	}
	if req.CPUProfile != "" {
		pprof.StopCPUProfile()
		return errors.Join(err, f.Close())
	}
	if err != nil {
		return err
	}
	if f, err = os.Create(req.HeapProfile); err != nil {
		return err
	}
	runtime.GC() // the allocs profile is as of the last GC
	return errors.Join(pprof.Lookup("allocs").WriteTo(f, 0), f.Close())
}
