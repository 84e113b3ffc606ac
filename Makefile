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

fmt:
	gofmt -w $$(git ls-files '*.go')

tidy:
	$(GO) mod tidy
