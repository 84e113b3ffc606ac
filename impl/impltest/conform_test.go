package impltest_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/batchbench/batchbench/impl"
	"github.com/batchbench/batchbench/impl/conformance"
	"github.com/batchbench/batchbench/impl/impltest"
	"github.com/batchbench/batchbench/impl/registry"
)

// caseEnv selects the case TestConformCase runs in a child process.
const caseEnv = "IMPLTEST_CONFORM_CASE"

// lenZero is mutex with a Len that always says 0: it breaks Counting.
type lenZero struct{ impl.Batcher[registry.Item] }

func (lenZero) Len() int { return 0 }

func newLenZero(cfg impl.Config[registry.Item]) (impl.Batcher[registry.Item], error) {
	e, _ := registry.Lookup("mutex")
	b, err := e.New(cfg)
	return lenZero{b}, err
}

var conformCases = map[string]struct {
	new   registry.Factory
	known conformance.Known
}{
	"broken-declared":   {newLenZero, conformance.Known{"Counting": {Verdict: conformance.Fails, Why: "Len is always 0"}}},
	"broken-undeclared": {newLenZero, nil},
	"correct-declared": {registry.Factory(func(cfg impl.Config[registry.Item]) (impl.Batcher[registry.Item], error) {
		e, _ := registry.Lookup("mutex")
		return e.New(cfg)
	}), conformance.Known{"Counting": {Verdict: conformance.Fails, Why: "said to fail"}}},
	"not-applying": {newLenZero, conformance.Known{"Counting": {Verdict: conformance.DoesNotApply, Why: "not run here"}}},
}

// TestConformCase is run by TestConform in a child process, whose outcome
// is the thing tested; run directly, it skips.
func TestConformCase(t *testing.T) {
	c, ok := conformCases[os.Getenv(caseEnv)]
	if !ok {
		t.Skip("run by TestConform")
	}
	observed := impltest.Conform(t, c.new, c.known)
	for name, x := range observed {
		t.Logf("observed %s %s: %s", name, x.Verdict, x.Message)
	}
}

// TestConform: a declared failure that fails passes and is observed with
// its message; an undeclared one fails the test; a declared failure that
// holds fails the test, saying so; a clause that does not apply is not
// run. Each case runs the Counting clause alone, in a child process.
func TestConform(t *testing.T) {
	for _, tc := range []struct {
		name   string
		pass   bool
		output []string
	}{
		{"broken-declared", true, []string{"known failure: Len with a batch of 5 inside the processor = 0, want 5",
			"observed Counting fails: Len with a batch of 5 inside the processor = 0, want 5"}},
		{"broken-undeclared", false, []string{"Len with a batch of 5 inside the processor = 0, want 5"}},
		{"correct-declared", false, []string{"Counting holds, but is declared to fail (said to fail): remove it from the declaration"}},
		{"not-applying", true, []string{"Counting: does not apply (not run here)", "observed Counting does not apply"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestConformCase$/^Counting$", "-test.v")
			cmd.Env = append(os.Environ(), caseEnv+"="+tc.name)
			out, err := cmd.CombinedOutput()
			if passed := err == nil; passed != tc.pass {
				t.Errorf("the child test passed = %v, want %v:\n%s", passed, tc.pass, out)
			}
			for _, want := range tc.output {
				if !strings.Contains(string(out), want) {
					t.Errorf("the child's output lacks %q:\n%s", want, out)
				}
			}
		})
	}
}
