//go:build !race

package core

import "unsafe"

// Race reports whether the race detector is on.
const Race = false

func raceAcquire(unsafe.Pointer)      {}
func raceReleaseMerge(unsafe.Pointer) {}
