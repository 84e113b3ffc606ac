# batchbench: run `make report` for the main job, `make test` before pushing.
GO        ?= go
OUT       ?= out
QUICK     ?=
COUNT     ?=
BENCHRUN  := $(GO) run ./cmd/benchrun

.PHONY: test bench fmt tidy report compare

test:
	$(GO) vet ./...
	$(GO) test -race ./...

bench:
	$(GO) test -run '^$$' -bench . -count 6 ./impl/...

fmt:
	gofmt -w $$(git ls-files '*.go')

tidy:
	$(GO) mod tidy
