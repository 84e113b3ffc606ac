// Package md writes the pieces of GitHub-flavoured Markdown the reports
// share: table rows and inline code that survive any text put in them.
package md

import (
	"fmt"
	"math"
	"strings"
)

// Cell escapes text for a table cell.
func Cell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ")
}

// Code is s as inline code, safe in a table cell; "" stays "".
func Code(s string) string {
	if s == "" {
		return ""
	}
	return "`" + strings.ReplaceAll(s, "|", `\|`) + "`"
}

// Row writes one table row of cells, which the caller has escaped.
func Row(w *strings.Builder, cells ...string) {
	w.WriteString("| " + strings.Join(cells, " | ") + " |\n")
}

// Align writes a table's alignment row: first for the first column, rest
// (e.g. "--:" for right-aligned) for the n others.
func Align(w *strings.Builder, first string, n int, rest string) {
	cells := []string{first}
	for range n {
		cells = append(cells, rest)
	}
	w.WriteString("|" + strings.Join(cells, "|") + "|\n")
}

// Percent writes a fraction as a percentage with at most one decimal:
// 0.05 as "5%", 0.0525 as "5.3%".
func Percent(f float64) string {
	s := fmt.Sprintf("%.1f", f*100)
	return strings.TrimSuffix(s, ".0") + "%"
}

// Resolution writes the smallest change a test resolves: a percentage,
// or "nothing at this count" when it resolves none (+Inf).
func Resolution(r float64) string {
	if math.IsInf(r, 1) {
		return "nothing at this count"
	}
	return Percent(r)
}
