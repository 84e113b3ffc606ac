package harness

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/batchbench/batchbench/internal/atomicfile"
)

// IndexFile is the name of the profile index inside a profile directory.
const IndexFile = "index.json"

// ProfileIndex maps cells to their profiles. Paths are slash-separated and
// relative to the directory holding the index.
type ProfileIndex struct {
	Cells []ProfileEntry `json:"cells"`
}

// ProfileEntry is one cell's profiles.
type ProfileEntry struct {
	Benchmark string `json:"benchmark"` // cell name, e.g. "Size/impl=ring/size=1000"
	Family    string `json:"family"`
	Impl      string `json:"impl"`
	Source    string `json:"source,omitempty"` // set in compare runs: "base" or "head"
	CPU       string `json:"cpu"`              // runtime/pprof CPU profile of one measured run
	Heap      string `json:"heap"`             // runtime/pprof allocs profile of the same run
}

func (x *ProfileIndex) write(dir string) error {
	data, err := json.MarshalIndent(x, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, IndexFile), append(data, '\n'))
}

// ReadProfileIndex reads dir/index.json.
func ReadProfileIndex(dir string) (*ProfileIndex, error) {
	data, err := os.ReadFile(filepath.Join(dir, IndexFile))
	if err != nil {
		return nil, err
	}
	var x ProfileIndex
	if err := json.Unmarshal(data, &x); err != nil {
		return nil, fmt.Errorf("%s: %v", filepath.Join(dir, IndexFile), err)
	}
	return &x, nil
}
