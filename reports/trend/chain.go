package trend

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/batchbench/batchbench/internal/gitrepo"
	"github.com/batchbench/batchbench/internal/history"
)

// A Link is one paired entry in the chain of pairs, with the base it
// joins the chain by. The chain is whole when every entry's base is the
// previous entry's head: then the product of the ratios, the level,
// holds every change since the first base. The CI pairs each push with
// the last recorded commit, so a push whose run was cancelled leaves a
// span, not a gap.
type Link struct {
	Entry        int    // index into the entries
	Commit, Base string // the entry's head and base, as recorded
	// Previous is the head of the paired entry before; "" for the first.
	Previous string
	// Commits is what the pair measures together, newest first (see
	// Entry.Commits); nil when unknown.
	Commits []string
}

// Gap reports whether the link's base is not the previous entry's head:
// the changes between the two are in no ratio, and the level starts again.
func (l Link) Gap() bool { return l.Previous != "" && l.Base != l.Previous }

// Span reports whether the pair measures several commits together: a
// change it shows belongs to one of them, not necessarily its head.
func (l Link) Span() bool { return len(l.Commits) > 1 }

// String describes the link in a sentence, e.g. "000000000004 is measured
// against 000000000002: a span of 2 commits (000000000004, 000000000003)".
func (l Link) String() string {
	s := fmt.Sprintf("%s is measured against %s", history.Short(l.Commit), history.Short(l.Base))
	switch {
	case l.Gap():
		s += fmt.Sprintf(", not against %s, the previous entry's head: a gap; the changes from %s to %s are in no ratio, and the levels start again at %s",
			history.Short(l.Previous), history.Short(l.Previous), history.Short(l.Base), history.Short(l.Base))
	case l.Span():
		s += fmt.Sprintf(": a span of %d commits (%s); a change it shows belongs to one of them", len(l.Commits), listShort(l.Commits, 5))
	}
	return s
}

// listShort lists up to max commits, shortened, and how many more.
func listShort(commits []string, max int) string {
	var parts []string
	for i, c := range commits {
		if i == max {
			parts = append(parts, fmt.Sprintf("and %d more", len(commits)-max))
			break
		}
		parts = append(parts, history.Short(c))
	}
	return strings.Join(parts, ", ")
}

// chain links the paired entries in the entries' order.
func chain(entries []history.Entry) []Link {
	var out []Link
	previous := ""
	for i, e := range entries {
		if !e.Paired() {
			continue
		}
		out = append(out, Link{Entry: i, Commit: e.Commit, Base: e.Base, Previous: previous, Commits: e.Commits})
		previous = e.Commit
	}
	return out
}

// between lists what a pair measures with o.Commits, nil when it cannot.
func (o Options) between(base, head string) []string {
	if o.Commits == nil {
		return nil
	}
	commits, err := o.Commits(base, head)
	if err != nil || len(commits) == 0 {
		return nil
	}
	return commits
}

var hash = regexp.MustCompile(`^[0-9a-f]{4,64}$`)

// GitCommits returns an Options.Commits that asks git, in the repository
// holding dir (a history kept in a worktree of the bench-history branch
// finds the measured commits there), for the commits head has and base
// has not: git rev-list base..head. It fails when either is not a commit
// that repository holds.
func GitCommits(dir string) func(base, head string) ([]string, error) {
	return func(base, head string) ([]string, error) {
		if !hash.MatchString(base) || !hash.MatchString(head) {
			return nil, fmt.Errorf("%q..%q is not a range of commit hashes", base, head)
		}
		out, err := gitrepo.Git(context.Background(), dir, "rev-list", base+".."+head)
		if err != nil {
			return nil, err
		}
		return strings.Fields(out), nil
	}
}

// writeChain writes trend.md's section on the chain: every paired entry
// with its base, what it measures, and how it joins the entry before.
func writeChain(b *strings.Builder, tr *Trend) {
	if len(tr.Chain) == 0 {
		return
	}
	spans, gaps, unknown := 0, 0, 0
	gapAt := map[int]bool{}
	for _, l := range tr.Chain {
		switch {
		case l.Gap():
			gaps++
			gapAt[l.Entry] = true
		case l.Span():
			spans++
		}
		if l.Commits == nil {
			unknown++
		}
	}
	b.WriteString("## Chain of paired entries\n\n")
	fmt.Fprintf(b, "Each entry's ratio is head/base; a level multiplies them along the chain, in which each base is the previous entry's head. "+
		"%d entries, %d spans (a base several commits back: the pair measures them together), %d gaps (a base that is not the previous head: "+
		"what changed in between is in no ratio, and the levels start again from it).", len(tr.Chain), spans, gaps)
	if unknown > 0 {
		fmt.Fprintf(b, " For %d entries the commits between base and head are unknown: the repository that holds the history does not have them.", unknown)
	}
	b.WriteString("\n\n| commit | date | base | measures | link |\n|---|---|---|---|---|\n")
	for _, l := range tr.Chain {
		measures := "unknown"
		if n := len(l.Commits); n == 1 {
			measures = "1 commit"
		} else if n > 1 {
			measures = fmt.Sprintf("%d commits: `%s`", n, strings.ReplaceAll(listShort(l.Commits, 5), ", ", "`, `"))
		}
		link := "first"
		switch {
		case l.Gap():
			link = fmt.Sprintf("**gap**: the previous head is `%s`", history.Short(l.Previous))
		case l.Span():
			link = fmt.Sprintf("**span**, follows `%s`", history.Short(l.Previous))
		case l.Previous != "":
			link = fmt.Sprintf("follows `%s`", history.Short(l.Previous))
		}
		fmt.Fprintf(b, "| `%s` | %s | `%s` | %s | %s |\n", history.Short(l.Commit), tr.Entries[l.Entry].Date, history.Short(l.Base), measures, link)
	}
	b.WriteString("\n")
	// A cell missing from an entry breaks its own chain where the
	// entries' does not.
	missing := 0
	for _, s := range tr.Series {
		for _, p := range s.Points {
			if p.Gap && !gapAt[p.Entry] {
				missing++
				break
			}
		}
	}
	if missing > 0 {
		fmt.Fprintf(b, "%d paired series miss an entry of the chain (a cell not measured in it): their levels start again after it.\n\n", missing)
	}
}
