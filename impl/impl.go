// Package impl defines the batcher contract that every implementation in
// batchbench meets and that the harness measures.
//
// A Batcher accepts items from any number of goroutines through Add and hands
// them to a Processor in batches of at most Config.BatchSize items. A batch is
// flushed when it is full, when Config.BatchInterval has passed since its first
// item arrived, on Join, and on Close.
//
// Implementations live in sub-packages, one strategy each, and register
// themselves in impl/registry.
package impl

import (
	"errors"
	"fmt"
	"time"
)

var (
	// ErrClosed is returned by Add after Close has started.
	ErrClosed = errors.New("batcher: closed")
	// ErrTimeout is returned by Join when its timeout expires first.
	ErrTimeout = errors.New("batcher: join timed out")
)

// DefaultMaxQueueSize is the queue bound used when Config.MaxQueueSize is 0,
// unless 2×BatchSize is larger: a producer can then fill the next batch while
// the current one is processed. No implementation is ever unbounded.
const DefaultMaxQueueSize = 1 << 16

// Processor handles one batch. The batch is never empty and is only valid
// until Processor returns: implementations reuse its backing array, so a
// Processor that keeps items must copy them. An error or panic fails the batch
// but does not stop the batcher.
type Processor[T any] func(batch []T) error

// Config configures a Batcher. Validate reports what is wrong with it.
type Config[T any] struct {
	// BatchSize (> 0) is the largest batch; a full batch is flushed at once.
	BatchSize int
	// BatchInterval (> 0) is the longest a partial batch waits, counted
	// from the arrival of its first item.
	BatchInterval time.Duration
	// Concurrency (>= 0) bounds the Processor calls running at once; 0 means 1.
	Concurrency int
	// MaxQueueSize (>= 0) bounds the items added but not yet processed,
	// including those inside the Processor; Add blocks at the bound. It must
	// be at least BatchSize; 0 means max(DefaultMaxQueueSize, 2×BatchSize).
	MaxQueueSize int
	// Processor is required.
	Processor Processor[T]
	// OnError, if set, is called with each failed batch before its items
	// count as processed. For a panic the error wraps the value and stack.
	OnError func(err error, batch []T)
}

// Validate returns a descriptive error for a Config that New must reject.
func (c Config[T]) Validate() error {
	var errs []error
	if c.BatchSize <= 0 {
		errs = append(errs, fmt.Errorf("BatchSize must be > 0, got %d", c.BatchSize))
	}
	if c.BatchInterval <= 0 {
		errs = append(errs, fmt.Errorf("BatchInterval must be > 0, got %v", c.BatchInterval))
	}
	if c.Concurrency < 0 {
		errs = append(errs, fmt.Errorf("Concurrency must be >= 0, got %d", c.Concurrency))
	}
	if c.MaxQueueSize < 0 {
		errs = append(errs, fmt.Errorf("MaxQueueSize must be >= 0, got %d", c.MaxQueueSize))
	} else if c.MaxQueueSize > 0 && c.BatchSize > 0 && c.MaxQueueSize < c.BatchSize {
		errs = append(errs, fmt.Errorf("MaxQueueSize (%d) must be >= BatchSize (%d) or 0", c.MaxQueueSize, c.BatchSize))
	}
	if c.Processor == nil {
		errs = append(errs, errors.New("Processor is required"))
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("batcher: invalid config: %w", errors.Join(errs...))
}

// Workers is the effective Concurrency.
func (c Config[T]) Workers() int { return max(c.Concurrency, 1) }

// QueueLimit is the effective MaxQueueSize.
func (c Config[T]) QueueLimit() int {
	if c.MaxQueueSize > 0 {
		return c.MaxQueueSize
	}
	return max(DefaultMaxQueueSize, 2*c.BatchSize)
}

// Stats counts a Batcher's work since New.
type Stats struct {
	Added     uint64 // Add calls that returned nil
	Processed uint64 // items whose Processor call has returned, failed or not
	Batches   uint64 // Processor calls
	Failed    uint64 // Processor calls that returned an error or panicked
}

// Batcher groups items into batches for a Processor. All methods are safe for
// concurrent use.
type Batcher[T any] interface {
	// Add queues item, blocking while MaxQueueSize items are pending. It
	// returns ErrClosed once Close has started; an Add that returns nil is
	// processed exactly once, even if Close races it.
	Add(item T) error
	// Len is the number of items added and not yet processed; a batch inside
	// the Processor still counts.
	Len() int
	// Join flushes the partial batch and waits until every item added before
	// the call is processed. Later Adds do not extend the wait. It returns
	// ErrTimeout when timeout passes first, and nil at once after Close.
	Join(timeout time.Duration) error
	// Close stops accepting items, processes everything accepted and returns
	// once every goroutine the Batcher started has exited. It is idempotent.
	Close() error
	// Stats returns the counters; they are read one by one, not as a snapshot.
	Stats() Stats
}

// PanicError is the error given to OnError when a Processor panics.
type PanicError struct {
	Value any    // the value passed to panic
	Stack []byte // the panicking goroutine's stack
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("batcher: processor panicked: %v\n%s", e.Value, e.Stack)
}

// Unwrap returns the panic value if it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}
