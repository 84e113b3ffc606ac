// Package flame draws pprof flame graphs into HTML documents with pprof's
// own code: its web UI's flame graph page, rendered in-process from a
// profile in memory (no server, no file, no Graphviz), and embedded in a
// self-contained document that draws each graph when a reader opens it.
//
// The page is pprof's, not a public API: Frames reads back the stacks a
// page embeds, so a test fails when a pprof upgrade stops carrying them.
package flame

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/google/pprof/driver"
	"github.com/google/pprof/profile"
)

// pprofMu serialises the driver: it keeps its configuration in package
// state, so two renderings at once would see each other's flags.
var pprofMu sync.Mutex

// Page renders pprof's flame graph page (its web UI's /flamegraph) for
// sampleType of p ("cpu", "alloc_space", ...), or, when base is not nil,
// for p against base with pprof's -diff_base semantics: base's samples
// count negatively, so a frame's value is head's minus base's. The page is
// a whole HTML document with its script and style inline. Page does not
// modify p or base, reads no file, starts no server and runs no external
// program; it blocks while another Page call renders.
func Page(p *profile.Profile, sampleType string, base *profile.Profile) ([]byte, error) {
	profs := map[string]*profile.Profile{"head": p}
	args := []string{"-http=localhost:1", "-no_browser", "-symbolize=none", "-sample_index=" + sampleType}
	if base != nil {
		profs["base"] = base
		args = append(args, "-diff_base=base")
	}
	args = append(args, "head")

	pprofMu.Lock()
	defer pprofMu.Unlock()
	ui := &quietUI{}
	var handlers map[string]http.Handler
	err := driver.PProf(&driver.Options{
		Flagset:       newFlags(args),
		Fetch:         fetcher(profs),
		Sym:           noSymbols{},
		Obj:           noObjects{},
		UI:            ui,
		HTTPTransport: noNetwork{},
		HTTPServer: func(a *driver.HTTPServerArgs) error {
			handlers = a.Handlers
			return nil
		},
	})
	if err != nil {
		return nil, fmt.Errorf("pprof: %w%s", err, ui.errs())
	}
	h := handlers["/flamegraph"]
	if h == nil {
		return nil, errors.New("pprof served no /flamegraph page")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/flamegraph", nil))
	if rec.Code != http.StatusOK {
		return nil, fmt.Errorf("pprof's flame graph: %s", strings.TrimSpace(rec.Body.String())) // what pprof printed too
	}
	return rec.Body.Bytes(), nil
}

// flags is the command line pprof parses: a standard flag set with
// pprof's list flags.
type flags struct {
	*flag.FlagSet
	args []string
}

func newFlags(args []string) *flags {
	fs := flag.NewFlagSet("pprof", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return &flags{fs, args}
}

func (f *flags) StringList(name, def, usage string) *[]*string {
	return &[]*string{f.String(name, def, usage)}
}
func (f *flags) ExtraUsage() string   { return "" }
func (f *flags) AddExtraUsage(string) {}
func (f *flags) Parse(usage func()) []string {
	f.Usage = usage
	if err := f.FlagSet.Parse(f.args); err != nil {
		return nil
	}
	return f.Args()
}

// fetcher hands pprof copies of in-memory profiles by name.
type fetcher map[string]*profile.Profile

func (f fetcher) Fetch(src string, _, _ time.Duration) (*profile.Profile, string, error) {
	p, ok := f[src]
	if !ok {
		return nil, "", fmt.Errorf("no profile %q", src)
	}
	q := p.Copy()
	q.DocURL = "" // pprof would link it from the page
	// An empty source tells pprof the profile is local: it saves no copy.
	return q, "", nil
}

type noSymbols struct{}

func (noSymbols) Symbolize(string, driver.MappingSources, *profile.Profile) error { return nil }

type noObjects struct{}

var errNoObjects = errors.New("no object files: profiles are rendered as recorded")

func (noObjects) Open(string, uint64, uint64, uint64, string) (driver.ObjFile, error) {
	return nil, errNoObjects
}
func (noObjects) Disasm(string, uint64, uint64, bool) ([]driver.Inst, error) {
	return nil, errNoObjects
}

type noNetwork struct{}

func (noNetwork) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("no network: profiles are in memory")
}

// quietUI keeps pprof's messages for an error and never reads input.
type quietUI struct {
	mu  sync.Mutex
	log []string
}

func (u *quietUI) ReadLine(string) (string, error) { return "", io.EOF }
func (u *quietUI) Print(...any)                    {}
func (u *quietUI) PrintErr(args ...any) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.log = append(u.log, strings.TrimSpace(fmt.Sprint(args...)))
}
func (u *quietUI) IsTerminal() bool                    { return false }
func (u *quietUI) WantBrowser() bool                   { return false }
func (u *quietUI) SetAutoComplete(func(string) string) {}

func (u *quietUI) errs() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.log) == 0 {
		return ""
	}
	return " (" + strings.Join(u.log, "; ") + ")"
}
