package flame

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"fmt"
	"html"
	"html/template"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/google/pprof/profile"
)

// Set is the flame graphs of one HTML document. Each graph is a <details>
// element holding its page; the script and style blocks of the pages are
// stored once for the whole Set (every page carries the same 40 kB of
// pprof's script), pages and blocks are gzipped (the stacks pprof embeds
// are JSON, a fifth of their size compressed: the quick suite's 96 graphs
// weighed 4.5 MB plain), and a graph is inflated and drawn, in an iframe,
// when its element first opens, so a document with dozens of graphs stays
// small and opens fast. The zero Set is empty and ready; a Set is not
// safe for concurrent use.
type Set struct {
	blocks []string       // distinct script and style blocks, in order of first use
	block  map[string]int // index in blocks by content
	ids    map[string]bool
}

// Graph is one flame graph of a Set.
type Graph struct {
	// ID is the HTML id of the graph's <details> element, unique in its
	// Set: a link to "#"+ID opens the graph.
	ID    string
	Title string // the element's summary line
	Open  bool   // whether the element starts open, the graph drawn
	page  string // the page with its blocks replaced by references
}

// refRE matches a reference to a Set's block in a stored page.
var refRE = regexp.MustCompile(`<!--flame-block (\d+)-->`)

// reportStyle hides what leads nowhere without a pprof server behind the
// page: the menus (other views, sample types, refinements, saved
// configurations, the download) and the right-click menu of actions.
// Hovering, clicking a frame to zoom, and the search box work in the page
// alone.
const reportStyle = `<style>.header .title, #view, #sample, #refine, #config, #download, #action-menu { display: none !important; }</style>`

// Add renders p's sampleType, against base when base is not nil (see
// Page), and adds it to the Set under id, made unique with a numeric
// suffix, and title. It fails when pprof fails, or when the page would
// make the document load or link anything from the network.
func (s *Set) Add(id, title string, p *profile.Profile, sampleType string, base *profile.Profile) (*Graph, error) {
	page, err := Page(p, sampleType, base)
	if err != nil {
		return nil, err
	}
	doc, err := forDocument(string(page))
	if err != nil {
		return nil, err
	}
	if s.block == nil {
		s.block, s.ids = map[string]int{}, map[string]bool{}
	}
	var rest strings.Builder
	for {
		start, end := nextBlock(doc)
		if start < 0 {
			break
		}
		rest.WriteString(doc[:start])
		rest.WriteString(s.ref(doc[start:end]))
		doc = doc[end:]
	}
	rest.WriteString(doc)
	g := &Graph{ID: s.unique(id), Title: title, page: rest.String()}
	return g, nil
}

// nextBlock finds the first inline script or style element of an HTML
// page: its start and end offsets, or -1 and -1.
func nextBlock(page string) (start, end int) {
	start = -1
	var closing string
	for _, tag := range []string{"script", "style"} {
		if i := strings.Index(page, "<"+tag); i >= 0 && (start < 0 || i < start) {
			start, closing = i, "</"+tag+">"
		}
	}
	if start < 0 {
		return -1, -1
	}
	n := strings.Index(page[start:], closing)
	if n < 0 {
		return -1, -1 // unterminated: left in the page
	}
	return start, start + n + len(closing)
}

// ref stores a block once and returns the reference that stands for it.
func (s *Set) ref(block string) string {
	i, ok := s.block[block]
	if !ok {
		i = len(s.blocks)
		s.block[block] = i
		s.blocks = append(s.blocks, block)
	}
	return "<!--flame-block " + strconv.Itoa(i) + "-->"
}

// forDocument adapts pprof's page to live inside a report: the report
// style goes in, and the SVG namespace in data: URLs is percent-encoded,
// which leaves the image as it is and the document free of http: text.
func forDocument(page string) (string, error) {
	head := strings.Index(page, "</head>")
	if head < 0 {
		return "", fmt.Errorf("pprof's flame graph page has no </head>")
	}
	page = page[:head] + reportStyle + page[head:]
	page = encodeSVGNamespace(page)
	lower := strings.ToLower(page)
	for _, scheme := range []string{"http://", "https://"} {
		if i := strings.Index(lower, scheme); i >= 0 {
			return "", fmt.Errorf("pprof's flame graph page refers to %.60q; a report must not load or link anything from the network", page[i:])
		}
	}
	return page, nil
}

// svgNamespace is the only http: text in pprof's page: the namespace of
// an SVG icon in a data: URL (url("data:image/svg+xml,...")), which its
// percent-encoded form names as well.
const svgNamespace = "http://www.w3.org/2000/svg"

// encodeSVGNamespace percent-encodes svgNamespace inside the page's
// data:image/svg+xml URLs, each delimited by the quote or parenthesis
// before it.
func encodeSVGNamespace(page string) string {
	const data = "data:image/svg+xml,"
	var b strings.Builder
	for {
		i := strings.Index(page, data)
		if i < 1 {
			b.WriteString(page)
			return b.String()
		}
		closing := page[i-1]
		if closing == '(' {
			closing = ')'
		}
		n := strings.IndexByte(page[i:], closing)
		if n < 0 {
			n = len(page) - i
		}
		b.WriteString(page[:i])
		b.WriteString(strings.ReplaceAll(page[i:i+n], svgNamespace, url.QueryEscape(svgNamespace)))
		page = page[i+n:]
	}
}

func (s *Set) unique(id string) string {
	u := id
	for n := 2; s.ids[u]; n++ {
		u = id + "-" + strconv.Itoa(n)
	}
	s.ids[u] = true
	return u
}

// packed is the type of the script elements that hold pages and blocks:
// gzip, then standard base64, which has no character HTML would read.
const packed = "application/gzip;base64"

// pack gzips and base64-encodes text for a packed script element.
func pack(text string) string {
	var b bytes.Buffer
	w := base64.NewEncoder(base64.StdEncoding, &b)
	z, _ := gzip.NewWriterLevel(w, gzip.BestCompression) // a valid level cannot fail
	z.Write([]byte(text))                                // writes to a bytes.Buffer do not fail
	z.Close()
	w.Close()
	return b.String()
}

// HTML is the graph's <details> element. It draws nothing without the
// Set's Script in the same document.
func (g *Graph) HTML() template.HTML {
	open := ""
	if g.Open {
		open = " open"
	}
	return template.HTML(fmt.Sprintf(`<details class="flame" id="%s"%s><summary>%s</summary><script type="%s">%s</script></details>`,
		html.EscapeString(g.ID), open, html.EscapeString(g.Title), packed, pack(g.page)))
}

// Script is the Set's blocks and the loader that draws its graphs: once
// per document, after every graph's element. It is empty for an empty
// Set.
func (s *Set) Script() template.HTML {
	if len(s.blocks) == 0 {
		return ""
	}
	var b strings.Builder
	for i, block := range s.blocks {
		fmt.Fprintf(&b, `<script type="%s" class="flame-block" data-block="%d">%s</script>`+"\n", packed, i, pack(block))
	}
	return template.HTML(b.String() + "<script>" + loader + "</script>\n")
}

// loader draws a graph the first time its element opens, and opens the
// graph a URL fragment names. It writes the page into an iframe with
// document.write, which gives the frame the report's own URL: pprof's
// script keeps its zoom in the frame's query string (history.pushState),
// which a srcdoc or data: frame would refuse.
const loader = `(function () {
  'use strict';
  function inflate(script) {
    const bytes = Uint8Array.from(atob(script.textContent), c => c.charCodeAt(0));
    return new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).text();
  }
  const blocks = new Map();
  function block(i) {
    if (!blocks.has(i)) {
      blocks.set(i, inflate(document.querySelector('script.flame-block[data-block="' + i + '"]')));
    }
    return blocks.get(i);
  }
  async function draw(d) {
    if (!d.open || d.querySelector('iframe')) return;
    const frame = document.createElement('iframe');
    frame.title = d.querySelector('summary').textContent;
    frame.style.cssText = 'display:block;width:100%;height:620px;border:1px solid #d1d9e0;margin-top:6px;background:#fff';
    d.appendChild(frame);
    let page = await inflate(d.querySelector('script[type="` + packed + `"]'));
    const refs = [...page.matchAll(/<!--flame-block (\d+)-->/g)].map(m => Number(m[1]));
    const texts = new Map();
    for (const i of refs) texts.set(i, await block(i));
    page = page.replace(/<!--flame-block (\d+)-->/g, (_, i) => texts.get(Number(i)));
    const doc = frame.contentDocument;
    doc.open();
    doc.write(page);
    doc.close();
  }
  function openNamed() {
    const id = decodeURIComponent(location.hash.slice(1));
    const d = id && document.getElementById(id);
    if (!d || !d.matches('details.flame')) return;
    for (let e = d; e; e = e.parentElement) {
      if (e.tagName === 'DETAILS') e.open = true;
    }
    draw(d);
    d.scrollIntoView();
  }
  for (const d of document.querySelectorAll('details.flame')) {
    d.addEventListener('toggle', () => draw(d));
    draw(d);
  }
  window.addEventListener('hashchange', openNamed);
  openNamed();
})();`
