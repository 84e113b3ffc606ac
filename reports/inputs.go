package reports

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/batchbench/batchbench/internal/runconfig"
	"github.com/batchbench/batchbench/internal/rundir"
	"github.com/batchbench/batchbench/reports/table"
)

// Expanded is what a report's inputs hold once opened.
type Expanded struct {
	// Inputs are results files, labelled: the columns of a report.
	Inputs []table.Input
	// Compares are compare directories (one, or the shards of one
	// compare): their report is a gate's (see package compare).
	Compares []string
}

// Expand opens what each input names (see rundir.Find): a results file,
// a run's directory, a compare's, or a directory of shards. A results
// file keeps the input's label, or its path; the runs of a directory take
// the directory as given, so the shards of one directory are one column.
// Run directories given one by one that are shards of one split (the
// same number of shards and commit) are one column too, labelled by
// their parent directory, as that directory given whole would be. Every
// column's shards must be whole; runs and compares cannot be mixed.
func Expand(named []table.Input) (*Expanded, error) {
	e := &Expanded{}
	type pending struct {
		file string
		key  string // the split: shards and commit
	}
	var loose []pending // unlabelled run directories that are shards
	for _, in := range named {
		f, err := rundir.Find(in.Path)
		if err != nil {
			return nil, err
		}
		e.Compares = append(e.Compares, f.Compares...)
		label := in.Label
		if fi, err := os.Stat(in.Path); label == "" && err == nil && fi.IsDir() {
			label = in.Path // a directory: its runs are one column
		}
		if in.Label == "" && !f.Shards && len(f.Runs) == 1 && rundir.RunDir(f.Runs[0]) != "" {
			if sh, ok, err := rundir.ShardOf(f.Runs[0]); err != nil {
				return nil, err
			} else if ok {
				loose = append(loose, pending{f.Runs[0], fmt.Sprintf("%d\x00%s", sh.N, configOf(f.Runs[0], runconfig.Commit))})
				continue
			}
		}
		for _, run := range f.Runs {
			e.Inputs = append(e.Inputs, table.Input{Label: label, Path: run})
		}
	}
	if len(e.Compares) > 0 && (len(e.Inputs) > 0 || len(loose) > 0) {
		return nil, fmt.Errorf("give either compare outputs (%s/ and %s/) or run outputs, not both", rundir.Base, rundir.Head)
	}
	groups := map[string][]string{}
	var order []string
	for _, p := range loose {
		if _, ok := groups[p.key]; !ok {
			order = append(order, p.key)
		}
		groups[p.key] = append(groups[p.key], p.file)
	}
	for _, k := range order {
		label := commonParent(groups[k])
		for _, file := range groups[k] {
			e.Inputs = append(e.Inputs, table.Input{Label: label, Path: file})
		}
	}
	files := map[string][]string{}
	var labels []string
	for _, in := range e.Inputs {
		label := in.Label
		if label == "" {
			label = in.Path
		}
		if _, ok := files[label]; !ok {
			labels = append(labels, label)
		}
		files[label] = append(files[label], in.Path)
	}
	for _, l := range labels {
		if err := rundir.CheckShards(l, files[l]); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// commonParent is the directory holding the run directories of files,
// their deepest common ancestor.
func commonParent(files []string) string {
	parent := filepath.Dir(rundir.RunDir(files[0]))
	for _, f := range files[1:] {
		d := filepath.Dir(rundir.RunDir(f))
		for parent != d && !strings.HasPrefix(d, parent+string(filepath.Separator)) {
			next := filepath.Dir(parent)
			if next == parent {
				return parent
			}
			parent = next
		}
	}
	return parent
}

// configOf reads one configuration key of a results file's first
// configuration, "" when it has none or cannot be read.
func configOf(file, key string) string {
	res, err := table.Load(table.Input{Path: file})
	if err != nil || len(res.Inputs) == 0 {
		return ""
	}
	return res.Inputs[0].ConfigValue(key)
}
