package main

import (
	"os"
	"testing"

	"github.com/batchbench/batchbench/harness"
	"github.com/batchbench/batchbench/impl/peers"
)

// TestMain lets the test binary serve as the harness's worker, so tests
// can run benchrun run end to end; it registers the peers first, as main
// does.
func TestMain(m *testing.M) {
	peers.Register()
	harness.ServeWorker()
	os.Exit(m.Run())
}
