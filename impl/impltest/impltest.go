// Package impltest is the conformance suite for batcher implementations. Run
// checks one implementation against every clause (package conformance
// lists them under the numbered semantics of the contract in package
// impl); Conform checks one against its declared exceptions and returns
// its column of the conformance matrix. conformance_test.go runs it for
// every registered implementation, so a new one gets the suite by
// registering, and a module of its own gets it by calling Run or Conform.
//
// The suite is written for a noisy shared machine under -race: every blocking
// wait has a timeout that fails the test instead of hanging it, timing checks
// use generous upper bounds and never assert speed, and the tests that measure
// CPU time or goroutines do not run in parallel with anything.
package impltest

import (
	"flag"
	"testing"

	"github.com/batchbench/batchbench/impl/conformance"
	"github.com/batchbench/batchbench/impl/registry"
)

var (
	longStress = flag.Bool("stress.long", false, "run the long variant of the impltest stress test")
	stressSeed = flag.Uint64("stress.seed", 0, "seed for the impltest stress test's rounds (0: from the clock)")
)

// Run runs every clause of the suite against the implementation built by
// newBatcher; each one must hold.
func Run(t *testing.T, newBatcher registry.Factory) {
	Conform(t, newBatcher, nil)
}

// Conform runs the suite against the implementation built by newBatcher and
// checks it against known, its declared exceptions: a clause declared to
// fail must fail (its failures are logged, and do not fail the test), a
// clause declared not to apply is not run, and every other clause must
// hold. A clause that starts holding fails the test until its declaration
// is removed. Conform returns what it observed, as the implementation's
// exceptions: a failing clause with its first failure's message, and a
// clause that skipped itself as Inconclusive; a clause that -run left out
// is in neither.
//
// The clauses run one after another: several measure process CPU time or
// goroutines, which a parallel test would disturb.
func Conform(t *testing.T, newBatcher registry.Factory, known conformance.Known) conformance.Known {
	t.Helper()
	if err := known.Validate(); err != nil {
		t.Fatal(err)
	}
	observed := conformance.Known{}
	for _, c := range conformance.Clauses {
		declared := known.Verdict(c.Name)
		if declared == conformance.DoesNotApply {
			t.Logf("%s: does not apply (%s)", c.Name, known[c.Name].Why)
			observed[c.Name] = known[c.Name]
			continue
		}
		run := &clauseRun{expectFail: declared == conformance.Fails}
		var ran, skipped bool
		t.Run(c.Name, func(tt *testing.T) {
			ran = true
			defer func() { skipped = tt.Skipped() }()
			suite[c.Name](&T{T: tt, clause: run}, newBatcher)
		})
		failed, first := run.outcome()
		switch {
		case !ran: // -run left it out
		case failed:
			observed[c.Name] = conformance.Exception{Verdict: conformance.Fails, Why: known[c.Name].Why, Message: first}
		case skipped:
			observed[c.Name] = conformance.Exception{Verdict: conformance.Inconclusive, Why: "the clause skipped itself"}
		case declared == conformance.Fails:
			t.Errorf("%s holds, but is declared to fail (%s): remove it from the declaration", c.Name, known[c.Name].Why)
		}
	}
	return observed
}

// suite maps every clause of conformance.Clauses to its test.
var suite = map[string]func(*T, registry.Factory){
	"Batches":                testBatches,
	"Order":                  testOrder,
	"Timer":                  testTimer,
	"TimerStartsAtFirstItem": testTimerStartsAtFirstItem,
	"TimerWhileBusy":         testTimerWhileBusy,
	"IdleNeverProcesses":     testIdleNeverProcesses,
	"JoinNoCPU":              testJoinNoCPU,
	"Join":                   testJoin,
	"Close":                  testClose,
	"CloseConcurrent":        testCloseConcurrent,
	"CloseRacesAdd":          testCloseRacesAdd,
	"ProcessorError":         testProcessorError,
	"ProcessorPanic":         testProcessorPanic,
	"Concurrency":            testConcurrency,
	"Backpressure":           testBackpressure,
	"DefaultBound":           testDefaultBound,
	"BadConfig":              testBadConfig,
	"Goroutines":             testGoroutines,
	"IdleNoCPU":              testIdleNoCPU,
	"Counting":               testCounting,
	"OnErrorBeforeJoin":      testOnErrorBeforeJoin,
	"JoinIgnoresLaterAdds":   testJoinIgnoresLaterAdds,
	"JoinAfterClose":         testJoinAfterClose,
	"AddBlockedAtClose":      testAddBlockedAtClose,
	"ExactBound":             testExactBound,
	"Stress":                 testStress,
}
