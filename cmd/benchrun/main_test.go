package main

import (
	"os"
	"testing"

	"github.com/batchbench/batchbench/harness"
)

// TestMain lets the test binary serve as the harness's worker, so tests
// can run benchrun run end to end.
func TestMain(m *testing.M) {
	harness.ServeWorker()
	os.Exit(m.Run())
}
