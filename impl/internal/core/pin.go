package core

import (
	"unsafe"
	_ "unsafe" // for go:linkname
)

// Pin pins the calling goroutine to its P (the scheduler's processor) and
// returns the P's id, in [0, GOMAXPROCS). Until Unpin the goroutine is not
// preempted or moved, so data kept per P is the caller's alone, as
// sync.Pool's per-P caches are. The pinned section must be short and must
// not block, allocate much or call anything that may park.
//
// It is the runtime's own procPin, which the runtime keeps linkable for
// the packages that rely on it (go.dev/issue/67401).
//
//go:linkname Pin runtime.procPin
func Pin() int

// Unpin ends the section Pin began.
//
//go:linkname Unpin runtime.procUnpin
func Unpin()

// PinnedAcquire and PinnedRelease tell the race detector what Pin
// guarantees: successive pinned sections on one P are ordered. Call
// PinnedAcquire(p) after Pin and PinnedRelease(p) before Unpin, with p the
// address of the per-P data. Without -race they do nothing; guard the
// calls with Race on a hot path in generic code, which another package
// compiles without inlining calls into this one.
func PinnedAcquire(p unsafe.Pointer) { raceAcquire(p) }

// PinnedRelease: see PinnedAcquire.
func PinnedRelease(p unsafe.Pointer) { raceReleaseMerge(p) }
