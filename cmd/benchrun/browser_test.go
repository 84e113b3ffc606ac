package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/batchbench/batchbench/reports/flame"
)

var (
	browser       = flag.Bool("browser", false, "load the quick suite's report.html in headless Chromium; runs the quick suite first (about 90 s, a benchmark: hold the bench lock) unless -browser.report names a report")
	browserReport = flag.String("browser.report", "", "with -browser: the report.html to load")
	browserShots  = flag.String("browser.shots", "", "with -browser: write report.png (the report's top) and flamegraph.png (ring's CPU flame graph) into this directory")
)

// chromium finds a Chromium or Chrome binary, "" if none.
func chromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	return ""
}

// headless runs Chromium headless on a local page, with a fresh profile
// and nothing that reaches the network, and returns its standard output.
func headless(t *testing.T, bin string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(), "--window-size=1280,1000", "--hide-scrollbars",
		"--virtual-time-budget=30000",
	}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %q: %v\n%s", bin, args, err, stderr.String())
	}
	return stdout.Bytes()
}

// flameProbe drives a flame graph of the report as a reader would: it
// opens it by its address (#ID), waits for pprof to draw it, hovers every
// frame, clicks a frame of ring's to zoom, searches for ring's package,
// and writes what it saw into <pre id="flame-probe"> for --dump-dom.
const flameProbe = `<script>
const ID = GRAPH_ID;
(async () => {
  const out = {};
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  try {
    location.hash = ID;
    let frame = null;
    for (let i = 0; i < 200 && !(frame = document.querySelector('#' + CSS.escape(ID) + ' iframe')); i++) await sleep(50);
    const doc = frame.contentDocument;
    let boxes = [];
    for (let i = 0; i < 200 && (boxes = [...doc.querySelectorAll('.boxbg')]).length === 0; i++) await sleep(50);
    out.frames = boxes.length;
    out.names = boxes.map((b) => {
      b.dispatchEvent(new MouseEvent('mouseenter'));
      return doc.getElementById('current-details-left').textContent;
    });
    const ring = boxes[out.names.findIndex((n) => n.includes('/impl/ring.'))];
    ring.dispatchEvent(new MouseEvent('mousedown', {bubbles: true}));
    ring.dispatchEvent(new MouseEvent('click', {bubbles: true}));
    await sleep(200);
    out.zoomedURL = doc.URL;
    out.zoomedFrames = doc.querySelectorAll('.boxbg').length;
    const search = doc.getElementById('search');
    search.value = '/impl/ring\\.';
    search.dispatchEvent(new Event('input'));
    await sleep(1000);
    out.highlighted = doc.querySelectorAll('.hilite').length;
    out.menusShown = ['view', 'refine', 'config', 'download'].filter((id) => {
      const e = doc.getElementById(id);
      return e && doc.defaultView.getComputedStyle(e).display !== 'none';
    });
  } catch (e) {
    out.error = String(e);
  }
  const pre = document.createElement('pre');
  pre.id = 'flame-probe';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>`

// TestReportInBrowser is the report's acceptance in a real browser: the
// quick suite's report.html, opened in headless Chromium, draws ring's CPU
// flame graph with frames from impl/ring, and hovering, zooming and
// search work in it.
func TestReportInBrowser(t *testing.T) {
	if !*browser {
		t.Skip("browser check: run with -browser")
	}
	bin := chromium()
	if bin == "" {
		t.Skip("no Chromium found (apt-get install chromium)")
	}
	path := *browserReport
	if path == "" {
		dir := filepath.Join(t.TempDir(), "quick")
		var stdout, stderr bytes.Buffer
		if code := run([]string{"run", "-quick", "-report", "-o", dir}, &stdout, &stderr); code != 0 {
			t.Fatalf("benchrun run -quick -report exited %d\n%s", code, stderr.String())
		}
		path = filepath.Join(dir, "report.html")
	}
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d bytes", path, len(doc))
	if len(doc) > 6<<20 {
		t.Errorf("report.html weighs %d bytes, more than 6 MB", len(doc))
	}
	if m := regexp.MustCompile(`(?i)https?://\S{0,40}`).Find(doc); m != nil {
		t.Errorf("report.html refers to the network: %q", m)
	}
	graphs, err := flame.Graphs(doc)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for id := range graphs {
		if strings.HasSuffix(id, "-ring-cpu") {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		t.Fatalf("no CPU flame graph of ring among %d graphs", len(graphs))
	}
	slices.Sort(ids)
	id := ids[len(ids)-1] // the Size family's, in the quick suite

	// The probe goes into a copy of the report beside it.
	probe := filepath.Join(t.TempDir(), "probe.html")
	page := bytes.Replace(doc, []byte("</body>"), []byte(strings.Replace(flameProbe, "GRAPH_ID", jsString(id), 1)+"</body>"), 1)
	if err := os.WriteFile(probe, page, 0o644); err != nil {
		t.Fatal(err)
	}
	dom := headless(t, bin, "--dump-dom", "file://"+probe)
	m := regexp.MustCompile(`<pre id="flame-probe">(.*?)</pre>`).FindSubmatch(dom)
	if m == nil {
		t.Fatalf("the probe reported nothing: the report's scripts did not run")
	}
	var seen struct {
		Error        string
		Frames       int
		Names        []string
		ZoomedURL    string
		ZoomedFrames int
		Highlighted  int
		MenusShown   []string
	}
	if err := json.Unmarshal([]byte(html.UnescapeString(string(m[1]))), &seen); err != nil {
		t.Fatalf("the probe's report %s: %v", m[1], err)
	}
	t.Logf("%s: %d frames drawn, %d after zooming in, %d highlighted by the search", id, seen.Frames, seen.ZoomedFrames, seen.Highlighted)
	if seen.Error != "" {
		t.Fatalf("in the browser: %s", seen.Error)
	}
	if !slices.ContainsFunc(seen.Names, func(n string) bool { return strings.Contains(n, "github.com/batchbench/batchbench/impl/ring.") }) {
		t.Errorf("%s draws no frame named from impl/ring: %q", id, seen.Names)
	}
	if !strings.Contains(seen.ZoomedURL, "?p=") || seen.ZoomedFrames == 0 || seen.ZoomedFrames == seen.Frames {
		t.Errorf("clicking a frame did not zoom: %d frames, then %d at %s", seen.Frames, seen.ZoomedFrames, seen.ZoomedURL)
	}
	if seen.Highlighted == 0 {
		t.Error("searching for impl/ring highlighted no frame")
	}
	if len(seen.MenusShown) > 0 {
		t.Errorf("pprof's menus %q show, and lead nowhere inside a report", seen.MenusShown)
	}

	if *browserShots != "" {
		screenshots(t, bin, doc, id, *browserShots)
	}
}

// screenshots writes the report's top, and the flame graph id drawn at
// the top of a copy of the report (headless Chromium draws nothing of a
// page it scrolls to).
func screenshots(t *testing.T, bin string, doc []byte, id, dir string) {
	t.Helper()
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(report, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	headless(t, bin, "--screenshot="+filepath.Join(abs, "report.png"), "file://"+report)
	lift := `<script>
const d = document.getElementById(GRAPH_ID);
const keep = [];
let e = d.closest('.flames');
for (; e && e.tagName !== 'H4'; e = e.previousElementSibling) keep.unshift(e);
keep.unshift(e);
for (; e && e.tagName !== 'H3'; e = e.previousElementSibling);
keep.unshift(e);
document.querySelector('main').replaceChildren(...keep);
d.open = true;
</script>`
	shot := filepath.Join(t.TempDir(), "flame.html")
	page := bytes.Replace(doc, []byte("</body>"), []byte(strings.Replace(lift, "GRAPH_ID", jsString(id), 1)+"</body>"), 1)
	if err := os.WriteFile(shot, page, 0o644); err != nil {
		t.Fatal(err)
	}
	headless(t, bin, "--screenshot="+filepath.Join(abs, "flamegraph.png"), "file://"+shot)
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
