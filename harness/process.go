package harness

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"time"
)

// A process is a worker process that serves one source's runs, one at a
// time, over its stdin and stdout (see ServeWorker). A run that hangs past
// the timeout, or a worker that dies, ends the process; the caller starts
// a fresh one for the next run.
type process struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *json.Decoder
	stderr *tail
	number int            // the source's how-manieth process (runconfig.Worker)
	layout string         // its executable's function layout (runconfig.Layout)
	served int            // runs answered
	cells  map[string]int // runs answered per cell
	dead   bool           // closed: start a fresh one
}

// startProcess starts a serving worker of src.
func startProcess(src Source) (*process, error) {
	cmd := exec.Command(src.Command[0], src.Command[1:]...)
	cmd.Env = append(append(os.Environ(), src.Env...), workerEnv+"="+serveRequests)
	p := &process{cmd: cmd, stderr: &tail{}, cells: map[string]int{}}
	cmd.Stderr = p.stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p.in, p.out = in, json.NewDecoder(bufio.NewReader(out))
	return p, nil
}

// run sends req and waits for its answer, at most timeout. On a timeout, an
// interrupt or a dead worker it kills the process, which must not be used
// again, and says so in the error.
func (p *process) run(ctx context.Context, timeout time.Duration, req request) (*response, error) {
	raw, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	if _, err := p.in.Write(append(raw, '\n')); err != nil {
		p.close()
		return nil, fmt.Errorf("worker died: %v\n%s", err, p.stderr.lines(20))
	}
	type answer struct {
		resp response
		err  error
	}
	done := make(chan answer, 1)
	go func() {
		var a answer
		a.err = p.out.Decode(&a.resp)
		done <- a
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case a := <-done:
		if a.err != nil {
			p.close()
			return nil, fmt.Errorf("worker died: %v\n%s", a.err, p.stderr.lines(20))
		}
		p.served++
		p.cells[req.Cell]++
		if a.resp.Error != "" {
			return nil, errors.New(a.resp.Error)
		}
		return &a.resp, nil
	case <-timer.C:
		p.close()
		<-done
		return nil, fmt.Errorf("timed out after %v (hung implementation?)", timeout)
	case <-ctx.Done():
		p.close()
		<-done
		return nil, ctx.Err()
	}
}

// close ends the process: it closes its stdin, which a serving worker
// takes as the end, and kills it in case it is hung.
func (p *process) close() {
	p.dead = true
	p.in.Close()
	if p.cmd.Process != nil {
		p.cmd.Process.Kill()
	}
	p.cmd.Wait()
}

// tail keeps the last of a process's stderr: a panic's first lines say
// what and where, and a long-lived worker may write much before it.
type tail struct {
	mu  sync.Mutex
	buf []byte
}

// tailMax is how much of a worker's stderr is kept.
const tailMax = 64 << 10

func (t *tail) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, b...)
	if len(t.buf) > tailMax {
		t.buf = t.buf[len(t.buf)-tailMax:]
	}
	return len(b), nil
}

func (t *tail) lines(n int) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return headLines(string(t.buf), n)
}
