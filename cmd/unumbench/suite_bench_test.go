package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/unumc/unumc/internal/runtest"
	"github.com/unumc/unumc/targets/local"
)

// The suite's measurements as Go benchmarks, for benchstat comparisons of
// one change: go test -run '^$' -bench . -count 10 ./cmd/unumbench/.
// unumbench itself prints the whole table.

func benchSuite(b *testing.B) *suite {
	b.Helper()
	s := &suite{sizes: quickSizes, quick: true, runs: 1, cache: filepath.Join(runtest.CacheDir(), "unumbench"),
		tmp: b.TempDir(), progress: discard{}}
	var err error
	if s.bench, err = benchModule(filepath.Join(s.cache, "module")); err != nil {
		b.Fatal(err)
	}
	return s
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// BenchmarkLoopIteration runs a loop of b.N iterations of one no-op node in
// one execution: ns/op is the time per iteration, a transition in a warm
// process.
func BenchmarkLoopIteration(b *testing.B) {
	s := benchSuite(b)
	ctx := context.Background()
	w, bins, err := s.compile(ctx, "bench_loop", loopSource("bench_loop", benchImport))
	if err != nil {
		b.Fatal(err)
	}
	input, _ := json.Marshal(map[string]int{"i": 0, "n": b.N})
	b.ResetTimer()
	if _, err := s.execute(ctx, w, bins, input); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkChainTransition runs a chain of 20 no-op nodes, each in a
// process started for it; it reports the time per transition.
func BenchmarkChainTransition(b *testing.B) {
	const n = 20
	s := benchSuite(b)
	ctx := context.Background()
	w, bins, err := s.compileChain(ctx, n)
	if err != nil {
		b.Fatal(err)
	}
	var total time.Duration
	for b.Loop() {
		x, err := s.execute(ctx, w, bins, json.RawMessage(`{}`))
		if err != nil {
			b.Fatal(err)
		}
		total += x.wall
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N*n), "ms/transition")
}

// BenchmarkFanOut runs a map of no-op branches and its join, end to end.
func BenchmarkFanOut(b *testing.B) {
	s := benchSuite(b)
	ctx := context.Background()
	w, bins, err := s.compile(ctx, "bench_fan", fanSource("bench_fan", benchImport))
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{1, 16, 128} {
		b.Run(fmt.Sprintf("branches=%d", n), func(b *testing.B) {
			input := itemsInput(n)
			for b.Loop() {
				if _, err := s.execute(ctx, w, bins, input); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkStartToReady starts a node program and waits for its handshake.
func BenchmarkStartToReady(b *testing.B) {
	s := benchSuite(b)
	ctx := context.Background()
	w, bins, err := s.compileChain(ctx, s.execChain)
	if err != nil {
		b.Fatal(err)
	}
	ident := w.Node(w.Start).Ident
	for b.Loop() {
		if _, err := local.Ready(ctx, bins.Paths[ident], w.Name, ident); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUnumToGo is the compiler without go build: .unum source of 1,000
// nodes to the Go source of every program.
func BenchmarkUnumToGo(b *testing.B) {
	src := []byte(compilerSource("bench_compiler", benchImport, 1000))
	for b.Loop() {
		if _, err := loadOnly(src); err != nil {
			b.Fatal(err)
		}
	}
}
