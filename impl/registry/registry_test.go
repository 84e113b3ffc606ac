package registry_test

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/batchbench/batchbench/impl"
	"github.com/batchbench/batchbench/impl/conformance"
	"github.com/batchbench/batchbench/impl/registry"
)

func TestBuiltinsRegistered(t *testing.T) {
	for _, name := range []string{"channel", "pooled", "ring", "mutex"} {
		if _, ok := registry.Lookup(name); !ok {
			t.Errorf("%s is not registered", name)
		}
	}
	if _, ok := registry.Lookup(registry.Baseline); !ok {
		t.Errorf("baseline %q is not registered", registry.Baseline)
	}
}

func TestMatch(t *testing.T) {
	got, err := registry.Match("^(ring|pooled)$")
	if err != nil || len(got) != 2 {
		t.Fatalf("Match = %v, %v; want pooled and ring", got, err)
	}
	if _, err := registry.Match("nosuch"); err == nil || !strings.Contains(err.Error(), "no implementation matches") {
		t.Errorf("Match(nosuch) error = %v", err)
	}
	if _, err := registry.Match("("); err == nil {
		t.Error("Match of a bad pattern returned no error")
	}
}

func TestRegister(t *testing.T) {
	ring, _ := registry.Lookup("ring")
	unregister := registry.Register("ring-copy", ring.New)
	if _, ok := registry.Lookup("ring-copy"); !ok {
		t.Fatal("registered implementation not found")
	}
	unregister()
	if _, ok := registry.Lookup("ring-copy"); ok {
		t.Fatal("unregistered implementation still found")
	}
}

// BenchmarkBatcher measures each implementation end to end: BatchSize
// 1000, a no-op Processor, the final Join inside the timer, with 1 and 8
// producers sharing the b.N items. One op is one item.
func BenchmarkBatcher(b *testing.B) {
	for _, e := range registry.All() {
		for _, producers := range []int{1, 8} {
			b.Run(fmt.Sprintf("impl=%s/producers=%d", e.Name, producers), func(b *testing.B) {
				benchmarkBatcher(b, e, producers, 1000, 0)
			})
		}
	}
}

// BenchmarkBatchSize separates an item's own cost from its share of each
// batch's hand-off: BenchmarkBatcher at 1 producer with BatchSize 1000
// and 100000, and a queue bound of 4 batches at both. With -cpu 1,2 it
// also shows what handing each batch to the other core costs.
func BenchmarkBatchSize(b *testing.B) {
	for _, e := range registry.All() {
		for _, size := range []int{1000, 100_000} {
			b.Run(fmt.Sprintf("impl=%s/size=%d", e.Name, size), func(b *testing.B) {
				benchmarkBatcher(b, e, 1, size, 4*size)
			})
		}
	}
}

// benchmarkBatcher pushes b.N items from producers goroutines through a
// batcher of the given BatchSize and MaxQueueSize (0: the default).
func benchmarkBatcher(b *testing.B, e registry.Entry, producers, size, queue int) {
	batcher, err := e.New(impl.Config[registry.Item]{
		BatchSize:     size,
		BatchInterval: time.Second,
		MaxQueueSize:  queue,
		Processor:     func([]registry.Item) error { return nil },
	})
	if err != nil {
		b.Fatal(err)
	}
	defer batcher.Close()
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for p := range producers {
		wg.Go(func() {
			for i := p; i < b.N; i += producers {
				if err := batcher.Add(registry.Item(i)); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := batcher.Join(time.Minute); err != nil {
		b.Fatal(err)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	cpu := cpuTime() - cpu0
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "items/s")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	if s := batcher.Stats(); s.Processed != uint64(b.N) {
		b.Fatalf("processed %d of %d items", s.Processed, b.N)
	}
}

// floorSink keeps BenchmarkFloor's counter alive.
var floorSink atomic.Uint64

// BenchmarkFloor is the cheapest synchronisation a batcher's Add could
// do: one uncontended atomic.Uint64.Add per op, the floor under
// BenchmarkBatcher's per-item cost on the same machine.
func BenchmarkFloor(b *testing.B) {
	for range b.N {
		floorSink.Add(1)
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// A peer is registered with its description; a declaration that names no
// clause is a programming error.
func TestRegisterPeer(t *testing.T) {
	ring, _ := registry.Lookup("ring")
	known := conformance.Known{"ExactBound": {Verdict: conformance.Fails, Why: "planted"}}
	unregister := registry.RegisterPeer("peer-copy", ring.New, registry.Peer{Module: "example.com/x v1.0.0", Known: known})
	defer unregister()
	e, ok := registry.Lookup("peer-copy")
	if !ok || e.Peer == nil || e.Peer.Module != "example.com/x v1.0.0" || e.Known().Verdict("ExactBound") != conformance.Fails {
		t.Errorf("Lookup = %+v, %v; want the peer with its declaration", e, ok)
	}
	if ring.Peer != nil || ring.Known() != nil {
		t.Errorf("ring is described as a peer: %+v", ring.Peer)
	}
	defer func() {
		if recover() == nil {
			t.Error("RegisterPeer accepted a declaration naming no clause")
		}
	}()
	registry.RegisterPeer("bad-peer", ring.New, registry.Peer{Known: conformance.Known{"Nope": {Verdict: conformance.Fails, Why: "x"}}})
}
