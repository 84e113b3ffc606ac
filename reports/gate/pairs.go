package gate

import (
	"fmt"
	"math"
	"os"
	"regexp"
	"slices"

	"golang.org/x/perf/benchfmt"

	"github.com/batchbench/batchbench/internal/runconfig"
	"github.com/batchbench/batchbench/reports/table"
)

// A Paired is one cell and unit of a compare measured in pairs: each
// pair is a base run and a head run of the cell, back to back in an order
// drawn at random, so the machine's drift, which moves both alike, leaves
// their ratio. The gate judges the log of each pair's ratio head/base.
type Paired struct {
	Name   string // the cell, e.g. "Size/impl=ring/size=1000"
	Unit   string // tidied, e.g. "sec/op"
	Better int    // as the unit's metadata says: +1 higher is better, -1 lower
	// Keys name the pairs, in the order base's file lists them; Base[i]
	// and Head[i] are pair Keys[i]'s values.
	Keys       []string
	Base, Head []float64
}

// LogRatios are the pairs' log(head/base); ok is false when a value is
// not positive, and the ratio has no log.
func (p *Paired) LogRatios() (d []float64, ok bool) {
	d = make([]float64, len(p.Keys))
	for i := range d {
		if !(p.Base[i] > 0 && p.Head[i] > 0) {
			return nil, false
		}
		d[i] = math.Log(p.Head[i] / p.Base[i])
	}
	return d, true
}

// A PairError is a paired cell whose pairs do not match: a pair key one
// side lacks or repeats, sides with different counts, or a pair whose two
// runs record different function layouts (runconfig.Layout).
type PairError struct {
	Cell string
	Why  string
}

func (e *PairError) Error() string { return fmt.Sprintf("cell %s: %s", e.Cell, e.Why) }

// ReadPairs reads base's and head's results files and matches their runs
// by the pair key (runconfig.Pair), cell by cell and unit by unit, in the
// order of base's runs. Files without pair keys give no pairs and no
// error: they were not measured in pairs, and are judged unpaired. A cell
// only one side has is left out (it is one-sided, or failed on the
// other); a cell whose pairs do not match is a *PairError naming it.
// Results that are not valid numbers are left out, as table.Load does.
func ReadPairs(base, head []table.Input) ([]*Paired, error) {
	var sides [2]map[string]*sideRuns
	units := benchfmt.UnitMetadataMap{}
	var order []string // cell and unit, in base's order
	paired := false
	for s, inputs := range [][]table.Input{base, head} {
		sides[s] = map[string]*sideRuns{}
		for _, in := range inputs {
			u, err := readRuns(in.Path, sides[s], func(k string) {
				if s == 0 {
					order = append(order, k)
				}
			}, &paired)
			if err != nil {
				return nil, err
			}
			for k, v := range u {
				units[k] = v
			}
		}
	}
	if !paired {
		return nil, nil
	}
	var out []*Paired
	for _, k := range order {
		b, h := sides[0][k], sides[1][k]
		if h == nil {
			continue
		}
		p := &Paired{Name: b.cell, Unit: b.unit, Better: units.GetBetter(b.unit)}
		if len(b.values) != len(h.values) {
			return nil, &PairError{b.cell, fmt.Sprintf("%s: base has %d runs and head %d", b.unit, len(b.values), len(h.values))}
		}
		for i, key := range b.keys {
			j := slices.Index(h.keys, key)
			switch {
			case key == "":
				return nil, &PairError{b.cell, "a base run without a pair key among paired runs"}
			case j < 0:
				return nil, &PairError{b.cell, fmt.Sprintf("pair %q is missing from head", key)}
			case b.layouts[i] != h.layouts[j]:
				return nil, &PairError{b.cell, fmt.Sprintf("pair %q ran base in layout %q and head in %q", key, b.layouts[i], h.layouts[j])}
			}
			p.Keys, p.Base, p.Head = append(p.Keys, key), append(p.Base, b.values[i]), append(p.Head, h.values[j])
		}
		out = append(out, p)
	}
	return out, nil
}

// sideRuns are one side's runs of a cell and unit.
type sideRuns struct {
	cell, unit string
	keys       []string
	values     []float64
	layouts    []string // runconfig.Layout of each run, "" where none is recorded
}

var procsSuffix = regexp.MustCompile(`-\d+$`)

// readRuns reads a results file's runs into runs, by cell and unit,
// calling first for each cell and unit seen for the first time, and
// returns the file's unit metadata. A pair key seen twice for one cell is
// a *PairError; any pair key sets paired.
func readRuns(path string, runs map[string]*sideRuns, first func(string), paired *bool) (benchfmt.UnitMetadataMap, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := benchfmt.NewReader(f, path)
	for r.Scan() {
		res, ok := r.Result().(*benchfmt.Result)
		if !ok {
			continue
		}
		key := res.GetConfig(runconfig.Pair)
		*paired = *paired || key != ""
		cell := procsSuffix.ReplaceAllString(string(res.Name), "")
		for _, v := range res.Values {
			if math.IsNaN(v.Value) || math.IsInf(v.Value, 0) {
				continue
			}
			k := cell + "\x00" + v.Unit
			s := runs[k]
			if s == nil {
				s = &sideRuns{cell: cell, unit: v.Unit}
				runs[k] = s
				first(k)
			}
			if key != "" && slices.Contains(s.keys, key) {
				return nil, &PairError{cell, fmt.Sprintf("pair %q appears twice in %s", key, path)}
			}
			s.keys, s.values = append(s.keys, key), append(s.values, v.Value)
			s.layouts = append(s.layouts, string(res.GetConfig(runconfig.Layout)))
		}
	}
	return r.Units(), r.Err()
}
