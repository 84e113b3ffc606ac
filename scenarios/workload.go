package scenarios

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"runtime/metrics"
	"sync"
	"syscall"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/batchbench/batchbench/impl"
	"github.com/batchbench/batchbench/impl/registry"
)

// Workload is what one run of a cell does.
type Workload struct {
	BatchSize      int
	BatchInterval  time.Duration
	MaxQueueSize   int // 0: the implementation default
	Producers      int
	Items          int           // items per run
	QuickItems     int           // items per run under -quick
	Rate           float64       // open-loop arrivals per second; 0 means closed loop
	ProcessorDelay time.Duration // sleep per batch in the Processor
	Latency        bool          // items carry their intended send time; the Processor records latency
	SampleMemory   bool          // sample heap and goroutines; construct the Batcher inside the measurement
}

// Timed reports whether the workload's runs measure time per item: closed
// loop and without the memory sampler. Only such runs can be scaled to
// last a run time, and only their time per item sizes a plant.
func (w Workload) Timed() bool { return w.Rate == 0 && !w.SampleMemory }

// Config is the batcher configuration the workload runs with.
func (w Workload) Config(p impl.Processor[registry.Item]) impl.Config[registry.Item] {
	return impl.Config[registry.Item]{
		BatchSize:     w.BatchSize,
		BatchInterval: w.BatchInterval,
		MaxQueueSize:  w.MaxQueueSize,
		Processor:     p,
	}
}

// Direction says which way a metric improves.
type Direction int

// Directions, as benchfmt's Unit better= metadata spells them.
const (
	Unknown Direction = iota
	Lower
	Higher
)

// A Metric is one reported value per run.
type Metric struct {
	Unit   string // as written in benchmark output, before benchfmt tidies it
	Better Direction
	Value  func(m *Measurement) float64
}

// Measurement is what one run observed.
type Measurement struct {
	Workload       Workload // what actually ran
	Items          int
	Wall, CPU      time.Duration // CPU is process user+system time, so a spinning goroutine shows
	AllocBytes     uint64
	AllocObjects   uint64
	GCCycles       uint64
	PeakHeap       uint64 // heap in use above the pre-run baseline, sampled
	PeakGoroutines int
	Stats          impl.Stats
	Latency        *hdrhistogram.Histogram // nil unless the workload records latency
}

// MeanFill is the observed mean number of items per Processor call.
func (m *Measurement) MeanFill() float64 {
	if m.Stats.Batches == 0 {
		return 0
	}
	return float64(m.Stats.Processed) / float64(m.Stats.Batches)
}

// LatencyQuantile returns the q-th percentile of item latency in ns.
func (m *Measurement) LatencyQuantile(q float64) float64 {
	if m.Latency == nil {
		return math.NaN()
	}
	return float64(m.Latency.ValueAtPercentile(q))
}

func perOp(total int64, m *Measurement) float64 { return float64(total) / float64(m.Items) }

// joinTimeout bounds the final Join; the harness's per-cell timeout is the
// real guard, this only keeps `go test -bench` from hanging forever.
const joinTimeout = 5 * time.Minute

// Run runs one measured run of items items through a Batcher made by
// newBatcher, then verifies that the run did what the cell's name says
// (see Check). A failed self-check returns the measurement and an error.
func Run(c Cell, newBatcher registry.Factory, items int) (*Measurement, error) {
	w := c.Workload()
	if items <= 0 {
		return nil, fmt.Errorf("%s: items must be > 0, got %d", c.Name(), items)
	}
	m := &Measurement{Workload: w, Items: items}
	var (
		epoch   time.Time // items carry their intended send time relative to it
		latMu   sync.Mutex
		process impl.Processor[registry.Item]
	)
	switch {
	case w.Latency:
		m.Latency = hdrhistogram.New(1, int64(time.Minute), 3)
		process = func(batch []registry.Item) error {
			now := int64(time.Since(epoch)) // one clock read per batch
			latMu.Lock()
			for _, sent := range batch {
				_ = m.Latency.RecordValue(max(now-sent, 1))
			}
			latMu.Unlock()
			return nil
		}
	case w.ProcessorDelay > 0:
		process = func([]registry.Item) error { time.Sleep(w.ProcessorDelay); return nil }
	default:
		process = func([]registry.Item) error { return nil }
	}
	cfg := w.Config(process)

	var b impl.Batcher[registry.Item]
	var err error
	if !w.SampleMemory {
		if b, err = newBatcher(cfg); err != nil {
			return nil, err
		}
		defer b.Close()
	}
	runtime.GC()
	var sampler *memorySampler
	if w.SampleMemory {
		sampler = startMemorySampler()
	}
	before := readCounters()
	start := time.Now()
	epoch = start
	if w.SampleMemory {
		if b, err = newBatcher(cfg); err != nil {
			sampler.stop()
			return nil, err
		}
		defer b.Close()
	}
	if err = produce(b, w, items, epoch); err == nil {
		err = b.Join(joinTimeout)
	}
	m.Wall = time.Since(start)
	after := readCounters()
	if sampler != nil {
		m.PeakHeap, m.PeakGoroutines = sampler.stop()
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.Name(), err)
	}
	m.CPU = after.cpu - before.cpu
	m.AllocBytes = after.allocBytes - before.allocBytes
	m.AllocObjects = after.allocObjects - before.allocObjects
	m.GCCycles = after.gcCycles - before.gcCycles
	if err := b.Close(); err != nil {
		return nil, fmt.Errorf("%s: close: %w", c.Name(), err)
	}
	m.Stats = b.Stats()
	return m, Check(c, m)
}

// produce adds items items from w.Producers goroutines, closed loop, or from
// one goroutine on a precomputed open-loop schedule when w.Rate is set.
func produce(b impl.Batcher[registry.Item], w Workload, items int, epoch time.Time) error {
	if w.Rate > 0 {
		gap := time.Duration(float64(time.Second) / w.Rate)
		for i := range items {
			due := time.Duration(i) * gap
			if ahead := due - time.Since(epoch); ahead > 0 {
				time.Sleep(ahead)
			}
			// A late producer does not skip or shift the schedule: latency
			// counts from the intended send time (no coordinated omission).
			if err := b.Add(registry.Item(due)); err != nil {
				return err
			}
		}
		return nil
	}
	producers := max(w.Producers, 1)
	errs := make([]error, producers)
	var wg sync.WaitGroup
	for p := range producers {
		n := items / producers
		if p == 0 {
			n += items % producers
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range n {
				if err := b.Add(registry.Item(i)); err != nil {
					errs[p] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Check verifies that a run did what its cell's name claims. The workload
// that ran must have the setting the name gives; every item must have been
// processed; and the observed batches must match the configuration: closed
// loop, every batch full but the last; open loop, about Rate×BatchInterval
// items per batch. This is the seed report's bug, a benchmark named for one
// batch size that ran another, made impossible.
func Check(c Cell, m *Measurement) error {
	w := m.Workload
	if got := c.Family.Knob.Of(w); got != c.Param.Value {
		return fmt.Errorf("self-check: %s: the name says %s=%s but the workload ran %s %d",
			c.Name(), c.Family.Key, c.Param.Text, c.Family.Knob, got)
	}
	s := m.Stats
	if s.Added != uint64(m.Items) || s.Processed != uint64(m.Items) {
		return fmt.Errorf("self-check: %s: added %d and processed %d of %d items", c.Name(), s.Added, s.Processed, m.Items)
	}
	fill := m.MeanFill()
	if fill > float64(w.BatchSize) {
		return fmt.Errorf("self-check: %s: mean batch fill %.1f exceeds BatchSize %d", c.Name(), fill, w.BatchSize)
	}
	if w.Rate == 0 {
		want := uint64((m.Items + w.BatchSize - 1) / w.BatchSize)
		if s.Batches != want {
			return fmt.Errorf("self-check: %s: %d batches (mean fill %.1f) for %d items; BatchSize %d means %d",
				c.Name(), s.Batches, fill, m.Items, w.BatchSize, want)
		}
		return nil
	}
	want := min(w.Rate*w.BatchInterval.Seconds(), float64(m.Items), float64(w.BatchSize))
	if fill < want/4 || fill > want*4 {
		return fmt.Errorf("self-check: %s: mean batch fill %.1f; BatchInterval %v at %.0f items/s means about %.0f",
			c.Name(), fill, w.BatchInterval, w.Rate, want)
	}
	return nil
}

type counters struct {
	cpu                      time.Duration
	allocBytes, allocObjects uint64
	gcCycles                 uint64
}

var counterSamples = []metrics.Sample{
	{Name: "/gc/heap/allocs:bytes"},
	{Name: "/gc/heap/allocs:objects"},
	{Name: "/gc/cycles/total:gc-cycles"},
}

func readCounters() counters {
	s := append([]metrics.Sample(nil), counterSamples...)
	metrics.Read(s)
	return counters{
		cpu:          cpuTime(),
		allocBytes:   s[0].Value.Uint64(),
		allocObjects: s[1].Value.Uint64(),
		gcCycles:     s[2].Value.Uint64(),
	}
}

// cpuTime is the process's user plus system CPU time (getrusage).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// memorySampler polls heap in use and the goroutine count through
// runtime/metrics and keeps their peaks.
type memorySampler struct {
	done      chan struct{}
	finished  chan struct{}
	baseline  uint64
	baselineG int
	peakHeap  uint64
	peakG     int
}

const samplePeriod = 200 * time.Microsecond

func startMemorySampler() *memorySampler {
	s := &memorySampler{done: make(chan struct{}), finished: make(chan struct{})}
	heap, goroutines := readMemory()
	s.baseline, s.peakHeap = heap, heap
	s.baselineG, s.peakG = goroutines, goroutines
	go func() {
		defer close(s.finished)
		t := time.NewTicker(samplePeriod)
		defer t.Stop()
		for {
			select {
			case <-s.done:
				return
			case <-t.C:
				heap, goroutines := readMemory()
				s.peakHeap = max(s.peakHeap, heap)
				s.peakG = max(s.peakG, goroutines)
			}
		}
	}()
	return s
}

// stop ends sampling and returns the peaks above the baseline: the heap the
// run added, and the goroutines it started (the batcher's and producers').
func (s *memorySampler) stop() (peakHeap uint64, peakGoroutines int) {
	heap, goroutines := readMemory()
	close(s.done)
	<-s.finished
	s.peakHeap = max(s.peakHeap, heap)
	s.peakG = max(s.peakG, goroutines)
	return s.peakHeap - s.baseline, s.peakG - 1 - s.baselineG
}

func readMemory() (heap uint64, goroutines int) {
	s := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/sched/goroutines:goroutines"},
	}
	metrics.Read(s)
	return s[0].Value.Uint64(), int(s[1].Value.Uint64())
}
