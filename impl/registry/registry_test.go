package registry_test

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/batchbench/batchbench/impl"
	"github.com/batchbench/batchbench/impl/registry"
)

func TestBuiltinsRegistered(t *testing.T) {
	for _, name := range []string{"channel", "pooled", "ring"} {
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

// BenchmarkBatcher measures each implementation end to end: one producer,
// BatchSize 1000, a no-op Processor, the final Join inside the timer. One op
// is one item.
func BenchmarkBatcher(b *testing.B) {
	for _, e := range registry.All() {
		b.Run("impl="+e.Name, func(b *testing.B) {
			batcher, err := e.New(impl.Config[registry.Item]{
				BatchSize:     1000,
				BatchInterval: time.Second,
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
			for i := range b.N {
				if err := batcher.Add(registry.Item(i)); err != nil {
					b.Fatal(err)
				}
			}
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
		})
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
