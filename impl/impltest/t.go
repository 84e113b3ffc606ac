package impltest

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
)

// T is the *testing.T a clause runs with. It notes the clause's first
// failure for the matrix and, for a clause declared to fail, logs each
// failure instead of failing the test: a Fatal then ends the (sub)test as
// skipped, since anything else that stops a test fails it.
type T struct {
	*testing.T
	clause *clauseRun
	failed atomic.Bool // this (sub)test noted a failure
}

// clauseRun is what one clause's tests share.
type clauseRun struct {
	expectFail bool
	mu         sync.Mutex
	first      string // the first failure's message
	failed     bool
}

func (c *clauseRun) note(msg string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.failed {
		c.failed, c.first = true, msg
	}
}

func (c *clauseRun) outcome() (failed bool, first string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.failed, c.first
}

// Run runs f as a subtest of the clause and reports whether it passed.
func (t *T) Run(name string, f func(t *T)) bool {
	var sub *T
	ok := t.T.Run(name, func(tt *testing.T) {
		sub = &T{T: tt, clause: t.clause}
		f(sub)
	})
	return ok && sub != nil && !sub.failed.Load()
}

// Error is testing.T's Error, noted for the matrix.
func (t *T) Error(args ...any) {
	t.T.Helper()
	t.fail(fmt.Sprintln(args...), false)
}

// Errorf is testing.T's Errorf, noted for the matrix.
func (t *T) Errorf(format string, args ...any) {
	t.T.Helper()
	t.fail(fmt.Sprintf(format, args...), false)
}

// Fatal is testing.T's Fatal, noted for the matrix.
func (t *T) Fatal(args ...any) {
	t.T.Helper()
	t.fail(fmt.Sprintln(args...), true)
}

// Fatalf is testing.T's Fatalf, noted for the matrix.
func (t *T) Fatalf(format string, args ...any) {
	t.T.Helper()
	t.fail(fmt.Sprintf(format, args...), true)
}

// Failed reports whether this test failed, or noted a failure of a clause
// declared to fail.
func (t *T) Failed() bool { return t.T.Failed() || t.failed.Load() }

func (t *T) fail(msg string, now bool) {
	t.T.Helper()
	msg = trimNewline(msg)
	t.failed.Store(true)
	t.clause.note(msg)
	switch {
	case !t.clause.expectFail && now:
		t.T.Fatal(msg)
	case !t.clause.expectFail:
		t.T.Error(msg)
	case now:
		t.T.Skip("known failure: " + msg)
	default:
		t.T.Log("known failure: " + msg)
	}
}

func trimNewline(s string) string {
	if n := len(s); n > 0 && s[n-1] == '\n' {
		return s[:n-1]
	}
	return s
}
