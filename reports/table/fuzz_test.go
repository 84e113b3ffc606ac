package table_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/batchbench/batchbench/reports/table"
)

// FuzzLoad reads arbitrary bytes as a results file, the way a report
// reads a user's or a CI artifact's: Load and Build with benchstat's
// defaults and with the harness's tables and implementation columns must
// return tables or an error, never panic, and never change the file.
// Every syntax error names the file and line.
func FuzzLoad(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "results.txt")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		res, err := table.Load(table.Input{Path: path}, table.Input{Label: "head", Path: path})
		if err != nil {
			return
		}
		for _, e := range res.SyntaxErrors {
			if !strings.HasPrefix(e, path+":") {
				t.Errorf("syntax error %q does not name the file and line", e)
			}
		}
		for _, cfg := range []table.Config{{}, {Table: ".config,.name", Col: "/impl", Baseline: "channel"}, {Col: ".file", Baseline: "head"}} {
			if _, err := table.Build(res, cfg); err != nil {
				continue
			}
		}
		if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, data) {
			t.Errorf("reading changed the file")
		}
	})
}
