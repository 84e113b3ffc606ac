// Package scenarios declares the workloads batchbench measures, as data: a
// family, its parameter grid, the workload each parameter gives, and the
// metrics the family reports. The harness and `go test -bench` run the same
// table, under the same benchmark names (BenchmarkSize/impl=ring/size=1000).
//
// In every family one benchmark op is one item.
//
// The table is exported (about twenty names: the four families, the
// types they are made of, Run and Check) because it is data a user's own
// module benchmarks with: a batcher outside this repository runs the same
// cells with go test -bench.
package scenarios

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/batchbench/batchbench/impl/registry"
)

// A Family is a set of cells that vary one workload parameter.
type Family struct {
	Name     string  // benchmark name without "Benchmark", e.g. "Size"
	Key      string  // the parameter's key in the benchmark name, e.g. "size"
	Measures string  // what the family measures, one sentence
	Knob     Knob    // the workload setting the parameter names
	Grid     []Param // the full grid
	Quick    []Param // the grid under -quick; a subset of Grid
	// Peers are the parameters third-party batchers run in a suite that
	// selects every implementation (see Select); a subset of Quick.
	Peers   []Param
	Heavy   []Param // cells skipped by `go test -bench -short`
	Metrics []Metric
	// Workload returns the workload for one parameter value.
	Workload func(p Param) Workload
}

// A Param is one parameter value. Value is in the parameter's natural unit
// (items, producers, or nanoseconds for intervals).
type Param struct {
	Value int64
	Text  string // as it appears in benchmark names
}

func count(v int64) Param { return Param{v, strconv.FormatInt(v, 10)} }

func duration(d time.Duration) Param { return Param{int64(d), d.String()} }

// A Cell is one family × implementation × parameter combination.
type Cell struct {
	Family *Family
	Impl   string
	Param  Param
}

// Name is the cell's benchmark name without the "Benchmark" prefix and
// GOMAXPROCS suffix, e.g. "Size/impl=ring/size=1000".
func (c Cell) Name() string {
	return fmt.Sprintf("%s/impl=%s/%s=%s", c.Family.Name, c.Impl, c.Family.Key, c.Param.Text)
}

// A Knob is the workload setting a family's parameter names.
type Knob int

// Knobs.
const (
	BatchSizeKnob Knob = iota
	IntervalKnob
	ProducersKnob
	QueueKnob
)

// Of returns the knob's setting in w, in the parameter's unit.
func (k Knob) Of(w Workload) int64 {
	switch k {
	case BatchSizeKnob:
		return int64(w.BatchSize)
	case IntervalKnob:
		return int64(w.BatchInterval)
	case ProducersKnob:
		return int64(w.Producers)
	case QueueKnob:
		return int64(w.MaxQueueSize)
	}
	panic(fmt.Sprintf("scenarios: unknown knob %d", int(k)))
}

func (k Knob) String() string {
	return [...]string{"BatchSize", "BatchInterval", "Producers", "MaxQueueSize"}[k]
}

// Workload is the cell's workload.
func (c Cell) Workload() Workload { return c.Family.Workload(c.Param) }

// Families is the table of every family, in report order.
var Families = []*Family{&Size, &Interval, &Concurrency, &Memory}

// Throughput metrics shared by the closed-loop families.
var (
	perItem    = Metric{"ns/op", Lower, func(m *Measurement) float64 { return perOp(m.Wall.Nanoseconds(), m) }}
	cpuPerItem = Metric{"cpu-ns/op", Lower, func(m *Measurement) float64 { return perOp(m.CPU.Nanoseconds(), m) }}
	itemsPerS  = Metric{"items/s", Higher, func(m *Measurement) float64 { return float64(m.Items) / m.Wall.Seconds() }}
	bytesPerOp = Metric{"B/op", Lower, func(m *Measurement) float64 { return perOp(int64(m.AllocBytes), m) }}
	allocsOp   = Metric{"allocs/op", Lower, func(m *Measurement) float64 { return perOp(int64(m.AllocObjects), m) }}
	fill       = Metric{"items/batch", Unknown, func(m *Measurement) float64 { return m.MeanFill() }}
)

// Size varies BatchSize with one producer and a no-op Processor; the final
// Join is inside the timed region, so the time is end to end.
var Size = Family{
	Name:     "Size",
	Knob:     BatchSizeKnob,
	Key:      "size",
	Measures: "end-to-end cost per item against BatchSize: one producer, no-op processor, final Join timed",
	Grid:     []Param{count(10), count(100), count(1000), count(10000), count(100000)},
	Quick:    []Param{count(10), count(1000), count(10000)},
	Peers:    []Param{count(1000)},
	Heavy:    []Param{count(100000)},
	Metrics: []Metric{perItem, cpuPerItem, itemsPerS, bytesPerOp, allocsOp,
		{"batches/op", Unknown, func(m *Measurement) float64 { return float64(m.Stats.Batches) / float64(m.Items) }},
		fill,
	},
	Workload: func(p Param) Workload {
		size := int(p.Value)
		return Workload{
			BatchSize: size, BatchInterval: time.Minute, Producers: 1,
			Items: max(200_000, 10*size), QuickItems: max(100_000, 5*size),
		}
	},
}

// Interval varies BatchInterval under open-loop arrivals at a fixed rate,
// far below capacity, so batches are flushed by the timer; latency is
// measured from each item's intended send time.
var Interval = Family{
	Name:     "Interval",
	Knob:     IntervalKnob,
	Key:      "interval",
	Measures: "item latency and batch fill against BatchInterval: open-loop arrivals at 20k items/s, latency from intended send time",
	Grid:     []Param{duration(time.Millisecond), duration(10 * time.Millisecond), duration(100 * time.Millisecond)},
	Quick:    []Param{duration(time.Millisecond), duration(10 * time.Millisecond)},
	Peers:    []Param{duration(time.Millisecond)},
	Heavy:    []Param{duration(100 * time.Millisecond)},
	Metrics: []Metric{
		{"p50-ns", Lower, func(m *Measurement) float64 { return m.LatencyQuantile(50) }},
		{"p99-ns", Lower, func(m *Measurement) float64 { return m.LatencyQuantile(99) }},
		{"p999-ns", Lower, func(m *Measurement) float64 { return m.LatencyQuantile(99.9) }},
		fill,
		{"calls/s", Unknown, func(m *Measurement) float64 { return float64(m.Stats.Batches) / m.Wall.Seconds() }},
	},
	Workload: func(p Param) Workload {
		interval := time.Duration(p.Value)
		const rate = 20_000
		run := max(500*time.Millisecond, 15*interval) // at least 15 timer flushes a run
		return Workload{
			BatchSize: 100_000, BatchInterval: interval, Producers: 1,
			Rate: rate, Items: int(rate * run.Seconds()), QuickItems: int(rate * run.Seconds() / 2),
			Latency: true,
		}
	},
}

// Concurrency varies the number of producers sharing a fixed amount of work.
var Concurrency = Family{
	Name:     "Concurrency",
	Knob:     ProducersKnob,
	Key:      "producers",
	Measures: "wall and CPU cost per item against the number of producers: fixed total work, BatchSize 1000",
	Grid:     []Param{count(1), count(2), count(4), count(8), count(16)},
	Quick:    []Param{count(1), count(4), count(16)},
	Peers:    []Param{count(16)}, // one producer is Size/size=1000
	Metrics:  []Metric{perItem, cpuPerItem, itemsPerS},
	Workload: func(p Param) Workload {
		return Workload{
			BatchSize: 1000, BatchInterval: time.Minute, Producers: int(p.Value),
			Items: 400_000, QuickItems: 160_000,
		}
	},
}

// Memory lets a backlog build up behind a slow Processor, bounded by
// MaxQueueSize, and samples the heap while it drains.
var Memory = Family{
	Name:     "Memory",
	Knob:     QueueKnob,
	Key:      "backlog",
	Measures: "memory held by a backlog: slow processor (1ms per batch of 1000), MaxQueueSize = backlog, 4 producers",
	Grid:     []Param{count(10_000), count(100_000)},
	Quick:    []Param{count(10_000), count(100_000)},
	Peers:    []Param{count(10_000)},
	Metrics: []Metric{
		{"peak-heap-B", Lower, func(m *Measurement) float64 { return float64(m.PeakHeap) }},
		bytesPerOp, allocsOp,
		{"gcs/op", Lower, func(m *Measurement) float64 { return float64(m.GCCycles) / float64(m.Items) }},
		{"peak-goroutines", Lower, func(m *Measurement) float64 { return float64(m.PeakGoroutines) }},
	},
	Workload: func(p Param) Workload {
		backlog := int(p.Value)
		return Workload{
			BatchSize: 1000, BatchInterval: time.Minute, MaxQueueSize: backlog, Producers: 4,
			ProcessorDelay: time.Millisecond, Items: 2 * backlog, QuickItems: 2 * backlog,
			SampleMemory: true,
		}
	},
}

// Cells returns the cells of the families whose names match family, for the
// implementations given, in table order.
func Cells(families []*Family, impls []registry.Entry, quick bool) []Cell {
	var cells []Cell
	for _, f := range families {
		grid := f.Grid
		if quick {
			grid = f.Quick
		}
		for _, e := range impls {
			for _, p := range grid {
				cells = append(cells, Cell{f, e.Name, p})
			}
		}
	}
	return cells
}

// Parse finds the cell a name such as "Size/impl=ring/size=1000" denotes,
// checking that the family, implementation and parameter exist.
func Parse(name string) (Cell, error) {
	parts := strings.Split(name, "/")
	if len(parts) != 3 {
		return Cell{}, fmt.Errorf("cell %q: want Family/impl=NAME/key=value", name)
	}
	var fam *Family
	for _, f := range Families {
		if f.Name == parts[0] {
			fam = f
		}
	}
	if fam == nil {
		return Cell{}, fmt.Errorf("cell %q: no family %q", name, parts[0])
	}
	implName, ok := strings.CutPrefix(parts[1], "impl=")
	if !ok {
		return Cell{}, fmt.Errorf("cell %q: second part must be impl=NAME", name)
	}
	if _, ok := registry.Lookup(implName); !ok {
		return Cell{}, fmt.Errorf("cell %q: no implementation %q", name, implName)
	}
	for _, p := range fam.Grid {
		if parts[2] == fam.Key+"="+p.Text {
			return Cell{fam, implName, p}, nil
		}
	}
	return Cell{}, fmt.Errorf("cell %q: %s is not in the %s grid", name, parts[2], fam.Name)
}
