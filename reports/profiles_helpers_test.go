package reports

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/pprof/profile"

	"github.com/batchbench/batchbench/internal/profindex"
)

// Real profiles for tests come from short busy loops in this package,
// profiled with runtime/pprof; their functions are then renamed into an
// implementation's package so the report attributes them as the harness's
// profiles would be.

// busyChannels ping-pongs values through unbuffered channels and select,
// the way a channel-based batcher spends its time.
func busyChannels(d time.Duration) {
	in, out, stop := make(chan int), make(chan int), make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case v := <-in:
				out <- v + 1
			case <-stop:
				return
			}
		}
	}()
	for deadline := time.Now().Add(d); time.Now().Before(deadline); {
		for i := 0; i < 1000; i++ {
			in <- i
			<-out
		}
	}
	close(stop)
	wg.Wait()
}

// ringSpin is busy in its own code, like a lock-free ring buffer. It is
// plain arithmetic on locals, so -race adds no instrumentation calls (whose
// samples the profiler cannot attribute to Go frames).
func ringSpin(d time.Duration) {
	x := uint64(88172645463325252)
	for deadline := time.Now().Add(d); time.Now().Before(deadline); {
		for i := 0; i < 1_000_000; i++ {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
		}
	}
	spinSink.Store(x)
}

var spinSink atomic.Uint64

var sink [][]byte

// allocateBatches allocates enough to dominate the allocs profile.
func allocateBatches() {
	for i := 0; i < 256; i++ {
		sink = append(sink, make([]byte, 64<<10))
	}
	sink = nil
}

var cpuProfileMu sync.Mutex // one CPU profile at a time per process

func captureCPU(t testing.TB, work func()) *profile.Profile {
	t.Helper()
	cpuProfileMu.Lock()
	defer cpuProfileMu.Unlock()
	var buf bytes.Buffer
	if err := pprof.StartCPUProfile(&buf); err != nil {
		t.Fatal(err)
	}
	work()
	pprof.StopCPUProfile()
	p, err := profile.Parse(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func captureAllocs(t testing.TB) *profile.Profile {
	t.Helper()
	allocateBatches()
	runtime.GC() // the allocs profile is as of the last GC
	var buf bytes.Buffer
	if err := pprof.Lookup("allocs").WriteTo(&buf, 0); err != nil {
		t.Fatal(err)
	}
	p, err := profile.Parse(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// renamed returns a copy of p with the busy loops' functions moved into
// the implementation's package.
func renamed(p *profile.Profile, impl string) *profile.Profile {
	q := p.Copy()
	from := modulePath + "/reports."
	for _, f := range q.Function {
		for _, work := range []string{"busyChannels", "ringSpin", "allocateBatches"} {
			if strings.HasPrefix(f.Name, from+work) {
				f.Name = implPackage(impl) + strings.TrimPrefix(f.Name, from)
			}
		}
	}
	return q
}

func writeProfile(t testing.TB, p *profile.Profile, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := p.Write(f); err != nil {
		t.Fatal(err)
	}
}

// realProfiles captures one CPU profile per style of work, once per run.
var realProfiles struct {
	once          sync.Once
	channel, ring *profile.Profile
	allocs        *profile.Profile
}

func sharedProfiles(t testing.TB) (channel, ring, allocs *profile.Profile) {
	realProfiles.once.Do(func() {
		realProfiles.channel = captureCPU(t, func() { busyChannels(300 * time.Millisecond) })
		realProfiles.ring = captureCPU(t, func() { ringSpin(300 * time.Millisecond) })
		realProfiles.allocs = captureAllocs(t)
	})
	return realProfiles.channel, realProfiles.ring, realProfiles.allocs
}

// writeSyntheticProfiles writes dir/profiles with an index.json and a CPU
// and heap profile for every cell of the synthetic fixture: channel and
// pooled cells get the channel-style profile, ring cells the spinning one.
func writeSyntheticProfiles(t testing.TB, dir string) string {
	t.Helper()
	channel, ring, allocs := sharedProfiles(t)
	pdir := filepath.Join(dir, "profiles")
	var idx profindex.Index
	for _, fam := range synthFamilies {
		for _, p := range fam.params {
			for _, impl := range syntheticImpls {
				bench := fam.name + "/impl=" + impl + "/" + fam.key + "=" + p
				cpu := channel
				if impl == "ring" {
					cpu = ring
				}
				c := profindex.Entry{Benchmark: bench, Family: fam.name, Impl: impl,
					CPU: bench + ".cpu.pprof", Heap: bench + ".heap.pprof"}
				writeProfile(t, renamed(cpu, impl), filepath.Join(pdir, filepath.FromSlash(c.CPU)))
				writeProfile(t, renamed(allocs, impl), filepath.Join(pdir, filepath.FromSlash(c.Heap)))
				idx.Cells = append(idx.Cells, c)
			}
		}
	}
	data, err := json.MarshalIndent(idx, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(pdir, "index.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return pdir
}
