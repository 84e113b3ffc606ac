package load

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzRead reads arbitrary bytes as a run's load record, as a report
// reads one from a saved directory: Read returns records whose shares are
// fractions of the machine, or an error naming the file, never a panic.
func FuzzRead(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, File), data, 0o644); err != nil {
			t.Fatal(err)
		}
		recs, err := Read(dir)
		if err != nil {
			if !strings.Contains(err.Error(), File) {
				t.Errorf("error %q does not name %s", err, File)
			}
			return
		}
		for _, r := range recs {
			if !(r.Others >= 0 && r.Others <= 1 && r.Steal >= 0 && r.Steal <= 1) || math.IsNaN(r.Load1) || r.Load1 < 0 || !(r.Seconds >= 0) {
				t.Errorf("Read accepted an impossible record %+v", r)
			}
			_ = r.Busy(DefaultThreshold)
		}
		Cells(Busy(recs, DefaultThreshold))
	})
}
