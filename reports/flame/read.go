package flame

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"regexp"
)

// Frame is a function as a flame graph draws it.
type Frame struct {
	Func string // full name, e.g. "github.com/batchbench/batchbench/impl/ring.(*Batcher[...]).Add"
	// Self is the value of the samples the function is the leaf of, Total
	// of those it is anywhere on the stack of (each sample once). In a
	// graph against a base both are head's minus base's.
	Self, Total int64
}

// stackSet is the part of pprof's report.StackSet that Frames reads.
type stackSet struct {
	Stacks []struct {
		Value   int64
		Sources []int
	}
	Sources []struct{ FullName string }
}

// Frames reads back the frames a flame graph page (from Page, or from a
// document by Graphs) draws, from the stacks pprof embedded in it, one
// per function in order of first appearance, without the root. It fails
// when the page carries no stacks.
func Frames(page []byte) ([]Frame, error) {
	const call = "stackViewer("
	i := bytes.LastIndex(page, []byte(call))
	if i < 0 {
		return nil, errors.New("the page calls no stackViewer: it embeds no stacks")
	}
	var ss stackSet
	if err := json.NewDecoder(bytes.NewReader(page[i+len(call):])).Decode(&ss); err != nil {
		return nil, fmt.Errorf("the page's stacks: %v", err)
	}
	if len(ss.Stacks) == 0 || len(ss.Sources) < 2 {
		return nil, errors.New("the page embeds no stacks")
	}
	var frames []Frame
	index := map[string]int{}
	for _, src := range ss.Sources[1:] { // Sources[0] is the root
		if _, ok := index[src.FullName]; !ok {
			index[src.FullName] = len(frames)
			frames = append(frames, Frame{Func: src.FullName})
		}
	}
	for _, st := range ss.Stacks {
		seen := map[int]bool{}
		for pos, s := range st.Sources {
			if s <= 0 || s >= len(ss.Sources) {
				continue
			}
			f := index[ss.Sources[s].FullName]
			if !seen[f] {
				seen[f] = true
				frames[f].Total += st.Value
			}
			if pos == len(st.Sources)-1 {
				frames[f].Self += st.Value
			}
		}
	}
	return frames, nil
}

var (
	graphRE = regexp.MustCompile(`<details class="flame" id="([^"]*)"[^>]*><summary>.*?</summary><script type="` + regexp.QuoteMeta(packed) + `">([^<]*)</script>`)
	blockRE = regexp.MustCompile(`<script type="` + regexp.QuoteMeta(packed) + `" class="flame-block" data-block="(\d+)">([^<]*)</script>`)
)

// unpack reverses pack.
func unpack(text []byte) (string, error) {
	z, err := gzip.NewReader(base64.NewDecoder(base64.StdEncoding, bytes.NewReader(text)))
	if err != nil {
		return "", err
	}
	b, err := io.ReadAll(z)
	return string(b), err
}

// Graphs returns the pages of the flame graphs a Set wrote into an HTML
// document, by Graph.ID, as its script would draw them.
func Graphs(doc []byte) (map[string][]byte, error) {
	blocks := map[string]string{}
	for _, m := range blockRE.FindAllSubmatch(doc, -1) {
		text, err := unpack(m[2])
		if err != nil {
			return nil, fmt.Errorf("flame graph block %s: %v", m[1], err)
		}
		blocks[string(m[1])] = text
	}
	if len(blocks) == 0 {
		return nil, errors.New("the document holds no flame graph blocks")
	}
	out := map[string][]byte{}
	for _, g := range graphRE.FindAllSubmatch(doc, -1) {
		id := html.UnescapeString(string(g[1]))
		page, err := unpack(g[2])
		if err != nil {
			return nil, fmt.Errorf("flame graph %s: %v", id, err)
		}
		full := refRE.ReplaceAllStringFunc(page, func(ref string) string {
			i := refRE.FindStringSubmatch(ref)[1]
			text, ok := blocks[i]
			if !ok {
				err = fmt.Errorf("flame graph %s refers to block %s, which the document lacks", id, i)
			}
			return text
		})
		if err != nil {
			return nil, err
		}
		out[id] = []byte(full)
	}
	return out, nil
}
