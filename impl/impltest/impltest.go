// Package impltest is the conformance suite for batcher implementations. Run
// checks one implementation against every numbered semantic of the contract
// in package impl; conformance_test.go runs it for every registered
// implementation, so a new one gets the suite by registering.
//
// The suite is written for a noisy shared machine under -race: every blocking
// wait has a timeout that fails the test instead of hanging it, timing checks
// use generous upper bounds and never assert speed, and the tests that measure
// CPU time or goroutines do not run in parallel with anything.
package impltest

import (
	"flag"
	"testing"

	"github.com/batchbench/batchbench/impl/registry"
)

var (
	longStress = flag.Bool("stress.long", false, "run the long variant of the impltest stress test")
	stressSeed = flag.Uint64("stress.seed", 0, "seed for the impltest stress test's rounds (0: from the clock)")
)

// Run runs every conformance subtest against the implementation built by
// newBatcher. The subtests run one after another: several measure process
// CPU time or goroutines, which a parallel test would disturb.
func Run(t *testing.T, newBatcher registry.Factory) {
	for _, tc := range suite {
		t.Run(tc.name, func(t *testing.T) { tc.test(t, newBatcher) })
	}
}

// suite lists the subtests under the semantic of the contract (the numbered
// list in the foundation issue) each one checks.
var suite = []struct {
	name string
	test func(*testing.T, registry.Factory)
}{
	// 1. Batches: exactly once, 1..BatchSize items, Add order.
	{"Batches", testBatches},
	{"Order", testOrder},
	// 2. Timer: from the first item, never idle.
	{"Timer", testTimer},
	{"TimerStartsAtFirstItem", testTimerStartsAtFirstItem},
	{"TimerWhileBusy", testTimerWhileBusy},
	{"IdleNeverProcesses", testIdleNeverProcesses},
	// 3. Join waits on an event and honours its timeout.
	{"JoinNoCPU", testJoinNoCPU},
	{"Join", testJoin},
	// 4. Close processes everything accepted; Add after it fails cleanly.
	{"Close", testClose},
	{"CloseConcurrent", testCloseConcurrent},
	{"CloseRacesAdd", testCloseRacesAdd},
	// 5. Processor failure.
	{"ProcessorError", testProcessorError},
	{"ProcessorPanic", testProcessorPanic},
	// 6. Concurrency.
	{"Concurrency", testConcurrency},
	// 7. Backpressure.
	{"Backpressure", testBackpressure},
	{"DefaultBound", testDefaultBound},
	// 8. Bad config.
	{"BadConfig", testBadConfig},
	// 9. Goroutines: none left after Close, no spinning.
	{"Goroutines", testGoroutines},
	{"IdleNoCPU", testIdleNoCPU},
	// 10. Counting: Len, Stats, OnError before Processed.
	{"Counting", testCounting},
	{"OnErrorBeforeJoin", testOnErrorBeforeJoin},
	// 11. Join and Close edges.
	{"JoinIgnoresLaterAdds", testJoinIgnoresLaterAdds},
	{"JoinAfterClose", testJoinAfterClose},
	{"AddBlockedAtClose", testAddBlockedAtClose},
	// 12. Exact bound.
	{"ExactBound", testExactBound},
	// 1, 4, 6 and 7 together, under load.
	{"Stress", testStress},
}
