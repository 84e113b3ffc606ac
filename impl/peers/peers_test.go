package peers_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/batchbench/batchbench/impl/peers"
	"github.com/batchbench/batchbench/impl/registry"
	"github.com/batchbench/batchbench/scenarios"
)

func peerEntries(t *testing.T) []registry.Entry {
	t.Helper()
	peers.Register()
	var out []registry.Entry
	for _, e := range registry.All() {
		if e.Peer != nil {
			out = append(out, e)
		}
	}
	if len(out) < 3 {
		t.Fatalf("%d peers registered, want at least 3", len(out))
	}
	return out
}

// cellItems keeps every cell short under -race; each is still several
// batches of the family's largest size, or several timer flushes.
var cellItems = map[string]int{"Size": 20_000, "Interval": 400, "Concurrency": 16_000, "Memory": 20_000}

// TestCellsKeepTheirDeclaration runs every cell of the whole grid for each
// peer: a cell the peer declares it cannot run must fail its self-check,
// and every other cell must pass it.
func TestCellsKeepTheirDeclaration(t *testing.T) {
	for _, e := range peerEntries(t) {
		for key := range e.Peer.Skip {
			if _, err := scenarios.Parse(strings.Replace(key, "/", "/impl="+e.Name+"/", 1)); err != nil {
				t.Errorf("%s declares it cannot run %q, which is not a cell: %v", e.Name, key, err)
			}
		}
		for _, c := range scenarios.Cells(scenarios.Families, []registry.Entry{e}, false) {
			t.Run(c.Name(), func(t *testing.T) {
				why, skip := e.Peer.Skip[c.Family.Name+"/"+c.Family.Key+"="+c.Param.Text]
				_, err := scenarios.Run(c, e.New, cellItems[c.Family.Name])
				switch {
				case skip && err == nil:
					t.Errorf("passes its self-check, but %s declares it cannot run it (%s)", e.Name, why)
				case !skip && err != nil:
					t.Error(err)
				}
			})
		}
	}
}

// TestModulesArePinned: each peer names the module and the version go.mod
// pins, so the report says which library was measured.
func TestModulesArePinned(t *testing.T) {
	for _, e := range peerEntries(t) {
		path, _, _ := strings.Cut(e.Peer.Module, " ")
		if got := goCommand(t, "list", "-m", path); got[0] != e.Peer.Module {
			t.Errorf("%s says it wraps %q; go.mod pins %q", e.Name, e.Peer.Module, got[0])
		}
	}
}

// core are the packages that enumerate, run and report implementations:
// none may depend on a peer.
var core = []string{"./impl", "./impl/conformance", "./impl/registry", "./impl/impltest", "./impl/internal/...",
	"./scenarios/...", "./harness", "./reports/...", "./internal/..."}

// coreModules are peers' modules that batchbench's own code used before it
// measured them as peers.
var coreModules = map[string]string{"github.com/destel/rill": "impl/channel, the seed design, is built on rill"}

// peerDeps are the only modules the adapters may pull in, besides
// batchbench and the peers' own: what the libraries themselves import.
var peerDeps = []string{"golang.org/x/sync"} // support/bundler's semaphore

// TestDependenciesStayHonest: the core packages import no adapter and no
// peer's module (but for coreModules), and the adapters import nothing but
// their libraries and what those import (peerDeps): no logging framework,
// no package that starts goroutines or installs handlers in init.
func TestDependenciesStayHonest(t *testing.T) {
	var modules []string
	for _, e := range peerEntries(t) {
		path, _, _ := strings.Cut(e.Peer.Module, " ")
		modules = append(modules, path)
	}
	own := map[string]bool{"": true} // the standard library's packages have no module
	for _, dep := range goList(t, core...) {
		pkg, mod, _ := strings.Cut(dep, " ")
		own[mod] = true
		if strings.HasPrefix(pkg, "github.com/batchbench/batchbench/impl/peers") {
			t.Errorf("a core package depends on %s", pkg)
		}
		if slices.Contains(modules, mod) && coreModules[mod] == "" {
			t.Errorf("a core package depends on %s, of the peer module %s", pkg, mod)
		}
	}
	for _, dep := range goList(t, "./impl/peers/...") {
		pkg, mod, _ := strings.Cut(dep, " ")
		if !own[mod] && !slices.Contains(modules, mod) && !slices.Contains(peerDeps, mod) {
			t.Errorf("the peers pull in %s (module %s)", pkg, mod)
		}
	}
}

// goList returns "package module" for every dependency of patterns.
func goList(t *testing.T, patterns ...string) []string {
	t.Helper()
	return goCommand(t, append([]string{"list", "-deps", "-f", "{{.ImportPath}} {{with .Module}}{{.Path}}{{end}}"}, patterns...)...)
}

// goCommand runs the go command in the module's root and returns its
// output's lines.
func goCommand(t *testing.T, args ...string) []string {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	cmd := exec.Command(goCmd, args...)
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s: %v", strings.Join(args, " "), err)
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}
