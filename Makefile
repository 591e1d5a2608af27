# unumc — see README.md.
GO ?= go

.PHONY: all test golden lint fuzz build clean

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

fuzz:
	$(GO) test -run XXX -fuzz FuzzParse -fuzztime 60s ./lang/

build:
	$(GO) build -o bin/unumc ./cmd/unumc

clean:
	rm -rf bin
