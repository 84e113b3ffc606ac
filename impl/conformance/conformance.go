// Package conformance names the clauses of the batcher contract that the
// conformance suite (package impltest) checks, and records what holds of
// each implementation: a Matrix of clauses by implementations, each cell
// holds, fails (with why, and the first failure's message when observed) or
// does not apply.
//
// An implementation that breaks clauses declares them (Known) beside its
// code; the suite checks the declaration, and the harness writes the
// declared Matrix of a run into its directory (File) for the reports. The
// package has no dependencies beyond the standard library, so every part of
// batchbench, and a user's own module, can read and write the Matrix.
package conformance

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
)

// A Clause is one check of the suite.
type Clause struct {
	Name     string `json:"name"`     // the suite's subtest name, e.g. "CloseRacesAdd"
	Semantic string `json:"semantic"` // the numbered semantic of the contract it checks
}

// The numbered semantics of the contract (package impl's history), which
// the clauses check.
const (
	batches     = "1. Batches: exactly once, 1..BatchSize items, Add order"
	timer       = "2. Timer: from the first item, never idle"
	join        = "3. Join waits on an event and honours its timeout"
	closing     = "4. Close processes everything accepted; Add after it fails cleanly"
	failure     = "5. Processor failure"
	concurrency = "6. Concurrency"
	backpress   = "7. Backpressure"
	badConfig   = "8. Bad config"
	goroutines  = "9. Goroutines: none left after Close, no spinning"
	counting    = "10. Counting: Len, Stats, OnError before Processed"
	edges       = "11. Join and Close edges"
	exactBound  = "12. Exact bound"
	underLoad   = "1, 4, 6 and 7 together, under load"
)

// Clauses lists every clause of the suite, in the suite's order, under the
// semantic of the contract each one checks.
var Clauses = []Clause{
	{"Batches", batches}, {"Order", batches},
	{"Timer", timer}, {"TimerStartsAtFirstItem", timer}, {"TimerWhileBusy", timer}, {"IdleNeverProcesses", timer},
	{"JoinNoCPU", join}, {"Join", join},
	{"Close", closing}, {"CloseConcurrent", closing}, {"CloseRacesAdd", closing},
	{"ProcessorError", failure}, {"ProcessorPanic", failure},
	{"Concurrency", concurrency},
	{"Backpressure", backpress}, {"DefaultBound", backpress},
	{"BadConfig", badConfig},
	{"Goroutines", goroutines}, {"IdleNoCPU", goroutines},
	{"Counting", counting}, {"OnErrorBeforeJoin", counting},
	{"JoinIgnoresLaterAdds", edges}, {"JoinAfterClose", edges}, {"AddBlockedAtClose", edges},
	{"ExactBound", exactBound},
	{"Stress", underLoad},
}

// Lookup returns the clause called name.
func Lookup(name string) (Clause, bool) {
	i := slices.IndexFunc(Clauses, func(c Clause) bool { return c.Name == name })
	if i < 0 {
		return Clause{}, false
	}
	return Clauses[i], true
}

// A Verdict is what holds of one clause for one implementation.
type Verdict string

// Verdicts. Inconclusive is only ever observed, never declared: the clause
// skipped itself (a machine too slow or too busy to judge it).
const (
	Holds        Verdict = "holds"
	Fails        Verdict = "fails"
	DoesNotApply Verdict = "does not apply" // declared: the suite does not run it
	Inconclusive Verdict = "inconclusive"
)

// An Exception is a clause that does not hold.
type Exception struct {
	Verdict Verdict `json:"verdict"` // Fails or DoesNotApply (Inconclusive when observed)
	// Why says, in a sentence, what the implementation does instead and
	// why: for a declaration, written beside the implementation.
	Why string `json:"why,omitempty"`
	// Message is the clause's first failure as the suite reported it,
	// when observed.
	Message string `json:"message,omitempty"`
}

// Known maps the clauses that do not hold of an implementation to their
// exceptions; every clause not in it holds. The zero value declares that
// every clause holds.
type Known map[string]Exception

// Verdict is what k declares of the clause called name.
func (k Known) Verdict(name string) Verdict {
	if e, ok := k[name]; ok {
		return e.Verdict
	}
	return Holds
}

// Validate returns an error naming every exception of k that is not a
// clause, declares neither Fails nor DoesNotApply, or gives no reason.
func (k Known) Validate() error {
	var problems []string
	for _, name := range sortedKeys(k) {
		e := k[name]
		switch {
		case !isClause(name):
			problems = append(problems, fmt.Sprintf("%q is not a clause", name))
		case e.Verdict != Fails && e.Verdict != DoesNotApply:
			problems = append(problems, fmt.Sprintf("%s: verdict %q; declare %q or %q", name, e.Verdict, Fails, DoesNotApply))
		case strings.TrimSpace(e.Why) == "":
			problems = append(problems, fmt.Sprintf("%s: no reason given", name))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("conformance: bad declaration: %s", strings.Join(problems, "; "))
	}
	return nil
}

func isClause(name string) bool { _, ok := Lookup(name); return ok }

// A Column is one implementation's column of the Matrix.
type Column struct {
	Impl string `json:"impl"`
	// Module is the third-party module and version a peer's adapter
	// wraps, e.g. "github.com/cheggaaa/mb/v3 v3.0.2"; "" for an
	// implementation written for batchbench.
	Module string `json:"module,omitempty"`
	Known  Known  `json:"known,omitempty"`
}

// A Skipped cell is one the harness did not run, and why.
type Skipped struct {
	Cell   string `json:"cell"` // e.g. "Size/impl=mb/size=10"
	Reason string `json:"reason"`
}

// File is the Matrix's name in a run directory, beside results.txt.
const File = "conformance.json"

// Matrix is the clauses by implementations, and the scenario cells the
// run left out.
type Matrix struct {
	Clauses []Clause  `json:"clauses"`
	Columns []Column  `json:"columns"`
	Skipped []Skipped `json:"skipped,omitempty"`
}

// New returns the Matrix of the columns over every clause.
func New(columns ...Column) *Matrix {
	return &Matrix{Clauses: slices.Clone(Clauses), Columns: columns}
}

// Write writes m as indented JSON.
func (m *Matrix) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(m)
}

// Read reads a Matrix written by Write, and checks it: every exception
// names one of its clauses and has a verdict.
func Read(r io.Reader) (*Matrix, error) {
	var m Matrix
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("conformance matrix: %w", err)
	}
	names := map[string]bool{}
	for _, c := range m.Clauses {
		names[c.Name] = true
	}
	for _, col := range m.Columns {
		for _, name := range sortedKeys(col.Known) {
			if !names[name] {
				return nil, fmt.Errorf("conformance matrix: column %s: %q is not one of its clauses", col.Impl, name)
			}
			if col.Known[name].Verdict == "" {
				return nil, fmt.Errorf("conformance matrix: column %s: %s has no verdict", col.Impl, name)
			}
		}
	}
	return &m, nil
}

// Holding counts the clauses that hold in col.
func (m *Matrix) Holding(col Column) int {
	n := 0
	for _, c := range m.Clauses {
		if col.Known.Verdict(c.Name) == Holds {
			n++
		}
	}
	return n
}

func sortedKeys(k Known) []string {
	keys := make([]string, 0, len(k))
	for name := range k {
		keys = append(keys, name)
	}
	sort.Strings(keys)
	return keys
}
