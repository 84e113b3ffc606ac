// Command benchrun runs batchbench's scenarios against the registered batcher
// implementations, gates a change on them, and renders reports from the
// results; "benchrun help" lists its commands.
//
// Exit status: 0 success, 1 a cell failed, the run was interrupted, or
// (compare, report -head) the gate blocked the merge; 2 bad usage or input,
// a build error, or a gate that could not judge (incomparable inputs,
// nothing compared, too few runs).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/batchbench/batchbench/harness"
	"github.com/batchbench/batchbench/harness/compare"
	"github.com/batchbench/batchbench/impl/peers"
	"github.com/batchbench/batchbench/internal/history"
	"github.com/batchbench/batchbench/internal/rundir"
	"github.com/batchbench/batchbench/reports/gate"
)

const usage = `usage:
  benchrun run [-impl REGEX] [-scenario REGEX] [-count N] [-quick] [-profile=true] [-report] -o DIR
  benchrun report -in [NAME=]DIR|FILE [-in ...] [-o DIR] [-col PROJECTION] [-ignore KEYS] [-baseline VALUE]
                  [-head VALUE [-threshold 5%]]
  benchrun compare -base REF|DIR [-head REF|DIR] [-impl REGEX] [-scenario REGEX] [-count N] [-quick]
                   [-threshold 5%] [-alpha 0.05] [-ignore KEYS] [-tags TAGS] -o DIR
  benchrun compare OLD NEW        (two saved results files or run directories, as benchstat OLD NEW)
  benchrun calibrate -n N [-planted] [-impl REGEX] [-scenario REGEX] [-count N] [-quick] -o DIR
  benchrun history add -db DIR [-force] RESULTS|COMPARE_DIR
  benchrun history last -db DIR
  benchrun trend -db DIR -o OUT [-threshold 5%] [-alpha 0.05]
  benchrun bisect -good REF -bad REF [-impl REGEX] [-scenario REGEX] [-count N] [-quick]
  benchrun list [-impl REGEX] [-scenario REGEX] [-quick]

Run "benchrun COMMAND -h" for a command's flags.
`

// now is the clock reports are dated by; tests fix it.
var now = time.Now

func main() {
	peers.Register() // first: a worker is this binary, and runs peers' cells too
	harness.ServeWorker()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

var commands = map[string]func(args []string, stdout, stderr io.Writer) error{
	"run": runCmd, "list": listCmd, "report": reportCmd, "compare": compareCmd,
	"calibrate": calibrateCmd, "history": historyCmd, "trend": trendCmd, "bisect": bisectCmd,
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		fmt.Fprint(stdout, usage)
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "benchrun: unknown command %q\n(see \"benchrun help\")\n", args[0])
		return 2
	}
	err := cmd(args[1:], stdout, stderr)
	var ge gateError
	var ue usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ge):
		// The decision was printed with the report; only its status is left.
		return ge.Status.ExitCode()
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "benchrun: %v\n(see \"benchrun help\")\n", err)
		return 2
	case badInput(err):
		fmt.Fprintf(stderr, "benchrun: %v\n", err)
		return 2
	default:
		fmt.Fprintf(stderr, "benchrun: %v\n", err)
		return 1
	}
}

// usageError marks errors of the command line itself.
type usageError struct{ error }

// badInput reports whether err is the packages' word for input that cannot
// be used, which exits 2 like bad usage: an unusable output directory, a
// side that does not build, saved results or a history that cannot be
// read or filed, pairs that do not match.
func badInput(err error) bool {
	var (
		oe *rundir.OutDirError
		be *compare.BuildError
		se *compare.SavedError
		he *history.SourceError
		de *history.DamagedError
		pe *gate.PairError
	)
	return errors.As(err, &oe) || errors.As(err, &be) || errors.As(err, &se) || errors.As(err, &he) ||
		errors.As(err, &de) || errors.As(err, &pe) || errors.Is(err, history.ErrExists)
}
