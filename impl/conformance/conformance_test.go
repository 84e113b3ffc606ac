package conformance_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/batchbench/batchbench/impl/conformance"
)

func TestValidate(t *testing.T) {
	good := conformance.Known{
		"ExactBound": {Verdict: conformance.Fails, Why: "no bound"},
		"Order":      {Verdict: conformance.DoesNotApply, Why: "no order"},
	}
	if err := good.Validate(); err != nil {
		t.Errorf("Validate of a good declaration = %v", err)
	}
	if err := conformance.Known(nil).Validate(); err != nil {
		t.Errorf("Validate of no declaration = %v", err)
	}
	for _, c := range []struct {
		known conformance.Known
		want  string
	}{
		{conformance.Known{"Nope": {Verdict: conformance.Fails, Why: "x"}}, `"Nope" is not a clause`},
		{conformance.Known{"Order": {Verdict: conformance.Holds, Why: "x"}}, `Order: verdict "holds"`},
		{conformance.Known{"Order": {Verdict: conformance.Fails}}, "Order: no reason given"},
	} {
		if err := c.known.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Validate(%v) = %v, want an error saying %q", c.known, err, c.want)
		}
	}
}

func TestMatrixRoundTrip(t *testing.T) {
	m := conformance.New(
		conformance.Column{Impl: "mutex"},
		conformance.Column{Impl: "mb", Module: "github.com/cheggaaa/mb/v3 v3.0.2",
			Known: conformance.Known{"ExactBound": {Verdict: conformance.Fails, Why: "w", Message: "m"}}},
	)
	m.Skipped = []conformance.Skipped{{Cell: "Size/impl=mb/size=10", Reason: "r"}}
	var b bytes.Buffer
	if err := m.Write(&b); err != nil {
		t.Fatal(err)
	}
	got, err := conformance.Read(&b)
	if err != nil {
		t.Fatal(err)
	}
	if got.Holding(got.Columns[0]) != len(conformance.Clauses) || got.Holding(got.Columns[1]) != len(conformance.Clauses)-1 {
		t.Errorf("holding %d and %d clauses after a round trip", got.Holding(got.Columns[0]), got.Holding(got.Columns[1]))
	}
	if x := got.Columns[1].Known["ExactBound"]; x.Message != "m" || got.Skipped[0].Reason != "r" {
		t.Errorf("round trip lost the exception or the skipped cell: %+v, %+v", x, got.Skipped)
	}
	for _, bad := range []string{
		`{"clauses": [{"name": "Order"}], "columns": [{"impl": "x", "known": {"Nope": {"verdict": "fails"}}}]}`,
		`{"clauses": [{"name": "Order"}], "columns": [{"impl": "x", "known": {"Order": {}}}]}`,
		`{"clauses": [], "extra": 1}`,
		`not json`,
	} {
		if _, err := conformance.Read(strings.NewReader(bad)); err == nil {
			t.Errorf("Read(%s) succeeded", bad)
		}
	}
}
