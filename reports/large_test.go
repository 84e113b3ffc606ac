package reports

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/batchbench/batchbench/reports/internal/fixture"
)

// writeLarge writes a results file of about lines result lines in the
// harness's shape: 30 cells of three implementations, many runs each.
func writeLarge(tb testing.TB, path string, lines int) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprint(w, "Unit cpu-ns/op better=lower\nUnit items/s better=higher\ngoos: linux\ngoarch: amd64\ncpu: Test CPU\nharness: batchbench test\ncommit: abc\n")
	impls := []string{"channel", "pooled", "ring"}
	for i := 0; i < lines; i++ {
		impl := impls[i%3]
		size := []int{10, 100, 1000, 10000, 100000, 1, 2, 3, 4, 5}[(i/3)%10]
		ns := 10 + float64(i%3)*100 + float64(i%17)/10
		fmt.Fprintf(w, "BenchmarkSize/impl=%s/size=%d-2 \t 100000\t %.4g ns/op\t %.4g cpu-ns/op\t %.4g items/s\t 0 B/op\t 0 allocs/op\n", impl, size, ns, ns*1.3, 1e9/ns)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkReportLargeFile renders a 384k-line results file. Compare its
// time and memory with `benchstat -col /impl` on the same file (the
// closing note of issue 9 gives the ratio); set REPORTS_LARGE_LINES for
// another size.
func BenchmarkReportLargeFile(b *testing.B) {
	lines := 384000
	if s := os.Getenv("REPORTS_LARGE_LINES"); s != "" {
		fmt.Sscan(s, &lines)
	}
	dir := b.TempDir()
	path := filepath.Join(dir, "results.txt")
	writeLarge(b, path, lines)
	fi, _ := os.Stat(path)
	b.SetBytes(fi.Size())
	b.ResetTimer()
	for range b.N {
		if _, err := Generate(Options{Inputs: fixture.Inputs(path), Impls: testImpls, Page: Page{OutDir: filepath.Join(dir, "out")}}); err != nil {
			b.Fatal(err)
		}
	}
}
