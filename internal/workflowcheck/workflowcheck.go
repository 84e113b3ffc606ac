// Package workflowcheck checks the security shape of GitHub Actions
// workflows, as GitHub's guidance for pull requests from forks asks, with
// actionlint's own parser. It finds two kinds of breach:
//
//   - PullRequestCode: a job that may write (a write permission, or no
//     permissions block, whose default may write) runs on
//     pull_request_target or workflow_run, where its token and secrets are
//     the base repository's, and checks out the pull request's code (a
//     checkout of its head, a fetch of refs/pull/, gh pr checkout), or runs
//     code from it: any step after such a checkout, or a file of an
//     artifact of the run that workflow_run follows, which that run's
//     pull request code could write. An artifact downloaded into the
//     workspace counts wherever a later step runs from, since it may
//     overwrite any file there.
//   - Injection: an expression that reads the event payload (github.event,
//     github.head_ref: titles, bodies, branch names, head refs, even
//     numbers) is interpolated into an inline script, run: or
//     actions/github-script's script:, where a crafted value becomes code,
//     instead of being passed through env:.
//
// The checks match the shapes of these attacks, not every program that
// could perform one: a script that fetches a pull request by a means not
// listed here is not found. actionlint, run by make lint, checks
// everything else about the workflows.
package workflowcheck

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rhysd/actionlint"
)

// The kinds of finding.
const (
	PullRequestCode = "pull-request-code"
	Injection       = "injection"
)

// A Finding is one breach, at a line of a workflow file.
type Finding struct {
	Path string
	Line int
	Job  string
	Kind string // PullRequestCode or Injection
	What string // the breach, in a sentence
}

func (f Finding) String() string {
	return fmt.Sprintf("%s:%d: job %s: %s [%s]", f.Path, f.Line, f.Job, f.What, f.Kind)
}

// privileged are the triggers whose runs hold the base repository's
// token and secrets while the event names a pull request.
var privileged = []string{"pull_request_target", "workflow_run"}

// Check parses the workflow src, read from path, and returns its
// findings in the order of its jobs and steps. A workflow actionlint
// cannot parse is an error.
func Check(path string, src []byte) ([]Finding, error) {
	w, errs := actionlint.Parse(src)
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s:%d:%d: %s", path, errs[0].Line, errs[0].Column, errs[0].Message)
	}
	c := &checker{path: path, lines: strings.Split(string(src), "\n"), w: w}
	for _, ev := range w.On {
		if hook, ok := ev.(*actionlint.WebhookEvent); ok && slices.Contains(privileged, hook.Hook.Value) {
			c.trigger = hook.Hook.Value
		}
	}
	ids := make([]string, 0, len(w.Jobs))
	for id := range w.Jobs {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int { return w.Jobs[a].Pos.Line - w.Jobs[b].Pos.Line })
	for _, id := range ids {
		c.job(id, w.Jobs[id])
	}
	return c.found, nil
}

type checker struct {
	path    string
	lines   []string
	w       *actionlint.Workflow
	trigger string // the privileged trigger, if any
	found   []Finding
}

func (c *checker) add(job string, line int, kind, what string, args ...any) {
	c.found = append(c.found, Finding{Path: c.path, Line: line, Job: job, Kind: kind, What: fmt.Sprintf(what, args...)})
}

// lineOf is the line, at or after pos, that holds text (pos's own when
// none does): where an expression sits in a multi-line script.
func (c *checker) lineOf(pos *actionlint.Pos, text string) int {
	for i := pos.Line - 1; i >= 0 && i < len(c.lines); i++ {
		if strings.Contains(c.lines[i], text) {
			return i + 1
		}
	}
	return pos.Line
}

// job checks a job's steps in order: what a step may run depends on what
// the steps before it brought into the workspace.
func (c *checker) job(id string, j *actionlint.Job) {
	write, writes := c.writes(j)
	untrusted := c.trigger != "" && writes
	checkout := 0        // the line of the pull request's checkout, 0 before one
	workspace := 0       // the line of an untrusted artifact downloaded into the workspace
	var outside []string // untrusted artifacts' directories outside the workspace
	for _, st := range j.Steps {
		env := envOf(c.w.Env, j.Env, st.Env)
		switch ex := st.Exec.(type) {
		case *actionlint.ExecRun:
			if ex.Run == nil {
				continue
			}
			script, line := ex.Run.Value, st.Pos.Line
			if ex.RunPos != nil {
				line = ex.RunPos.Line
			}
			c.injections(id, "run:", ex.Run, script)
			if !untrusted {
				continue
			}
			switch {
			case checkout > 0:
				c.add(id, line, PullRequestCode, "runs a script in the checkout of the pull request's code (line %d), holding %s on %s", checkout, write, c.trigger)
			case workspace > 0:
				c.add(id, line, PullRequestCode, "runs a script in a workspace that an artifact of the pull request's run was downloaded into (line %d), holding %s on %s", workspace, write, c.trigger)
			case fetchesPullRequest(script, env):
				checkout = line
				c.add(id, line, PullRequestCode, "fetches the pull request's code, holding %s on %s", write, c.trigger)
			}
			for _, dir := range outside {
				if cmd, file, ok := runsFrom(script, env, dir); ok {
					c.add(id, c.lineOf(ex.Run.Pos, file), PullRequestCode, "runs %s, from an artifact of the pull request's run, holding %s on %s", cmd, write, c.trigger)
				}
			}
		case *actionlint.ExecAction:
			uses := ex.Uses.Value
			if script, ok := input(ex, "script"); ok && strings.HasPrefix(uses, "actions/github-script@") {
				c.injections(id, "script:", script, script.Value)
			}
			if !untrusted {
				continue
			}
			switch {
			case strings.HasPrefix(uses, "./") && checkout > 0:
				c.add(id, st.Pos.Line, PullRequestCode, "runs the local action %s from the checkout of the pull request's code (line %d), holding %s on %s", uses, checkout, write, c.trigger)
			case strings.HasPrefix(uses, "./") && workspace > 0:
				c.add(id, st.Pos.Line, PullRequestCode, "runs the local action %s from a workspace that an artifact of the pull request's run was downloaded into (line %d), holding %s on %s", uses, workspace, write, c.trigger)
			case strings.HasPrefix(uses, "actions/checkout@") && checksOutPullRequest(ex):
				checkout = st.Pos.Line
				c.add(id, st.Pos.Line, PullRequestCode, "checks out the pull request's code, holding %s on %s", write, c.trigger)
			case strings.HasPrefix(uses, "actions/download-artifact@") && c.trigger == "workflow_run" && fromTriggeringRun(ex):
				dir := "."
				if p, ok := input(ex, "path"); ok {
					dir = p.Value
				}
				if inWorkspace(dir) {
					workspace = st.Pos.Line
				} else {
					outside = append(outside, dir)
				}
			}
		}
	}
}

// injections reports every expression in an inline script that reads
// the event payload.
func (c *checker) injections(job, key string, at *actionlint.String, script string) {
	for _, e := range expressions(script) {
		for _, p := range e.paths {
			if isPayload(p) {
				c.add(job, c.lineOf(at.Pos, e.text), Injection, "%s interpolates %s, from the event payload, into the script: pass it through env: instead", key, p)
			}
		}
	}
}

// writes says which write permissions the job's token holds: its own
// permissions, else the workflow's, else the repository's default, which
// may be write-all.
func (c *checker) writes(j *actionlint.Job) (string, bool) {
	p := j.Permissions
	if p == nil {
		p = c.w.Permissions
	}
	if p == nil {
		return "the default token's permissions (no permissions: block; they may write)", true
	}
	if p.All != nil {
		return p.All.Value, p.All.Value == "write-all"
	}
	var w []string
	for name, s := range p.Scopes {
		if s.Value != nil && s.Value.Value == "write" {
			w = append(w, name+": write")
		}
	}
	slices.Sort(w)
	return strings.Join(w, ", "), len(w) > 0
}

func input(ex *actionlint.ExecAction, name string) (*actionlint.String, bool) {
	in, ok := ex.Inputs[name]
	if !ok || in.Value == nil {
		return nil, false
	}
	return in.Value, true
}

// checksOutPullRequest reports whether an actions/checkout step checks
// out the pull request's head, merge or repository rather than the base
// repository's default ref.
func checksOutPullRequest(ex *actionlint.ExecAction) bool {
	for _, name := range []string{"ref", "repository"} {
		if v, ok := input(ex, name); ok && (pullRef.MatchString(v.Value) || readsPullRequest(v.Value)) {
			return true
		}
	}
	return false
}

// fromTriggeringRun reports whether a download-artifact step takes the
// artifacts of the run that workflow_run follows.
func fromTriggeringRun(ex *actionlint.ExecAction) bool {
	v, ok := input(ex, "run-id")
	if !ok {
		return false
	}
	for _, e := range expressions(v.Value) {
		for _, p := range e.paths {
			if strings.HasPrefix(p, "github.event.workflow_run") {
				return true
			}
		}
	}
	return false
}

// inWorkspace reports whether a download path lies in the workspace: the
// default, a relative path, or one under github.workspace.
func inWorkspace(dir string) bool {
	d := strings.TrimSpace(dir)
	switch {
	case d == "" || d == ".":
		return true
	case strings.HasPrefix(d, "${{") && !strings.HasPrefix(strings.ReplaceAll(d, " ", ""), "${{github.workspace}}"):
		return false // runner.temp, runner.tool_cache, ...
	case strings.HasPrefix(d, "/") || strings.HasPrefix(d, "~") || strings.HasPrefix(d, "$RUNNER_TEMP"):
		return false
	}
	return true
}

// envOf merges the env blocks that apply to a step, the innermost last.
func envOf(envs ...*actionlint.Env) map[string]string {
	out := map[string]string{}
	for _, e := range envs {
		if e == nil {
			continue
		}
		for _, v := range e.Vars {
			if v.Name != nil && v.Value != nil {
				out[v.Name.Value] = v.Value.Value
			}
		}
	}
	return out
}
