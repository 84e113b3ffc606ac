//go:build race

package core

import (
	"runtime"
	"unsafe"
)

// Race reports whether the race detector is on.
const Race = true

func raceAcquire(p unsafe.Pointer)      { runtime.RaceAcquire(p) }
func raceReleaseMerge(p unsafe.Pointer) { runtime.RaceReleaseMerge(p) }
