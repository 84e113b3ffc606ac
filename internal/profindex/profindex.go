// Package profindex is the profile index the harness writes beside its
// results: which CPU and allocation profile belongs to which cell. The
// harness writes it; reports read it.
//
// An index may come from an untrusted artifact (a pull request's CI run),
// so every path read through it is confined to the index's directory.
package profindex

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/batchbench/batchbench/internal/atomicfile"
)

// File is the name of the index inside a profile directory.
const File = "index.json"

// Index maps cells to their profiles. Paths are slash-separated and
// relative to the directory holding the index.
type Index struct {
	Cells []Entry `json:"cells"`
}

// Entry is one cell's profiles.
type Entry struct {
	Benchmark string `json:"benchmark"` // cell name, e.g. "Size/impl=ring/size=1000"
	Family    string `json:"family"`
	Impl      string `json:"impl"`
	Source    string `json:"source,omitempty"` // set in compare runs: "base" or "head"
	CPU       string `json:"cpu"`              // runtime/pprof CPU profile of one measured run
	Heap      string `json:"heap"`             // runtime/pprof allocs profile of the same run
}

// Write writes the index to dir/index.json atomically.
func (x *Index) Write(dir string) error {
	data, err := json.MarshalIndent(x, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, File), append(data, '\n'))
}

// Read reads dir/index.json.
func Read(dir string) (*Index, error) {
	data, err := os.ReadFile(filepath.Join(dir, File))
	if err != nil {
		return nil, err
	}
	var x Index
	if err := json.Unmarshal(data, &x); err != nil {
		return nil, fmt.Errorf("%s: %v", filepath.Join(dir, File), err)
	}
	return &x, nil
}

// Resolve returns the file an index entry's path names inside dir. It
// refuses absolute paths, paths that climb out with "..", and paths whose
// symbolic links lead outside dir, so a hostile index cannot make a
// reader open anything but the profiles beside it.
func Resolve(dir, rel string) (string, error) {
	if rel == "" || path.IsAbs(rel) || filepath.IsAbs(rel) || strings.Contains(rel, `\`) {
		return "", fmt.Errorf("profile path %q is not relative to the profile directory", rel)
	}
	clean := path.Clean(rel)
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return "", fmt.Errorf("profile path %q leaves the profile directory", rel)
	}
	full := filepath.Join(dir, filepath.FromSlash(clean))
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", err
	}
	real, err := filepath.EvalSymlinks(full)
	if err != nil {
		return "", err
	}
	if r, err := filepath.Rel(root, real); err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("profile path %q leads outside the profile directory", rel)
	}
	return full, nil
}
