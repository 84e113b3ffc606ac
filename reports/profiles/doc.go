// Package profiles summarises the CPU and allocation profiles the harness
// takes of each cell, with pprof's own profile package: each profile's
// shares by category (the implementation's own code, the channels and
// pipelines it is built on, scheduling, GC) and its top functions
// (Summary), and, between two columns at one place, which functions'
// shares moved (Diff). Load places a run's profiles where the tables put
// their cells.
//
// It exports a summary's and a diff's parts (about eighteen names)
// because the report's templates render them field by field.
package profiles
