# batchbench: run `make report` for the main job, `make test` before pushing.
GO        ?= go
OUT       ?= out
QUICK     ?=
COUNT     ?=
# BENCHRUN builds benchrun, then runs it: `go run` would turn each of its
# failing exit statuses into 1, and make's "Error 1" (blocked) and "Error
# 2" (inconclusive, or bad input) are benchrun's own. It builds as compare
# builds each side's workers (-trimpath, no VCS stamp), so that on a cold
# build cache the module is compiled once, not twice: the first make
# compare on a fresh machine spent 106 s building, now 54 s.
BENCHRUN  := $(GO) build -trimpath -buildvcs=false -o bin/benchrun ./cmd/benchrun && bin/benchrun

.PHONY: test lint bench fmt tidy report compare ci-local fuzz

# set-aside moves a previous run's directory $(1) to $(1).prev, replacing
# an older one: benchrun refuses to write over a run, and the last one
# stays at hand.
set-aside = if [ -e $(1) ]; then rm -rf $(1).prev && mv $(1) $(1).prev; fi

# report runs the default suite (QUICK=1: the quick suite) and renders
# $(OUT)/report/report.html, report.md and plots/. The previous report
# moves to $(OUT)/report.prev.
report:
	@$(call set-aside,$(OUT)/report)
	$(BENCHRUN) run $(if $(QUICK),-quick) -report -o $(OUT)/report

# EXAMPLES are modules of their own that use batchbench as a user would
# (examples/*/go.mod); test builds, vets and tests each of them too.
EXAMPLES := $(dir $(wildcard examples/*/go.mod))

test: lint
	$(GO) test -race ./...
	$(GO) test -race -tags plant ./impl/plant
	@for d in $(EXAMPLES); do echo "cd $$d && $(GO) vet ./... && $(GO) test -race ./..."; (cd $$d && $(GO) vet ./... && $(GO) test -race ./...) || exit 1; done

# lint is go vet, gofmt (it lists the files it would change, and fails)
# and actionlint (pinned in go.mod as a tool) on the workflows.
lint:
	$(GO) vet ./...
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then echo "gofmt -l: these files need gofmt (make fmt):" >&2; echo "$$unformatted" >&2; exit 1; fi
	$(GO) tool actionlint

bench:
	$(GO) test -run '^$$' -bench . -count 6 ./impl/...

# compare is the pre-merge gate: BASE (a git revision, or a saved results
# directory) against the working tree. It fails when the gate blocks or
# cannot tell; report.md's first line says which, and so does make's
# "Error 1" (blocked) or "Error 2" (inconclusive), benchrun's own status.
# The previous comparison moves to $(OUT)/compare.prev.
compare:
	@test -n "$(BASE)" || { echo "usage: make compare BASE=<git revision or results dir> [QUICK=1]" >&2; exit 2; }
	@$(call set-aside,$(OUT)/compare)
	$(BENCHRUN) compare -base $(BASE) $(if $(QUICK),-quick) -o $(OUT)/compare

# fuzz runs every fuzz target, one after another, for FUZZTIME each: the
# readers of files users and CI artifacts hand us. A crash is written to
# the target's testdata/fuzz/ as a new seed, which plain go test then runs,
# and fails the target.
FUZZTIME ?= 30s
FUZZ := ./reports/table:FuzzLoad ./reports/profiles:FuzzLoadIndex ./internal/profindex:FuzzRead \
	./internal/load:FuzzRead ./internal/history:FuzzRead ./reports/trend:FuzzTrend ./internal/rundir:FuzzShards
fuzz:
	@for t in $(FUZZ); do \
		echo "fuzz $${t##*:} in $${t%%:*} for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$${t##*:}$$" -fuzztime $(FUZZTIME) $${t%%:*} || exit 1; \
	done

fmt:
	gofmt -w $$(git ls-files '*.go')

tidy:
	$(GO) mod tidy

# ci-local runs the pull-request workflows' steps on this machine: each of
# SHARDS shards of BASE (default: the merge base with main) against the
# working tree, one after another, then the merge into one decision in
# $(OUT)/ci/gate, the job summary ($(OUT)/ci/summary.md) and the comment
# bench-comment.yml would post ($(OUT)/ci/comment.md). It exits with the
# decision, as the gate's check does.
SHARDS ?= 3
ci-local:
	@$(call set-aside,$(OUT)/ci)
	@base=$${BASE:-$$(git merge-base main HEAD)}; \
	for i in $$(seq 1 $(SHARDS)); do bash .ci/bench shard $$i $(SHARDS) "$$base" $(OUT)/ci/shards/shard-$$i || exit 2; done
	@status=0; bash .ci/bench merge $(OUT)/ci/shards $(OUT)/ci/gate || status=$$?; \
	bash .ci/publish summary $(OUT)/ci/gate $(OUT)/ci/summary.md; \
	bash .ci/publish comment $(OUT)/ci/gate "$(OUT)/ci/gate/report.html" > $(OUT)/ci/comment.md; \
	echo "ci-local: decision exit $$status; job summary $(OUT)/ci/summary.md, comment $(OUT)/ci/comment.md"; \
	exit $$status
