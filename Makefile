# batchbench: run `make report` for the main job, `make test` before pushing.
GO        ?= go
OUT       ?= out
QUICK     ?=
COUNT     ?=
BENCHRUN  := $(GO) run ./cmd/benchrun

.PHONY: test bench fmt tidy report compare

# report runs the default suite (QUICK=1: the quick suite) and renders
# $(OUT)/report/report.html, report.md and plots/.
report:
	$(BENCHRUN) run $(if $(QUICK),-quick) -report -o $(OUT)/report

test:
	$(GO) vet ./...
	$(GO) test -race ./...

bench:
	$(GO) test -run '^$$' -bench . -count 6 ./impl/...

# compare is the pre-merge gate: BASE (a git revision, or a saved results
# directory) against the working tree. Exit status 1 means a regression.
compare:
	@test -n "$(BASE)" || { echo "usage: make compare BASE=<git revision or results dir> [QUICK=1]" >&2; exit 2; }
	$(BENCHRUN) compare -base $(BASE) $(if $(QUICK),-quick) -o $(OUT)/compare

fmt:
	gofmt -w $$(git ls-files '*.go')

tidy:
	$(GO) mod tidy
