// Package ring implements a batcher whose producers pay one atomic
// operation per item: each writes its item into storage its processor (P)
// owns and publishes it with one compare-and-swap, and a batch is handed to
// the Processor as the slots it was written into, without a copy.
//
// Each P owns a chunk of slots, taken from a pool of recycled chunks. A
// producer pins itself to its P (as sync.Pool does), writes its item into
// its P's next free slot, with a link to the previous top item unless that
// is the slot before, and swings the batcher's one state word to its slot.
// The word holds the count of items added, the top of the open batch's
// list, whether the open batch lies contiguous in one chunk, and the closed
// flag, so one CAS admits the item (bounded by MaxQueueSize), orders it
// after every earlier item and publishes it. Items therefore keep one
// global order, Add order for any one producer, however the producers move
// between Ps.
//
// The producer whose item completes a batch cuts it in the same CAS and
// leaves it in a slot of cut batches for the consumer; a partial batch
// (the interval has passed, a Join or Close asks for it) is cut by the
// consumer with a CAS of its own. A batch written by one producer lies
// contiguous in one chunk and is processed where it lies; a batch whose
// items interleave several Ps is copied by the consumer, following the
// links. A chunk returns to the pool once all its slots are processed.
//
// The trade-offs: New allocates the chunks a full queue needs, plus one per
// P and per worker, up to 2^20 slots; the state word packs the count into
// 34 bits and the slot into 28, so at most 2^33 items can be pending and the
// queue bound is at most the slots that fit (about 2^27 items); slots keep
// references to processed items until they are overwritten; and a chunk a
// P has begun stays with that P while producers run elsewhere. The
// Processor's slice is the chunk itself: like every implementation's, it
// must not be kept after the Processor returns.
package ring

import (
	"fmt"
	"math"
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/batchbench/batchbench/impl"
	"github.com/batchbench/batchbench/impl/internal/core"
)

// The state word: count of items added (mod 2^countBits) | top slot + 1
// (0: no open batch) | contiguous | closed.
const (
	countBits  = 34
	countMask  = 1<<countBits - 1
	refBits    = 28
	refMask    = 1<<refBits - 1
	contigBit  = 1 << (countBits + refBits)
	closedBit  = 1 << 63
	maxPending = 1 << (countBits - 1)
)

// Batcher is a ring batcher. It implements impl.Batcher.
type Batcher[T any] struct {
	_     [64]byte
	state atomic.Uint64
	_     [56]byte

	exec      *core.Executor[T]
	admission *core.Admission // counts releases and parks producers at the bound
	workers   *core.Workers[T]
	flush     *core.Flush
	size      uint64 // BatchSize
	magic     uint64 // 2^64 / size, for mod
	limit     uint64 // the queue bound
	interval  time.Duration
	yieldAt   uint64 // pending items beyond which a batch's cutter yields

	arenas   []arena[T] // one per P at New
	overflow struct {   // for Ps beyond those, behind a lock
		sync.Mutex
		arena[T]
	}
	chunkLen uint64
	chunks   []atomic.Pointer[chunk[T]] // by id; a slot's ref is id*chunkLen + index
	pool     struct {
		sync.Mutex
		cond  sync.Cond
		free  []*chunk[T]
		count int // chunks made
	}

	cuts    []cut // batches cut by producers, by batch number modulo len
	scratch []T   // the consumer's, to split a copied batch
	parked  atomic.Bool
	wake    chan struct{} // from producers; capacity 1: a pending wake-up is never lost
	pieces  chan *piece[T]
	byBuf   map[*[]T]*piece[T] // read-only after New
	done    chan struct{}      // closed when the consumer and workers have exited
}

// arena is one P's chunk, padded so that Ps never share a cache line.
type arena[T any] struct {
	c     *chunk[T]
	items []T    // c.items, nil without a chunk: the push reads only the arena
	base  uint64 // the ref of c's first slot
	next  uint64 // c's next free slot
	// Add's fast path, set by the last push through the arena: the state
	// word it left, and how many items may follow it without a push's
	// checks.
	last, left uint64
	_          [64]byte
}

type chunk[T any] struct {
	id    uint64
	items []T
	// below links each slot to the item under it in its batch: ref+1 of
	// that item, or 0 when it is the slot before (so a producer alone on
	// its P writes no links) or when the slot is a batch's bottom.
	below []uint32
	dirty bool          // a link was written: below is cleared before the chunk is reused
	done  atomic.Uint64 // slots processed (in place) or copied out
}

// link records that slot k, whose ref is ref, lies on below (ref+1 of the
// item under it, 0 for none). The slot before needs no link; a link an
// earlier push left in k is cleared.
func (c *chunk[T]) link(k, below, ref uint64) {
	if below != ref && below != 0 {
		c.below[k], c.dirty = uint32(below), true
	} else if c.dirty {
		c.below[k] = 0
	}
}

// under is the ref of the item under slot k, whose ref is ref.
func (c *chunk[T]) under(k, ref uint64) uint64 {
	if l := c.below[k]; l != 0 {
		return uint64(l) - 1
	}
	return ref - 1 // the slot before
}

// cut is a batch cut by the producer that completed it, for batch number
// gen (its end divided by BatchSize).
type cut struct {
	top uint64 // the state word's top and contiguous bits at the cut
	gen atomic.Uint64
	_   [48]byte
}

// piece is a batch in flight: the slice the Processor gets, and the chunk
// it lies in when it is processed in place.
type piece[T any] struct {
	items []T
	own   []T // the buffer a copied batch goes into
	chunk *chunk[T]
}

// New returns a started ring Batcher, or an error if cfg is invalid.
func New[T any](cfg impl.Config[T]) (*Batcher[T], error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	size := uint64(cfg.BatchSize)
	chunkLen := size * ((255 + size) / size) // whole batches, at least 256 slots
	ps := runtime.GOMAXPROCS(0)
	slack := uint64(ps+1)*2 + uint64(cfg.Workers())*2 + 4 // chunks begun by Ps, or held by batches in flight
	if slack*chunkLen > refMask/2 {
		return nil, fmt.Errorf("ring: BatchSize %d is too large: ring addresses at most %d slots", size, refMask)
	}
	limit := min(uint64(cfg.QueueLimit()), maxPending, refMask/2-slack*chunkLen)
	maxChunks := (limit+uint64(cfg.Workers()+2)*size)/chunkLen + 1 + slack
	b := &Batcher[T]{
		exec:     core.NewExecutor(cfg),
		flush:    core.NewFlush(),
		size:     size,
		magic:    math.MaxUint64 / size,
		limit:    limit,
		interval: cfg.BatchInterval,
		yieldAt:  max(limit/4, 2*size),
		arenas:   make([]arena[T], ps),
		chunkLen: chunkLen,
		chunks:   make([]atomic.Pointer[chunk[T]], maxChunks),
		cuts:     make([]cut, 1<<bitsFor(limit/size+2)),
		wake:     make(chan struct{}, 1),
		pieces:   make(chan *piece[T], cfg.Workers()+1),
		byBuf:    map[*[]T]*piece[T]{},
		scratch:  make([]T, size),
		done:     make(chan struct{}),
	}
	b.admission = b.exec.Admission
	b.pool.cond.L = &b.pool.Mutex
	b.workers = core.NewWorkers(b.exec, cfg.Workers(), b.recycle)
	// The chunks a full queue holds, one per P and those in flight are made
	// now, not as the consumer falls behind: how far it falls varies from
	// run to run, and so would the allocations a run counts. Up to 2^20
	// slots: beyond that, chunks are made as they are needed.
	for range min(int(limit/chunkLen)+ps+cfg.Workers()+2, len(b.chunks), max(1, 1<<20/int(chunkLen))) {
		b.pool.free = append(b.pool.free, b.newChunk())
	}
	for range cap(b.pieces) {
		p := &piece[T]{}
		b.byBuf[&p.items] = p
		b.pieces <- p
	}
	go b.consume()
	return b, nil
}

func bitsFor(n uint64) int {
	k := 0
	for 1<<k < n {
		k++
	}
	return k
}

// outcome is what a pinned push leaves for the producer to do unpinned.
type outcome int

const (
	added     outcome = iota
	opened            // added as the first item of a batch
	cutBatch          // added as the last item of a batch, and cut it
	needChunk         // the P's chunk is full
	skipChunk         // the P's chunk has no room for a whole batch
	atLimit           // MaxQueueSize items are pending
	closed
	retry // not pushed yet: the goroutine's P has no arena
)

// Add implements impl.Batcher. The goroutine is pinned to its P only for
// the push, which never blocks; at the bound, or for a fresh chunk, it
// waits unpinned. Add never runs the Processor.
func (b *Batcher[T]) Add(item T) error {
	a := b.pinned(core.Pin())
	if a == nil {
		core.Unpin()
		return b.settle(item, retry, 0)
	}
	// The common case: the state word is as this arena's last push left
	// it, so that item was the last one added, and this one goes into the
	// next slot, in the same batch and chunk, within the bound. The word
	// moves up one count and one slot. Its slot holds no link: only a
	// push writes one, and only when the item under is elsewhere.
	if s := b.state.Load(); s == a.last && a.left > 0 {
		a.items[a.next] = item
		if next := s + 1 + 1<<countBits; b.state.CompareAndSwap(s, next) {
			a.last, a.left, a.next = next, a.left-1, a.next+1
			b.unpin(a)
			return nil
		}
	}
	out, pending := b.push(a, item)
	b.unpin(a)
	if out == added {
		return nil
	}
	return b.settle(item, out, pending)
}

// pin pins the calling goroutine to its P and returns the P's arena; for
// a P beyond those at New it unpins again and returns nil.
func (b *Batcher[T]) pin() *arena[T] {
	a := b.pinned(core.Pin())
	if a == nil {
		core.Unpin()
	}
	return a
}

// pinned is P p's arena, for a goroutine pinned to p, or nil for a P
// beyond those at New. Add calls it itself: pin is one call too many to be
// inlined there.
func (b *Batcher[T]) pinned(p int) *arena[T] {
	if p >= len(b.arenas) {
		return nil
	}
	a := &b.arenas[p]
	if core.Race {
		core.PinnedAcquire(unsafe.Pointer(a))
	}
	return a
}

// unpin ends the pinned section pin began with a.
func (b *Batcher[T]) unpin(a *arena[T]) {
	if core.Race {
		core.PinnedRelease(unsafe.Pointer(a))
	}
	core.Unpin()
}

// settle does, unpinned, what a push left to do, pushing again until the
// item is added or refused.
func (b *Batcher[T]) settle(item T, out outcome, pending uint64) error {
	for {
		switch out {
		case added:
			return nil
		case opened:
			if b.parked.Load() {
				b.poke() // the consumer sleeps until a batch opens: its timer starts now
			}
			return nil
		case cutBatch:
			b.poke()
			// Yield when the consumer lags far, so that producers
			// outnumbering the processors cannot run the queue full while
			// the consumer waits for a turn.
			if pending > b.yieldAt {
				runtime.Gosched()
			}
			return nil
		case needChunk, skipChunk:
			if err := b.refill(out == skipChunk); err != nil {
				return err
			}
		case atLimit:
			b.admission.AwaitReleased(pending)
		case closed:
			return impl.ErrClosed
		}
		if a := b.pin(); a != nil {
			out, pending = b.push(a, item)
			b.unpin(a)
		} else {
			b.overflow.Lock()
			out, pending = b.push(&b.overflow.arena, item)
			b.overflow.Unlock()
		}
	}
}

// push adds item through arena a, which the caller owns (pinned to its P,
// or holding the overflow lock). It never blocks.
func (b *Batcher[T]) push(a *arena[T], item T) (outcome, uint64) {
	k := a.next
	if k >= uint64(len(a.items)) {
		return needChunk, 0
	}
	a.items[k] = item // not yet published: a failed push leaves it to be overwritten
	ref := a.base + k
	c := a.c
	for {
		// Releases first: they never pass the count read after them. They
		// may lag it, and the bound then errs on the safe side.
		released := b.admission.Released()
		s := b.state.Load()
		if s&closedBit != 0 {
			return closed, 0
		}
		pending := (s - released) & countMask
		if pending >= b.limit {
			return atLimit, released + pending - b.limit + 1 // the releases to wait for
		}
		below := s >> countBits & refMask
		c.link(k, below, ref)
		count := (s + 1) & countMask
		n := released + pending + 1 // the items added with this one
		r := b.mod(n)
		if below == 0 && k > 0 && r != 0 && b.chunkLen-k < b.size-r+1 {
			// This item opens a batch that would not fit in the rest of
			// the chunk: leave the rest, so the batch lies in one chunk.
			return skipChunk, 0
		}
		if r == 0 {
			// The batch is complete: cut it in this CAS, and leave it for
			// the consumer. The slot is free: the bound keeps the batch
			// that used it len(cuts) batches ago consumed.
			top := ref + 1
			if below == 0 || s&contigBit != 0 && k > 0 && below == ref {
				top |= contigBit >> countBits
			}
			if b.state.CompareAndSwap(s, count) {
				a.next, a.left = a.next+1, 0
				ct := &b.cuts[(n/b.size)&uint64(len(b.cuts)-1)]
				ct.top = top
				ct.gen.Store(n / b.size)
				return cutBatch, pending + 1
			}
			continue
		}
		next := count | (ref+1)<<countBits
		if below == 0 || s&contigBit != 0 && k > 0 && below == ref {
			next |= contigBit
		}
		if b.state.CompareAndSwap(s, next) {
			a.next++
			// Add's fast path may follow while the items stay short of
			// the batch's end, the bound (by the releases read here), the
			// chunk's end, and a wrap of the state word's count. Each of
			// these is above n.
			a.last = next
			a.left = min(n-r+b.size, released+b.limit+1, n+b.chunkLen-k, (n|countMask)+1) - n - 1
			if below == 0 {
				return opened, pending + 1
			}
			return added, pending + 1
		}
	}
}

// refill gives the calling goroutine's P, or the overflow arena, a fresh
// chunk, waiting while all chunks are in use. With skip, a chunk that still
// has free slots is replaced too, those slots counted as done.
func (b *Batcher[T]) refill(skip bool) error {
	c, err := b.take()
	if err != nil {
		return err
	}
	var left *chunk[T]
	var unused uint64
	if a := b.pin(); a != nil {
		c, left, unused = b.install(a, c, skip)
		b.unpin(a)
	} else {
		b.overflow.Lock()
		c, left, unused = b.install(&b.overflow.arena, c, skip)
		b.overflow.Unlock()
	}
	if c != nil { // the goroutine moved, or another filled its P first
		b.give(c)
	}
	if left != nil {
		b.finished(left, unused) // never published: nobody else counts them
	}
	return nil
}

// install makes c a's chunk if a needs one, and returns c otherwise. A
// chunk it leaves with unused slots is returned too, for the caller to
// count them as done once unpinned: that may take the pool's lock.
func (b *Batcher[T]) install(a *arena[T], c *chunk[T], skip bool) (spare, left *chunk[T], unused uint64) {
	switch {
	case a.c == nil:
	case a.next == b.chunkLen:
	case skip && a.next > 0:
		left, unused = a.c, b.chunkLen-a.next
	default:
		return c, nil, 0
	}
	a.c, a.items, a.base, a.next, a.left = c, c.items, c.id*b.chunkLen, 0, 0
	return nil, left, unused
}

// mod is n % BatchSize by multiplication: a division per item costs more
// than the rest of the push.
func (b *Batcher[T]) mod(n uint64) uint64 {
	q, _ := bits.Mul64(n, b.magic)
	r := n - q*b.size
	for r >= b.size {
		r -= b.size
	}
	return r
}

// take returns a free chunk, making one while fewer than len(chunks) exist.
func (b *Batcher[T]) take() (*chunk[T], error) {
	b.pool.Lock()
	defer b.pool.Unlock()
	for {
		if b.state.Load()&closedBit != 0 {
			return nil, impl.ErrClosed
		}
		if n := len(b.pool.free); n > 0 {
			c := b.pool.free[n-1]
			b.pool.free = b.pool.free[:n-1]
			return c, nil
		}
		if b.pool.count < len(b.chunks) {
			return b.newChunk(), nil
		}
		b.pool.cond.Wait()
	}
}

// newChunk makes the next chunk. b.pool must be locked, or not yet shared.
func (b *Batcher[T]) newChunk() *chunk[T] {
	c := &chunk[T]{id: uint64(b.pool.count), items: make([]T, b.chunkLen), below: make([]uint32, b.chunkLen)}
	b.chunks[c.id].Store(c)
	b.pool.count++
	return c
}

// give returns c to the pool.
func (b *Batcher[T]) give(c *chunk[T]) {
	b.pool.Lock()
	b.pool.free = append(b.pool.free, c)
	b.pool.Unlock()
	b.pool.cond.Signal()
}

// finished counts n of c's slots as done, returning c to the pool once
// all of them are.
func (b *Batcher[T]) finished(c *chunk[T], n uint64) {
	if n > 0 && c.done.Add(n) == b.chunkLen {
		c.done.Store(0)
		if c.dirty {
			clear(c.below)
			c.dirty = false
		}
		b.give(c)
	}
}

func (b *Batcher[T]) poke() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

func (b *Batcher[T]) consume() {
	defer close(b.done)
	defer b.workers.Stop()

	var at uint64 // the next position to dispatch
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	armed, expired := false, false
	// empty is a moment before the open batch's first item arrived: its
	// interval counts from there even when the consumer learns of the item
	// late, after a long Processor call.
	empty := time.Now()
	for {
		end := (at/b.size + 1) * b.size // where a producer would cut
		s := b.state.Load()
		added := at + (s-at)&countMask
		top := s >> countBits & refMask
		isClosed := s&closedBit != 0
		switch {
		case added >= end:
			ct := &b.cuts[(end/b.size)&uint64(len(b.cuts)-1)]
			for ct.gen.Load() != end/b.size {
				runtime.Gosched() // its producer is between its CAS and the note
			}
			empty = time.Now() // before the Processor runs: the next item may arrive meanwhile
			b.dispatch(ct.top, at, end)
			at = end
		case top != 0 && (expired || isClosed || at < b.flush.Mark()):
			if !b.state.CompareAndSwap(s, s&^(refMask<<countBits|contigBit)) {
				continue
			}
			empty = time.Now()
			b.dispatch(s>>countBits&(refMask|contigBit>>countBits), at, added)
			at = added
		case isClosed && top == 0:
			return
		case top != 0:
			// Wait for the batch to complete (its cutter wakes us), its
			// interval to pass, or a Join or Close.
			if !armed {
				timer.Reset(b.interval - time.Since(empty))
				armed = true
			}
			select {
			case <-b.wake:
			case <-b.flush.Wake():
			case <-timer.C:
				expired = true
			}
			continue
		default:
			// Empty: park until a batch opens, whose first producer wakes
			// us if it sees parked. Look once more after publishing it: a
			// producer that opened one before did not.
			b.parked.Store(true)
			if b.state.Load() == s {
				select {
				case <-b.wake:
					empty = time.Now() // the producer that woke us opened its batch just now
				case <-b.flush.Wake():
				}
			}
			b.parked.Store(false)
			continue
		}
		timer.Stop()
		armed, expired = false, false
	}
}

// dispatch hands the batch [from, to), whose top slot and contiguous bit
// are in top, to the workers, split at a pending Join's mark so that a
// Join's batch holds no later item.
func (b *Batcher[T]) dispatch(top, from, to uint64) {
	ref := top&refMask - 1
	c := b.chunks[ref/b.chunkLen].Load()
	if top&(contigBit>>countBits) != 0 {
		last := ref%b.chunkLen + 1
		first := last - (to - from)
		b.split(from, to, func(i, j uint64) {
			p := <-b.pieces
			p.items, p.chunk = c.items[first+i-from:first+j-from:first+j-from], c
			b.workers.Run(&p.items)
		})
		return
	}
	// Interleaved: follow the links from the top down, copying into the
	// piece's own buffer (or, to split it at a mark, a scratch one).
	p := <-b.pieces
	if uint64(cap(p.own)) < b.size {
		p.own = make([]T, b.size)
	}
	m := b.flush.Mark()
	buf := p.own[:to-from]
	if from < m && m < to {
		buf = b.scratch[:to-from]
	}
	var run uint64 // slots of c copied, counted as done together
	for i := len(buf); i > 0; i-- {
		k := ref % b.chunkLen
		if d := b.chunks[ref/b.chunkLen].Load(); d != c {
			b.finished(c, run)
			c, run = d, 0
		}
		buf[i-1] = c.items[k]
		run++
		ref = c.under(k, ref)
	}
	b.finished(c, run)
	if !(from < m && m < to) {
		p.items = buf
		b.workers.Run(&p.items)
		return
	}
	b.pieces <- p
	for _, r := range [][2]uint64{{from, m}, {m, to}} {
		q := <-b.pieces
		if uint64(cap(q.own)) < b.size {
			q.own = make([]T, b.size)
		}
		q.items = append(q.own[:0], buf[r[0]-from:r[1]-from]...)
		b.workers.Run(&q.items)
	}
}

// split calls run on [from, to), in two pieces if a Join's mark lies inside.
func (b *Batcher[T]) split(from, to uint64, run func(i, j uint64)) {
	if m := b.flush.Mark(); from < m && m < to {
		run(from, m)
		from = m
	}
	run(from, to)
}

// recycle takes back a piece once its batch is processed.
func (b *Batcher[T]) recycle(v *[]T) {
	p := b.byBuf[v]
	if p.chunk != nil {
		b.finished(p.chunk, uint64(len(p.items)))
		p.chunk = nil
	}
	p.items = nil
	b.pieces <- p
}

// added is the number of items added, in full.
func (b *Batcher[T]) added() (uint64, bool) {
	r := b.admission.Released() // first: the count only grows, so it stays ahead
	s := b.state.Load()
	return r + (s-r)&countMask, s&closedBit != 0
}

// Len implements impl.Batcher.
func (b *Batcher[T]) Len() int {
	return int(b.admission.PendingOf(&b.state, func(s, r uint64) uint64 { return (s - r) & countMask }))
}

// Stats implements impl.Batcher.
func (b *Batcher[T]) Stats() impl.Stats {
	s := b.exec.Stats()
	s.Added, _ = b.added()
	return s
}

// Join implements impl.Batcher.
func (b *Batcher[T]) Join(timeout time.Duration) error {
	n, isClosed := b.added()
	if isClosed {
		return nil
	}
	b.flush.Request(n)
	return b.exec.Progress.Wait(n, timeout)
}

// Close implements impl.Batcher.
func (b *Batcher[T]) Close() error {
	if b.state.Or(closedBit)&closedBit == 0 {
		b.admission.Close() // wakes the producers waiting for room
		b.pool.Lock()
		b.pool.cond.Broadcast() // and those waiting for a chunk
		b.pool.Unlock()
		b.flush.Request(math.MaxUint64)
	}
	<-b.done
	return nil
}
