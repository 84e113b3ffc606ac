package harness

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// stepKind tells the two passes' steps apart: they cost very differently.
type stepKind int

const (
	timingRun    stepKind = iota // one measured run of a cell
	profiledCell                 // a cell's CPU and heap profiles
)

// progress reports steps done and an ETA: a redrawn bar on a terminal, plain
// lines otherwise (CI logs, pipes).
type progress struct {
	w        io.Writer
	terminal bool
	now      func() time.Time
	planned  [2]int // steps of each kind
	ended    [2]int // steps finished or skipped
	ran      [2]int // steps that ran
	// spent is the wall time of the steps that ran, each from the end of
	// the step before, so waits between steps are charged to a step.
	spent [2]time.Duration
	// profileGuess is what a profiled cell costs beyond a timing run,
	// until one has been measured.
	profileGuess time.Duration
	began, mark  time.Time // mark: when the last step ended
	current      string
	kind         stepKind
}

// newProgress tracks the steps planned: timing runs, and profiled cells,
// each of which records profiles for profileTime twice.
func newProgress(w io.Writer, profileTime time.Duration) *progress {
	p := &progress{w: w, now: time.Now, profileGuess: 2 * profileTime}
	p.began = p.now()
	p.mark = p.began
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.terminal = true
		}
	}
	return p
}

// plan adds n steps of a kind to those planned (none when n <= 0).
func (p *progress) plan(kind stepKind, n int) { p.planned[kind] += max(n, 0) }

// unstarted is how many planned steps of a kind have not ended.
func (p *progress) unstarted(kind stepKind) int { return p.planned[kind] - p.ended[kind] }

func (p *progress) finished() int { return p.ended[timingRun] + p.ended[profiledCell] }
func (p *progress) total() int    { return p.planned[timingRun] + p.planned[profiledCell] }

func (p *progress) start(kind stepKind, what string) {
	p.kind, p.current = kind, what
	if p.terminal {
		p.draw()
		return
	}
	fmt.Fprintf(p.w, "[%d/%d] %s%s\n", p.finished()+1, p.total(), what, p.eta())
}

// done ends the step started last.
func (p *progress) done() {
	now := p.now()
	p.spent[p.kind] += now.Sub(p.mark)
	p.mark = now
	p.ran[p.kind]++
	p.ended[p.kind]++
	if p.terminal {
		p.draw()
	}
}

// skip counts a step that will not happen (its cell already failed).
func (p *progress) skip(kind stepKind) {
	p.mark = p.now()
	p.ended[kind]++
	if p.terminal {
		p.draw()
	}
}

// eta prices the steps left at what each kind cost so far. A timing run
// costs the mean of those that ran; a profiled cell, the mean of those
// measured, or before the first, a timing run plus its two recordings.
func (p *progress) eta() string {
	if p.ran[timingRun] == 0 {
		return ""
	}
	perRun := p.spent[timingRun] / time.Duration(p.ran[timingRun])
	perProfile := perRun + p.profileGuess
	if n := p.ran[profiledCell]; n > 0 {
		perProfile = p.spent[profiledCell] / time.Duration(n)
	}
	left := perRun*time.Duration(p.planned[timingRun]-p.ended[timingRun]) +
		perProfile*time.Duration(p.planned[profiledCell]-p.ended[profiledCell])
	return fmt.Sprintf(" (ETA %v)", left.Round(time.Second))
}

func (p *progress) draw() {
	const width = 30
	filled := width * p.finished() / max(p.total(), 1)
	fmt.Fprintf(p.w, "\r\033[K[%s%s] %d/%d%s %s", strings.Repeat("#", filled), strings.Repeat(".", width-filled),
		p.finished(), p.total(), p.eta(), p.current)
}

// printf prints a message on its own line, keeping the bar intact.
func (p *progress) printf(format string, args ...any) {
	if p.terminal {
		fmt.Fprint(p.w, "\r\033[K")
	}
	fmt.Fprintf(p.w, format+"\n", args...)
	if p.terminal {
		p.draw()
	}
}

func (p *progress) finish() {
	if p.terminal {
		fmt.Fprintln(p.w)
	}
	fmt.Fprintf(p.w, "benchrun: %d runs in %v\n", p.finished(), p.now().Sub(p.began).Round(time.Second))
}
