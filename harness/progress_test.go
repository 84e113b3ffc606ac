package harness

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// fakeClock is a clock that moves only when told.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newTestProgress(runs, profiles int, profileTime time.Duration) (*progress, *fakeClock, *bytes.Buffer) {
	var log bytes.Buffer
	clock := &fakeClock{t: time.Unix(1e9, 0)}
	p := newProgress(&log, profileTime)
	p.plan(timingRun, runs)
	p.plan(profiledCell, profiles)
	p.now = clock.now
	p.began, p.mark = clock.now(), clock.now()
	return p, clock, &log
}

func lastLine(log *bytes.Buffer) string {
	lines := strings.Split(strings.TrimRight(log.String(), "\n"), "\n")
	return lines[len(lines)-1]
}

// TestETACountsTheProfilingPass checks that the ETA prices the profiling
// pass as profiling costs, not as timing runs do: from its recording time
// until a profiled cell has been measured, then from the measurement.
func TestETACountsTheProfilingPass(t *testing.T) {
	p, clock, log := newTestProgress(4, 2, time.Second)
	for range 4 {
		p.start(timingRun, "round")
		clock.advance(time.Second)
		p.done()
	}
	// No profile measured yet: each profiled cell records two 1s profiles
	// on top of about a timing run's cost.
	p.start(profiledCell, "profile a")
	if got, want := lastLine(log), "[5/6] profile a (ETA 6s)"; got != want {
		t.Errorf("before the first profile: %q, want %q", got, want)
	}
	clock.advance(5 * time.Second)
	p.done()
	// The first profiled cell took 5s: the one left will too.
	p.start(profiledCell, "profile b")
	if got, want := lastLine(log), "[6/6] profile b (ETA 5s)"; got != want {
		t.Errorf("after the first profile: %q, want %q", got, want)
	}
}

// TestETAIgnoresSkippedRuns checks that runs of failed cells, skipped at no
// cost, do not make the remaining runs look cheaper.
func TestETAIgnoresSkippedRuns(t *testing.T) {
	p, clock, log := newTestProgress(4, 0, time.Second)
	p.start(timingRun, "round")
	clock.advance(2 * time.Second)
	p.done()
	p.skip(timingRun)
	p.start(timingRun, "round")
	if got, want := lastLine(log), "[3/4] round (ETA 4s)"; got != want {
		t.Errorf("after a skip: %q, want %q", got, want)
	}
}
