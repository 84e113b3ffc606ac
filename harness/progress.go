package harness

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progress reports runs done and an ETA: a redrawn bar on a terminal, plain
// lines otherwise (CI logs, pipes).
type progress struct {
	w        io.Writer
	terminal bool
	total    int
	finished int
	began    time.Time
	current  string
}

func newProgress(w io.Writer, total int) *progress {
	p := &progress{w: w, total: total, began: time.Now()}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.terminal = true
		}
	}
	return p
}

func (p *progress) start(what string) {
	p.current = what
	if p.terminal {
		p.draw()
		return
	}
	fmt.Fprintf(p.w, "[%d/%d] %s%s\n", p.finished+1, p.total, what, p.eta())
}

func (p *progress) done() {
	p.finished++
	if p.terminal {
		p.draw()
	}
}

// skip counts a run that will not happen (its cell already failed).
func (p *progress) skip() { p.done() }

func (p *progress) eta() string {
	if p.finished == 0 {
		return ""
	}
	elapsed := time.Since(p.began)
	left := time.Duration(float64(elapsed) / float64(p.finished) * float64(p.total-p.finished))
	return fmt.Sprintf(" (ETA %v)", left.Round(time.Second))
}

func (p *progress) draw() {
	const width = 30
	filled := width * p.finished / max(p.total, 1)
	fmt.Fprintf(p.w, "\r\033[K[%s%s] %d/%d%s %s", strings.Repeat("#", filled), strings.Repeat(".", width-filled),
		p.finished, p.total, p.eta(), p.current)
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
	fmt.Fprintf(p.w, "benchrun: %d runs in %v\n", p.finished, time.Since(p.began).Round(time.Second))
}
