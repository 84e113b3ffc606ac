package impltest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/batchbench/batchbench/impl"
	"github.com/batchbench/batchbench/impl/registry"
)

// testStress: 8 producers and 4 processor workers, with Close racing the
// Adds and a Join loop racing both, round after round over varied sizes and
// bounds. Every Add that returned nil is processed exactly once, nothing
// else is, no batch is empty or too big, and at most 4 calls overlap.
//
// -stress.long runs many more and larger rounds; -short runs a few;
// -stress.seed replays the rounds of a logged seed.
func testStress(t *T, newBatcher registry.Factory) {
	const producers, workers = 8, 4
	rounds, perProducer := 12, 2000
	switch {
	case *longStress:
		rounds, perProducer = 100, 10000
	case testing.Short():
		rounds = 3
	}
	seed := *stressSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d, %d rounds of %d producers x %d items", seed, rounds, producers, perProducer)
	rng := rand.New(rand.NewPCG(seed, 0))
	sizes := []int{1, 3, 16, 100}

	for round := range rounds {
		size := sizes[rng.IntN(len(sizes))]
		cfg := impl.Config[Item]{
			BatchSize:     size,
			BatchInterval: time.Duration(50+rng.IntN(1000)) * time.Microsecond,
			Concurrency:   workers,
			MaxQueueSize:  []int{0, size, 4 * size, 1000}[rng.IntN(4)],
		}
		// Close once a random share of the items is in, sometimes never
		// before the producers are done.
		closeAt := rng.Int64N(int64(producers * perProducer * 5 / 4))
		ok := t.Run(fmt.Sprintf("round=%d", round), func(t *T) {
			t.Logf("seed %d: BatchSize %d, MaxQueueSize %d, interval %v, Close after %d Adds",
				seed, size, cfg.MaxQueueSize, cfg.BatchInterval, closeAt)
			stressRound(t, newBatcher, cfg, producers, perProducer, closeAt)
		})
		if !ok {
			t.Fatalf("stopping after a failed round; replay it with -stress.seed=%d", seed)
		}
	}
}

func stressRound(t *T, newBatcher registry.Factory, cfg impl.Config[Item], producers, perProducer int, closeAt int64) {
	t.Helper()
	// Counts per id: a slice of atomics keeps the processor cheap.
	counts := make([]atomic.Int32, producers*perProducer)
	var inside, peak, bad atomic.Int32
	cfg.Processor = func(batch []Item) error {
		cur := inside.Add(1)
		defer inside.Add(-1)
		raise(&peak, cur)
		if len(batch) == 0 || len(batch) > cfg.BatchSize {
			bad.Add(1)
		}
		for _, id := range batch {
			counts[id].Add(1)
		}
		return nil
	}
	b, err := newBatcher(cfg)
	if err != nil {
		t.Fatal(err)
	}

	stopJoins := make(chan struct{})
	stop := sync.OnceFunc(func() { close(stopJoins) })
	defer stop() // a failed round must not leave Joins running into later tests
	joins := make(chan error, 1)
	go func() { joins <- joinLoop(b, stopJoins) }()
	accepted := raceClose(t, b, producers, perProducer, func(n int64) bool { return n >= closeAt }, 0)
	stop()
	if err := receive(t, joins, "the Join loop"); err != nil {
		t.Error(err)
	}

	got := make(map[Item]int)
	for id := range counts {
		if n := counts[id].Load(); n != 0 {
			got[Item(id)] = int(n)
		}
	}
	checkCounts(t, got, accepted)
	if n := bad.Load(); n != 0 {
		t.Errorf("%d batches were empty or larger than BatchSize %d", n, cfg.BatchSize)
	}
	if p := peak.Load(); p > int32(cfg.Concurrency) {
		t.Errorf("%d processor calls overlapped, Concurrency is %d", p, cfg.Concurrency)
	}
	if s := b.Stats(); s.Added != uint64(len(accepted)) || s.Processed != s.Added || s.Failed != 0 {
		t.Errorf("Stats after Close = %+v, want Added = Processed = %d accepted, Failed 0", s, len(accepted))
	}
	if n := b.Len(); n != 0 {
		t.Errorf("Len after Close = %d, want 0", n)
	}
}

// joinLoop calls Join until stop closes; Join may time out under load or
// return nil, nothing else.
func joinLoop(b batcher, stop <-chan struct{}) error {
	for {
		select {
		case <-stop:
			return nil
		default:
		}
		if err := b.Join(50 * time.Millisecond); err != nil && !errors.Is(err, impl.ErrTimeout) {
			return fmt.Errorf("Join racing Adds and Close = %v, want nil or ErrTimeout", err)
		}
		time.Sleep(time.Millisecond) // Joins are rarer than Adds; after Close, Join returns at once
	}
}
