# unumc — see README.md.
GO ?= go

.PHONY: all test golden lint fuzz chaos bench build clean

all: lint test

# The test command CI runs (.ci/run) and the README gives.
test:
	$(GO) test -race -count=1 ./...

# Rewrite golden files after reviewing the diff they would make.
golden:
	UNUM_UPDATE=1 $(GO) test ./golden/... ./lang/...

lint:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# At least 1,000 fault schedules for every pattern of the golden cases.
chaos:
	UNUMC_CHAOS_RUNS=$${UNUMC_CHAOS_RUNS:-1000} $(GO) test ./golden -run TestChaos -count=1 -timeout 6h -v

# Benchmarks: the suite's one table, medians over several runs as these
# machines are shared (docs/performance.md; BENCHFLAGS=-json for JSON). The
# Go benchmarks behind it, for benchstat comparisons of one change:
#   go test -run XXX -bench . -count 10 ./codegen/ ./targets/local/ ./cmd/unumbench/
bench:
	$(GO) run ./cmd/unumbench $(BENCHFLAGS)

fuzz:
	$(GO) test -run XXX -fuzz FuzzParse -fuzztime 60s ./lang/

build:
	$(GO) build -o bin/unumc ./cmd/unumc

clean:
	rm -rf bin
