package workflowcheck

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// separators split a shell script into simple commands, roughly: enough
// to find the word each one runs.
var separators = regexp.MustCompile("\n|;|&&|\\|\\||\\||\\$\\(|\\)|`")

// commands splits a script into its simple commands' words, quotes
// removed, leading assignments (NAME=value) dropped. A ${{ }} stays
// whole, in the word it is part of.
func commands(script string) [][]string {
	var exprs []string
	for _, e := range expressions(script) {
		exprs = append(exprs, e.text)
		script = strings.Replace(script, e.text, "\x00"+strconv.Itoa(len(exprs)-1)+"\x00", 1)
	}
	unmask := func(w string) string {
		return masked.ReplaceAllStringFunc(w, func(m string) string {
			i, _ := strconv.Atoi(strings.Trim(m, "\x00"))
			return exprs[i]
		})
	}
	var out [][]string
	for _, c := range separators.Split(script, -1) {
		var words []string
		for _, w := range strings.Fields(c) {
			w = unmask(strings.Trim(w, `"'`))
			if len(words) == 0 && assignment.MatchString(w) {
				continue
			}
			words = append(words, w)
		}
		if len(words) > 0 && !strings.HasPrefix(words[0], "#") {
			out = append(out, words)
		}
	}
	return out
}

var (
	assignment = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)
	masked     = regexp.MustCompile("\x00[0-9]+\x00")
)

// interpreters run the file named by their first operand.
var interpreters = []string{"bash", "sh", "zsh", "dash", "source", ".", "python", "python3", "node", "perl", "ruby", "pwsh", "deno", "exec", "sudo"}

// ran returns the file a command runs: an interpreter's first operand,
// chmod +x's operand (made runnable), or the command word itself when it
// is a path.
func ran(words []string) (string, bool) {
	operand := func(from int) (string, bool) {
		for _, w := range words[from:] {
			if !strings.HasPrefix(w, "-") && !strings.HasPrefix(w, "+") {
				return w, true
			}
		}
		return "", false
	}
	switch w := words[0]; {
	case slices.Contains(interpreters, w):
		return operand(1)
	case w == "chmod" && slices.Contains(words, "+x"):
		return operand(1)
	case strings.Contains(w, "/"):
		return w, true
	}
	return "", false
}

var variable = regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?`)

// expand replaces $NAME and ${NAME} in s by the env: block's values, and
// spells the runner's directories one way.
func expand(s string, env map[string]string) string {
	s = variable.ReplaceAllStringFunc(s, func(v string) string {
		if val, ok := env[variable.FindStringSubmatch(v)[1]]; ok {
			return val
		}
		return v
	})
	return canonical(s)
}

// canonical spells a path one way: no blanks in ${{ }}, the runner's
// directories as expressions.
func canonical(s string) string {
	s = strings.ReplaceAll(s, " ", "")
	for _, r := range [][2]string{
		{"${RUNNER_TEMP}", "${{runner.temp}}"}, {"$RUNNER_TEMP", "${{runner.temp}}"},
		{"${GITHUB_WORKSPACE}", "${{github.workspace}}"}, {"$GITHUB_WORKSPACE", "${{github.workspace}}"},
	} {
		s = strings.ReplaceAll(s, r[0], r[1])
	}
	return strings.TrimSuffix(s, "/")
}

// runsFrom returns the first command of script that runs a file under
// dir, and the file as the script names it.
func runsFrom(script string, env map[string]string, dir string) (cmd, file string, ok bool) {
	d := canonical(dir)
	for _, words := range commands(script) {
		if f, ok := ran(words); ok {
			if p := expand(f, env); p == d || strings.HasPrefix(p, d+"/") {
				return strings.Join(words, " "), f, true
			}
		}
	}
	return "", "", false
}

// gitFetching are the git commands that bring a commit into the
// workspace.
var gitFetching = []string{"fetch", "checkout", "switch", "clone", "pull", "reset", "worktree"}

// fetchesPullRequest reports whether a script brings the pull request's
// code into the workspace: gh pr checkout, a pull request's ref, or a git
// command given a pointer at its head, directly or through env:.
func fetchesPullRequest(script string, env map[string]string) bool {
	if pullRef.MatchString(script) {
		return true
	}
	for _, words := range commands(script) {
		if len(words) >= 3 && words[0] == "gh" && words[1] == "pr" && words[2] == "checkout" {
			return true
		}
		if words[0] != "git" || !slices.ContainsFunc(words[1:], func(w string) bool { return slices.Contains(gitFetching, w) }) {
			continue
		}
		for _, w := range words[1:] {
			if x := expand(w, env); readsPullRequest(x) || pullRef.MatchString(x) {
				return true
			}
		}
	}
	return false
}
