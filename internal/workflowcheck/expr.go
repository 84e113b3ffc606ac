package workflowcheck

import (
	"regexp"
	"strings"

	"github.com/rhysd/actionlint"
)

// An expr is one ${{ }} of a string: its text and the context paths it
// reads, e.g. "github.event.pull_request.head.sha".
type expr struct {
	text  string
	paths []string
}

// expressions parses each ${{ }} in s with actionlint's expression
// parser. One it cannot parse ends the scan: actionlint reports it.
func expressions(s string) []expr {
	var out []expr
	for {
		i := strings.Index(s, "${{")
		if i < 0 {
			return out
		}
		s = s[i+3:]
		l := actionlint.NewExprLexer(s)
		node, err := actionlint.NewExprParser().Parse(l)
		if err != nil || l.Offset() == 0 {
			return out
		}
		e := expr{text: "${{" + s[:l.Offset()]}
		actionlint.VisitExprNode(node, func(n, parent actionlint.ExprNode, entering bool) {
			if p, ok := path(n); ok && entering && !derefs(parent, n) {
				e.paths = append(e.paths, p)
			}
		})
		out = append(out, e)
		s = s[l.Offset():]
	}
}

// path is the context path n reads: github.event.issue.title for
// github.event.issue.title or github['event'].issue['title'],
// github.event.commits.*.message for github.event.commits[0].message.
func path(n actionlint.ExprNode) (string, bool) {
	switch n := n.(type) {
	case *actionlint.VariableNode:
		return strings.ToLower(n.Name), true
	case *actionlint.ObjectDerefNode:
		p, ok := path(n.Receiver)
		return p + "." + strings.ToLower(n.Property), ok
	case *actionlint.IndexAccessNode:
		p, ok := path(n.Operand)
		if s, lit := n.Index.(*actionlint.StringNode); lit {
			return p + "." + strings.ToLower(s.Value), ok
		}
		return p + ".*", ok
	case *actionlint.ArrayDerefNode:
		p, ok := path(n.Receiver)
		return p + ".*", ok
	}
	return "", false
}

// derefs reports whether parent reads a property or element of n, so
// that only the longest path of a chain is kept.
func derefs(parent, n actionlint.ExprNode) bool {
	switch p := parent.(type) {
	case *actionlint.ObjectDerefNode:
		return p.Receiver == n
	case *actionlint.IndexAccessNode:
		return p.Operand == n
	case *actionlint.ArrayDerefNode:
		return p.Receiver == n
	}
	return false
}

// isPayload reports whether a path reads the event payload, which the
// event's author writes in part: titles, bodies, branch names, commit
// messages, head refs.
func isPayload(p string) bool {
	return p == "github.event" || strings.HasPrefix(p, "github.event.") || p == "github.head_ref"
}

// pullRequestPaths are the payload's pointers at the pull request's code:
// its head (commit, branch, repository), its merge commit, and, for
// workflow_run, the head of the run it follows.
var pullRequestPaths = []string{
	"github.head_ref",
	"github.event.pull_request.head",
	"github.event.pull_request.merge_commit_sha",
	"github.event.workflow_run.head_sha",
	"github.event.workflow_run.head_branch",
	"github.event.workflow_run.head_commit",
	"github.event.workflow_run.head_repository",
	"github.event.workflow_run.pull_requests",
}

// pullRef matches a ref of a pull request: refs/pull/N/head or merge, or
// a fetch's pull/N/head.
var pullRef = regexp.MustCompile(`(^|[\s:/'"])(refs/)?pull/[^\s]*/(head|merge)\b|refs/pull/`)

// readsPullRequest reports whether s interpolates a pointer at the pull
// request's code.
func readsPullRequest(s string) bool {
	for _, e := range expressions(s) {
		for _, p := range e.paths {
			for _, pr := range pullRequestPaths {
				if p == pr || strings.HasPrefix(p, pr+".") {
					return true
				}
			}
		}
	}
	return false
}
