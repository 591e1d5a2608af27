package local

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/unumc/unumc/rt"
)

// The store's batches: what returns at once, what waits for the file, and
// what the file holds after a Close.

func (s *Store) versions() (version, synced uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.version, s.synced
}

func TestStoreDeferredChanges(t *testing.T) {
	ctx := context.Background()
	s, path := openTestStore(t)
	if _, err := s.Create(ctx, rt.Item{Key: "e/c/a", Value: []byte("1")}); err != nil {
		t.Fatal(err)
	}
	if v, synced := s.versions(); synced != v {
		t.Fatalf("a Create returned before its batch was written: version %d, synced %d", v, synced)
	}

	// A delete and a queued invocation return at once; reads see them.
	if n, err := s.remove([]string{"e/c/a"}); err != nil || n != 1 {
		t.Fatalf("remove = %d, %v", n, err)
	}
	e, err := s.enqueue(&rt.Envelope{Version: rt.Version, Execution: "e", Node: "b"})
	if err != nil {
		t.Fatal(err)
	}
	if v, synced := s.versions(); synced == v {
		t.Fatalf("the delete and the invocation waited for the file")
	}
	if got, _ := s.Get(ctx, "e/c/a"); len(got) != 0 {
		t.Errorf("Get after the delete: %v", got)
	}
	if q, _ := s.pending("e"); len(q) != 1 || q[0].key != e.key {
		t.Errorf("pending after enqueue: %v", q)
	}

	// The next Create writes them in its batch, before itself.
	if _, err := s.Create(ctx, rt.Item{Key: "e/c/b", Value: []byte("2")}); err != nil {
		t.Fatal(err)
	}
	if v, synced := s.versions(); synced != v {
		t.Errorf("after a Create: version %d, synced %d", v, synced)
	}

	// Without a Create, DeferFor bounds the wait.
	if err := s.done(e); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if v, synced := s.versions(); synced == v {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a deferred change was not written")
		}
		time.Sleep(DeferFor / 2)
	}

	// What was deferred is in the file once the store is closed.
	if _, err := s.remove([]string{"e/c/b"}); err != nil {
		t.Fatal(err)
	}
	e2, _ := s.enqueue(&rt.Envelope{Version: rt.Version, Execution: "e", Node: "c"})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "e/c/b"); err == nil {
		t.Error("Get after Close succeeded")
	}
	s2, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if items, _ := s2.List("e/"); len(items) != 0 {
		t.Errorf("after reopening: %v", items)
	}
	if q, _ := s2.pending("e"); len(q) != 1 || q[0].key != e2.key {
		t.Errorf("queue after reopening: %v", q)
	}
	// The sequence of queue keys goes on where it was.
	e3, _ := s2.enqueue(&rt.Envelope{Version: rt.Version, Execution: "e", Node: "d"})
	if e3.key <= e2.key {
		t.Errorf("queue key %s after %s", e3.key, e2.key)
	}
}

// Records read from a batch not yet written are returned only once it is.
func TestStoreReadWaitsForTheFile(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	s.Create(ctx, rt.Item{Key: "e/c/a", Value: []byte("1")})
	s.remove([]string{"e/c/a"})
	if _, err := s.Get(ctx, "e/c/a"); err != nil {
		t.Fatal(err)
	}
	if v, synced := s.versions(); synced != v {
		t.Errorf("Get of a deleted record returned before the delete was written: version %d, synced %d", v, synced)
	}
}

// Creates and Adds from many goroutines share batches, and each sees the
// ones before it: one winner per key, every member added.
func TestStoreConcurrentBatches(t *testing.T) {
	ctx := context.Background()
	s, path := openTestStore(t)
	const n = 64
	if _, err := s.Create(ctx, rt.Item{Key: "e/j/set", Value: []byte(`{"n":64}`)}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	winners := map[string]int{}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			key := fmt.Sprintf("e/c/k%d", i%8)
			existing, err := s.Create(ctx, rt.Item{Key: key, Value: []byte(fmt.Sprint(i))})
			if err != nil {
				t.Error(err)
				return
			}
			if existing == nil {
				mu.Lock()
				winners[key]++
				mu.Unlock()
			}
			if _, ok, err := s.Add(ctx, "e/j/set", fmt.Sprintf("%d\t%s", i, key)); err != nil || !ok {
				t.Errorf("Add: %v, %v", ok, err)
			}
			if i%3 == 0 {
				s.remove([]string{fmt.Sprintf("e/c/other%d", i)})
			}
		})
	}
	wg.Wait()
	for key, w := range winners {
		if w != 1 {
			t.Errorf("%s: %d Creates won", key, w)
		}
	}
	if len(winners) != 8 {
		t.Errorf("%d keys created, want 8", len(winners))
	}
	s.Close()
	s2, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	got, _ := s2.Get(ctx, "e/j/set")
	if m := len(got["e/j/set"].Set); m != n {
		t.Errorf("%d members after reopening, want %d", m, n)
	}
	if c, _, _ := s2.Count("e/c/"); c != 8 {
		t.Errorf("%d checkpoints after reopening, want 8", c)
	}
}
