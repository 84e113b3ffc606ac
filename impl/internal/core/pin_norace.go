//go:build !race

package core

import "unsafe"

func raceAcquire(unsafe.Pointer)      {}
func raceReleaseMerge(unsafe.Pointer) {}
