package core

import "sync"

// Workers runs an Executor's batches on Concurrency goroutines, or inline on
// the caller's goroutine when Concurrency is 1, and hands each batch buffer
// back once its batch is processed.
type Workers[T any] struct {
	exec    *Executor[T]
	recycle func(*[]T)
	jobs    chan job[T]
	wg      sync.WaitGroup
}

type job[T any] struct {
	buf    *[]T
	ticket Ticket
}

// NewWorkers starts n workers for exec (none when n is 1). recycle gets every
// buffer passed to Run back after its batch is processed.
func NewWorkers[T any](exec *Executor[T], n int, recycle func(*[]T)) *Workers[T] {
	w := &Workers[T]{exec: exec, recycle: recycle}
	if n > 1 {
		w.jobs = make(chan job[T])
		w.wg.Add(n)
		for range n {
			go w.work()
		}
	}
	return w
}

func (w *Workers[T]) work() {
	defer w.wg.Done()
	for j := range w.jobs {
		w.finish(j)
	}
}

// Run dispatches *buf as the next batch in admission order. With one worker
// it processes the batch before returning; otherwise it blocks until a worker
// is free, which is what bounds Concurrency.
func (w *Workers[T]) Run(buf *[]T) {
	j := job[T]{buf, w.exec.Progress.Dispatch(len(*buf))}
	if w.jobs == nil {
		w.finish(j)
		return
	}
	w.jobs <- j
}

func (w *Workers[T]) finish(j job[T]) {
	w.exec.Process(*j.buf, j.ticket)
	w.recycle(j.buf)
}

// Stop waits for the batches already handed to workers and ends the
// workers. Run must not be called after Stop.
func (w *Workers[T]) Stop() {
	if w.jobs != nil {
		close(w.jobs)
		w.wg.Wait()
	}
}
