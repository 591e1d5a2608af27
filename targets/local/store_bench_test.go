package local

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/unumc/unumc/rt"
)

// The state file's work per request, apart from the processes: what a
// transition costs in bbolt transactions and syncs.

func benchStore(b *testing.B) *Store {
	b.Helper()
	s, err := OpenStore(filepath.Join(b.TempDir(), "wf.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkStoreCreate commits one checkpoint per op, one request after
// the other.
func BenchmarkStoreCreate(b *testing.B) {
	ctx := context.Background()
	s := benchStore(b)
	i := 0
	for b.Loop() {
		i++
		if _, err := s.Create(ctx, rt.Item{Key: fmt.Sprintf("e/c/n%d", i), Value: []byte(`{"output":{}}`)}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStoreCreateParallel commits checkpoints from many goroutines
// at once, as the branches of a fan-out do.
func BenchmarkStoreCreateParallel(b *testing.B) {
	ctx := context.Background()
	s := benchStore(b)
	var n atomic.Int64
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Create(ctx, rt.Item{Key: fmt.Sprintf("e/c/n%d", n.Add(1)), Value: []byte(`{"output":{}}`)}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkStoreTransition is the store's side of one chain transition:
// the pre-check, the commit, the delete of the predecessor's checkpoint,
// the successor's invocation queued, and the delivery marked done.
func BenchmarkStoreTransition(b *testing.B) {
	ctx := context.Background()
	s := benchStore(b)
	env := &rt.Envelope{Version: rt.Version, Execution: "e", Node: "n0"}
	prev, err := s.enqueue(env)
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		i++
		key, pred := fmt.Sprintf("e/c/n%d", i), fmt.Sprintf("e/c/n%d", i-1)
		if _, err := s.Get(ctx, key, rt.StatusKey("e"), pred); err != nil {
			b.Fatal(err)
		}
		if _, err := s.Create(ctx, rt.Item{Key: key, Value: []byte(`{"output":{}}`)}); err != nil {
			b.Fatal(err)
		}
		if _, err := s.remove([]string{pred}); err != nil {
			b.Fatal(err)
		}
		next, err := s.enqueue(&rt.Envelope{Version: rt.Version, Execution: "e", Node: "n", Pred: key})
		if err != nil {
			b.Fatal(err)
		}
		if err := s.done(prev); err != nil {
			b.Fatal(err)
		}
		prev = next
	}
}

// BenchmarkStoreFanIn adds the ends of n branches to a fan-in set, one
// request each, as the branches of a map do: each request rewrites the
// set and returns it whole.
func BenchmarkStoreFanIn(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{16, 1024} {
		b.Run(fmt.Sprintf("branches=%d", n), func(b *testing.B) {
			s := benchStore(b)
			round := 0
			for b.Loop() {
				round++
				key := fmt.Sprintf("e/j/o%d", round)
				if _, err := s.Create(ctx, rt.Item{Key: key, Value: []byte(fmt.Sprintf(`{"n":%d}`, n))}); err != nil {
					b.Fatal(err)
				}
				for i := range n {
					if _, _, err := s.Add(ctx, key, fmt.Sprintf("%d\te/c/branch[%d]", i, i)); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
