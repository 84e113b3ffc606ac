// Package table is benchstat's model, composed in-process: it reads
// benchmark files (Load, streamed, so memory grows with the cells and not
// the runs), groups their results into tables exactly as benchstat does,
// configuration lines included (Build, with benchproc's projections), and
// summarises and compares every cell with benchmath, with benchstat's
// warnings and geomeans.
//
// It exports more names than one concept would need (about twenty)
// because it is the model every report package reads: the results as
// read (Results, Input, Configuration, ConfigLine, Failure), the tables
// as built (Tables, Table, Row, Cell, Geomean, Param), how to build them
// (Config), and where a non-result belongs in them (Locator, Place).
package table
