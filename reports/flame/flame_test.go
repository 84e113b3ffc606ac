package flame

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/pprof/profile"

	"github.com/batchbench/batchbench/reports/internal/fixture"
)

const ringPkg = "github.com/batchbench/batchbench/impl/ring."

// total sums a sample type's values over p's samples.
func total(t *testing.T, p *profile.Profile, sampleType string) int64 {
	t.Helper()
	i, err := p.SampleIndexByName(sampleType)
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, s := range p.Sample {
		sum += s.Value[i]
	}
	return sum
}

func frame(frames []Frame, fn string) (Frame, bool) {
	i := slices.IndexFunc(frames, func(f Frame) bool { return f.Func == fn })
	if i < 0 {
		return Frame{}, false
	}
	return frames[i], true
}

// TestPageCarriesTheStacks is what keeps a pprof upgrade honest: pprof's
// page is not a public API, so this fails when a rendered page no longer
// embeds the profile's stacks, whole, for each sample type the report
// draws.
func TestPageCarriesTheStacks(t *testing.T) {
	_, ring, allocs := fixture.SharedProfiles(t)
	for _, tc := range []struct {
		p          *profile.Profile
		sampleType string
		work       string // a function the profile spends its value in
	}{
		{fixture.Renamed(ring, "ring"), "cpu", ringPkg + "ringSpin"},
		{fixture.Renamed(allocs, "ring"), "alloc_space", ringPkg + "allocateBatches"},
		{fixture.Renamed(allocs, "ring"), "alloc_objects", ringPkg + "allocateBatches"},
	} {
		t.Run(tc.sampleType, func(t *testing.T) {
			before := tc.p.String()
			page, err := Page(tc.p, tc.sampleType, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.p.String() != before {
				t.Error("Page modified its profile")
			}
			frames, err := Frames(page)
			if err != nil {
				t.Fatal(err)
			}
			var self int64
			for _, f := range frames {
				self += f.Self
			}
			if want := total(t, tc.p, tc.sampleType); self != want {
				t.Errorf("the page's leaves add up to %d, want the profile's %s total %d", self, tc.sampleType, want)
			}
			if f, ok := frame(frames, tc.work); !ok || f.Self <= 0 {
				t.Errorf("no frame %s with a value of its own in %d frames", tc.work, len(frames))
			}
		})
	}
}

// TestPageAgainstBase checks -diff_base semantics on real profiles: head
// does base's work and as much again in a planted function, so the
// planted function is the frame that grew, and the difference adds up to
// head's total minus base's.
func TestPageAgainstBase(t *testing.T) {
	_, ring, _ := fixture.SharedProfiles(t)
	base, head := fixture.Renamed(ring, "ring"), fixture.Renamed(fixture.PlantedProfile(t), "ring")
	page, err := Page(head, "cpu", base)
	if err != nil {
		t.Fatal(err)
	}
	frames, err := Frames(page)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(frames, func(a, b Frame) int { return int(b.Self - a.Self) })
	if frames[0].Func != ringPkg+"plantedSpin" || frames[0].Self <= 0 {
		t.Errorf("the frame that grew most is %s (%+d), want %splantedSpin", frames[0].Func, frames[0].Self, ringPkg)
	}
	spin, _ := frame(frames, ringPkg+"ringSpin")
	if spin.Self > frames[0].Self/2 {
		t.Errorf("ringSpin changed by %+d, as much as the planted function (%+d): base's samples must count against head's", spin.Self, frames[0].Self)
	}
	var net int64
	for _, f := range frames {
		net += f.Self
	}
	if want := total(t, head, "cpu") - total(t, base, "cpu"); net != want {
		t.Errorf("the difference's leaves add up to %d, want head's total minus base's, %d", net, want)
	}
}

func TestPageRefusesAnUnknownSampleType(t *testing.T) {
	_, ring, _ := fixture.SharedProfiles(t)
	if _, err := Page(ring, "inuse_goroutines", nil); err == nil || !strings.Contains(err.Error(), "inuse_goroutines") {
		t.Errorf("Page with an unknown sample type: %v, want an error naming it", err)
	}
}

// TestSetEmbedsGraphsInOneDocument writes three graphs into a document and
// reads them back: pprof's script is stored once, every graph keeps its
// stacks, ids are unique, and nothing refers to the network.
func TestSetEmbedsGraphsInOneDocument(t *testing.T) {
	channel, ring, allocs := fixture.SharedProfiles(t)
	var s Set
	var doc bytes.Buffer
	want := map[string][]byte{}
	for _, g := range []struct {
		p          *profile.Profile
		sampleType string
	}{{ring, "cpu"}, {channel, "cpu"}, {allocs, "alloc_space"}} {
		gr, err := s.Add("flame-x", "x <&>", g.p, g.sampleType, nil)
		if err != nil {
			t.Fatal(err)
		}
		doc.WriteString(string(gr.HTML()))
		if want[gr.ID], err = Page(g.p, g.sampleType, nil); err != nil {
			t.Fatal(err)
		}
	}
	doc.WriteString(string(s.Script()))
	var blocks, plain int
	for _, b := range s.blocks {
		blocks += strings.Count(b, "function stackViewer(")
	}
	if blocks != 1 {
		t.Errorf("pprof's stackViewer is in the document's blocks %d times, want once", blocks)
	}
	for _, page := range want {
		plain += len(page)
	}
	if doc.Len() > plain/4 {
		t.Errorf("the document of 3 graphs weighs %d bytes, their pages %d: not stored once and compressed", doc.Len(), plain)
	}
	if strings.Contains(doc.String(), "x <&>") {
		t.Error("a title is not escaped")
	}
	got, err := Graphs(doc.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"flame-x", "flame-x-2", "flame-x-3"} {
		page, ok := got[id]
		if !ok {
			t.Errorf("no graph %s in the document (ids: %v)", id, keys(got))
			continue
		}
		g, err := Frames(page)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		w, _ := Frames(want[id])
		if !slices.Equal(g, w) {
			t.Errorf("%s draws other frames than pprof's page", id)
		}
		if !strings.Contains(string(page), reportStyle) {
			t.Errorf("%s does not hide pprof's menus", id)
		}
		if m := regexp.MustCompile(`(?i)https?://`).FindString(string(page)); m != "" {
			t.Errorf("%s contains %q", id, m)
		}
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
