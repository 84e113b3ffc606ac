package reports

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/perf/benchfmt"
)

// The synthetic fixture mimics the harness's results.txt: four families,
// three implementations, runs interleaved round-robin, Unit metadata,
// config lines and two failed cells. Its samples are deterministic
// pseudo-random numbers with known properties:
//
//   - ring is clearly faster than channel in Size and Concurrency (-60%);
//   - pooled equals channel in distribution (differences must be "~");
//   - Size/impl=pooled/size=1000 is noisy (CV well above 5%);
//   - Interval has 5 runs (benchstat: "need >= 6 samples for confidence
//     interval") and Memory 3 (also "need >= 4 samples to detect a
//     difference");
//   - ring allocates nothing (allocs/op = 0, assume=exact), so the
//     allocs/op plot must cope with zeros on a log axis;
//   - channel's allocs/op varies at size=10 (an "exact distribution
//     expected" warning);
//   - Size/impl=pooled/size=100000 failed its self-check and
//     Concurrency/impl=ring/producers=16 timed out.
var syntheticImpls = []string{"channel", "pooled", "ring"}

type synthFamily struct {
	name, key string
	params    []string
	runs      int
	// values returns the metrics of one run; noise is a factor near 1.
	values func(impl string, param float64, noise func(spread float64) float64) []benchfmt.Value
}

func v(val float64, unit string) benchfmt.Value { return benchfmt.Value{Value: val, Unit: unit} }

// implFactor is each implementation's cost relative to channel.
func implFactor(impl string) float64 {
	if impl == "ring" {
		return 0.4
	}
	return 1
}

var synthFamilies = []synthFamily{
	{"Size", "size", []string{"10", "100", "1000", "10000", "100000"}, 10,
		func(impl string, size float64, noise func(float64) float64) []benchfmt.Value {
			ns := (150 + 2000/size) * implFactor(impl) * noise(0.02)
			allocs := 0.0
			switch impl {
			case "channel":
				allocs = 1 / size
				if size == 10 {
					allocs = math.Round(noise(0.05)*1000) / 10000 // varies: not exact
				}
			case "pooled":
				allocs = 0.5 / size
			}
			return []benchfmt.Value{
				v(ns, "ns/op"), v(ns*1.3*noise(0.02), "cpu-ns/op"),
				v(allocs*48, "B/op"), v(allocs, "allocs/op"),
				v(1e9/ns, "items/s"), v(1/size, "batches/op"), v(size, "items/batch"),
			}
		}},
	{"Interval", "interval", []string{"1ms", "10ms", "100ms"}, 5,
		func(impl string, sec float64, noise func(float64) float64) []benchfmt.Value {
			ns := sec * 1e9
			return []benchfmt.Value{
				v(ns*0.5*noise(0.01), "p50-ns"), v(ns*0.99*noise(0.01), "p99-ns"),
				v(ns*1.01*noise(0.01), "p999-ns"), v(20000*sec*noise(0.001), "items/batch"),
				v(1/sec*noise(0.001), "calls/s"),
			}
		}},
	{"Concurrency", "producers", []string{"1", "2", "4", "8", "16"}, 10,
		func(impl string, producers float64, noise func(float64) float64) []benchfmt.Value {
			ns := 100 * (1 + 0.3*producers) * implFactor(impl) * noise(0.02)
			return []benchfmt.Value{v(ns, "ns/op"), v(ns*2*noise(0.02), "cpu-ns/op"), v(1e9/ns, "items/s")}
		}},
	{"Memory", "backlog", []string{"10000", "100000"}, 3,
		func(impl string, backlog float64, noise func(float64) float64) []benchfmt.Value {
			heap := backlog * 64 * implFactor(impl) * noise(0.03)
			return []benchfmt.Value{
				v(heap, "peak-heap-B"), v(8*noise(0.01), "B/op"), v(0.1, "allocs/op"),
				v(0.001*noise(0.05), "gcs/op"), v(7, "peak-goroutines"),
			}
		}},
}

// writeSyntheticResults writes the synthetic fixture to path.
func writeSyntheticResults(t testing.TB, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := benchfmt.NewWriter(f)
	for _, m := range []struct{ unit, key, value string }{
		{"allocs/op", "assume", "exact"},
		{"items/s", "better", "higher"},
		{"cpu-ns/op", "better", "lower"},
		{"p50-ns", "better", "lower"},
		{"p99-ns", "better", "lower"},
		{"p999-ns", "better", "lower"},
		{"peak-heap-B", "better", "lower"},
	} {
		if err := w.Write(&benchfmt.UnitMetadata{
			UnitMetadataKey: benchfmt.UnitMetadataKey{Unit: m.unit, Key: m.key},
			OrigUnit:        m.unit, Value: m.value,
		}); err != nil {
			t.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	noiseFor := func(impl string, noisy bool) func(float64) float64 {
		return func(spread float64) float64 {
			if noisy {
				spread = 0.15
			}
			return 1 + spread*(2*rng.Float64()-1)
		}
	}
	var cfg []benchfmt.Config
	for _, kv := range [][2]string{
		{"goos", "linux"}, {"goarch", "amd64"}, {"cpu", "Synthetic CPU @ 2.00GHz"},
		{"go", "go1.26.8"}, {"gomaxprocs", "2"}, {"commit", "0123456789abcdef"},
		{"dirty", "false"}, {"date", time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC).Format(time.RFC3339)},
		{"harness", "batchbench/0.1"}, {"seed", "42"},
	} {
		cfg = append(cfg, benchfmt.Config{Key: kv[0], Value: []byte(kv[1]), File: true})
	}
	failed := map[string]bool{"Size/impl=pooled/size=100000": true, "Concurrency/impl=ring/producers=16": true}
	for run := 0; run < 10; run++ {
		for _, fam := range synthFamilies {
			if run >= fam.runs {
				continue
			}
			for _, p := range fam.params {
				pv, _ := ParseParam(p)
				for _, impl := range syntheticImpls {
					name := fmt.Sprintf("%s/impl=%s/%s=%s", fam.name, impl, fam.key, p)
					if failed[name] {
						continue
					}
					noisy := name == "Size/impl=pooled/size=1000"
					res := &benchfmt.Result{
						Config: cfg,
						Name:   benchfmt.Name(name + "-2"),
						Iters:  100000,
						Values: fam.values(impl, pv, noiseFor(impl, noisy)),
					}
					if err := w.Write(res); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
	}
	fmt.Fprintf(f, "--- FAIL: BenchmarkSize/impl=pooled/size=100000\n")
	fmt.Fprintf(f, "    harness.go:88: self-check: observed mean batch fill 50000.0, want 100000\n")
	fmt.Fprintf(f, "--- FAIL: BenchmarkConcurrency/impl=ring/producers=16\n")
	fmt.Fprintf(f, "    timeout: cell did not finish within 2m0s\n")
	fmt.Fprintf(f, "FAIL\n")
}

// syntheticFile writes the synthetic fixture into a temporary directory.
func syntheticFile(t testing.TB) string {
	path := filepath.Join(t.TempDir(), "results.txt")
	writeSyntheticResults(t, path)
	return path
}

const nsxbetFixture = "testdata/nsxbet-enqueue-darwin-arm64.txt"
