package harness

import (
	"context"
	"slices"
	"time"

	"github.com/batchbench/batchbench/internal/load"
)

// The machine's counters; variables so that tests can take /proc away.
var (
	takeSample = load.Take
	loadAvg    = load.Average
)

// idleWindow is how long Options.WaitIdle samples the machine at a time:
// long enough for the 100 Hz counters to give a share to a few percent.
const idleWindow = 200 * time.Millisecond

// meter records what else used the machine during each measured run, in
// load.json in dir. Where /proc is missing it records nothing and says so
// once.
type meter struct {
	dir     string
	log     func(format string, args ...any)
	off     bool
	records []load.Record
	written bool
	flushed time.Time // when load.json was last written
	// workers are the live worker processes, whose CPU time is the
	// harness's own, not others'.
	workers func() []int
}

func newMeter(dir string, waitIdle bool, log func(format string, args ...any), workers func() []int) *meter {
	m := &meter{dir: dir, log: log, workers: workers}
	if _, err := takeSample(); err != nil {
		what := "benchrun: not recording what else uses the machine"
		if waitIdle {
			what += ", nor waiting for it to go quiet"
		}
		m.log("%s: %v", what, err)
		m.off = true
	}
	return m
}

// fail turns the meter off on a counter that stopped reading.
func (m *meter) fail(err error) {
	if !m.off {
		m.log("benchrun: no longer recording what else uses the machine: %v", err)
		m.off = true
	}
}

// before samples the machine as a measured run starts; ok is false when
// the meter is off.
func (m *meter) before() (s load.Sample, ok bool) {
	if m.off {
		return s, false
	}
	s, err := m.take()
	if err != nil {
		m.fail(err)
		return s, false
	}
	return s, true
}

// record completes rec with what others used since before, at once after
// the run, and rewrites load.json.
func (m *meter) record(before load.Sample, rec load.Record) error {
	after, err := m.take()
	if err != nil {
		m.fail(err)
		return nil
	}
	u := load.Between(before, after)
	rec.Others, rec.Steal = u.Others, u.Steal
	if rec.Load1, err = loadAvg(); err != nil {
		m.fail(err)
		return nil
	}
	m.records = append(m.records, rec)
	if time.Since(m.flushed) < flushEvery {
		return nil
	}
	return m.flush()
}

// flushEvery is how often load.json is rewritten while runs go on: a gate
// makes thousands of short runs, and rewriting the whole file after each
// would cost more than some of them. Session.Close writes the rest.
const flushEvery = 2 * time.Second

// take samples the machine, the live workers counted as the harness.
func (m *meter) take() (load.Sample, error) { return takeSample(m.workers()...) }

// drop forgets the runs of a failed cell, as results.txt does.
func (m *meter) drop(cell, source string) error {
	n := len(m.records)
	m.records = slices.DeleteFunc(m.records, func(r load.Record) bool { return r.Cell == cell && r.Source == source })
	if len(m.records) == n {
		return nil
	}
	return m.flush()
}

func (m *meter) flush() error {
	m.written, m.flushed = true, time.Now()
	return load.Write(m.dir, m.records)
}

// waitQuiet samples the machine one window at a time until others take at
// most threshold of the CPU over a window, or limit has passed. It returns
// the last window's usage and whether the machine went quiet.
func waitQuiet(ctx context.Context, limit, window time.Duration, threshold float64,
	take func() (load.Sample, error), sleep func(context.Context, time.Duration) error) (load.Usage, bool, error) {
	window = min(window, limit)
	a, err := take()
	if err != nil {
		return load.Usage{}, false, err
	}
	var u load.Usage
	for range max(1, int(limit/window)) {
		if err := sleep(ctx, window); err != nil {
			return u, false, err
		}
		b, err := take()
		if err != nil {
			return u, false, err
		}
		if u = load.Between(a, b); !u.Busy(threshold) {
			return u, true, nil
		}
		a = b
	}
	return u, false, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
