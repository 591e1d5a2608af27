package fstore

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cloud.google.com/go/firestore"

	"github.com/unumc/unumc/rt"
	"github.com/unumc/unumc/targets/gcp/internal/emulator"
)

func TestMain(m *testing.M) { os.Exit(emulator.Main(m)) }

var collections atomic.Int64

// newStore is a Store on a fresh collection of the emulator.
func newStore(t *testing.T) *Store {
	t.Helper()
	emulator.Need(t)
	ctx := context.Background()
	c, err := firestore.NewClient(ctx, "unumc-test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return New(c, fmt.Sprintf("t%d-%d", time.Now().UnixNano(), collections.Add(1)))
}

func TestCreateGetDelete(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	key := "exec-1/c/square[3]#2"
	if old, err := s.Create(ctx, rt.Item{Key: key, Value: []byte(`{"x":1}`)}); err != nil || old != nil {
		t.Fatalf("first Create = %v, %v; want nil, nil", old, err)
	}
	old, err := s.Create(ctx, rt.Item{Key: key, Value: []byte(`{"x":2}`)})
	if err != nil || old == nil || string(old.Value) != `{"x":1}` || old.Key != key {
		t.Fatalf("second Create = %+v, %v; want the first item", old, err)
	}
	got, err := s.Get(ctx, key, "exec-1/status", key)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || string(got[key].Value) != `{"x":1}` {
		t.Fatalf("Get = %+v; want only %s with the first value", got, key)
	}
	if err := s.Delete(ctx, key, "exec-1/missing"); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(ctx, key); err != nil || len(got) != 0 {
		t.Fatalf("after Delete, Get = %v, %v", got, err)
	}
	if err := s.Delete(ctx, key); err != nil {
		t.Fatalf("deleting a missing item: %v", err)
	}
}

func TestExpiredItemsAreAbsent(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	past := time.Now().Add(-time.Minute).Truncate(time.Second)
	if _, err := s.Create(ctx, rt.Item{Key: "e/c/a", Value: []byte("old"), Expires: past}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(ctx, "e/c/a"); len(got) != 0 {
		t.Fatalf("Get returned an expired item: %+v", got)
	}
	if _, ok, err := s.Add(ctx, "e/c/a", "m"); ok || err != nil {
		t.Fatalf("Add to an expired item = ok %v, %v; want not found", ok, err)
	}
	future := time.Now().Add(time.Hour).Truncate(time.Second)
	old, err := s.Create(ctx, rt.Item{Key: "e/c/a", Value: []byte("new"), Expires: future})
	if err != nil || old != nil {
		t.Fatalf("Create over an expired item = %+v, %v; want it written", old, err)
	}
	got, err := s.Get(ctx, "e/c/a")
	if err != nil || string(got["e/c/a"].Value) != "new" || !got["e/c/a"].Expires.Equal(future) {
		t.Fatalf("Get = %+v, %v; want the new item expiring at %v", got, err, future)
	}
}

func TestAdd(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	if _, ok, err := s.Add(ctx, "e/j/x", "0\tk"); ok || err != nil {
		t.Fatalf("Add without the item = ok %v, err %v; want false, nil", ok, err)
	}
	if got, _ := s.Get(ctx, "e/j/x"); len(got) != 0 {
		t.Fatalf("Add created the item: %+v", got)
	}
	if _, err := s.Create(ctx, rt.Item{Key: "e/j/x", Value: []byte(`{"n":3}`)}); err != nil {
		t.Fatal(err)
	}
	set, ok, err := s.Add(ctx, "e/j/x", "1\tb")
	if err != nil || !ok || !slices.Equal(set, []string{"1\tb"}) {
		t.Fatalf("Add = %q, %v, %v", set, ok, err)
	}
	set, _, _ = s.Add(ctx, "e/j/x", "0\ta")
	set2, _, _ := s.Add(ctx, "e/j/x", "0\ta")
	if want := []string{"0\ta", "1\tb"}; !slices.Equal(set, want) || !slices.Equal(set2, want) {
		t.Fatalf("sets after adding 0 twice: %q, %q; want %q", set, set2, want)
	}
	got, _ := s.Get(ctx, "e/j/x")
	if it := got["e/j/x"]; string(it.Value) != `{"n":3}` || !slices.Equal(it.Set, []string{"0\ta", "1\tb"}) {
		t.Fatalf("item = %+v", it)
	}
}

// TestConcurrentAdds is a fan-in of many branches finishing at once: every
// member ends up in the set, and exactly one Add sees the set complete.
func TestConcurrentAdds(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	const n = 24
	if _, err := s.Create(ctx, rt.Item{Key: "e/j/o", Value: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var complete atomic.Int64
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			set, ok, err := s.Add(ctx, "e/j/o", fmt.Sprintf("%d\tk", i))
			if err != nil || !ok {
				errs <- fmt.Errorf("Add %d: ok %v, %v", i, ok, err)
				return
			}
			if !slices.Contains(set, fmt.Sprintf("%d\tk", i)) || len(set) > n {
				errs <- fmt.Errorf("Add %d: set %q lacks the member", i, set)
			}
			if len(set) == n {
				complete.Add(1)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if complete.Load() != 1 {
		t.Errorf("%d Adds saw the set complete, want exactly the one that completed it", complete.Load())
	}
	got, _ := s.Get(ctx, "e/j/o")
	if len(got["e/j/o"].Set) != n {
		t.Errorf("set has %d members, want %d", len(got["e/j/o"].Set), n)
	}
	t.Logf("%d of %d Adds saw the set complete", complete.Load(), n)
}

func TestDeleteMany(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	var keys []string
	for i := range 45 {
		k := fmt.Sprintf("e/c/b[%d]", i)
		keys = append(keys, k)
		if _, err := s.Create(ctx, rt.Item{Key: k, Value: []byte("v")}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Delete(ctx, append(keys, "e/c/none", keys[0])...); err != nil {
		t.Fatal(err)
	}
	items, err := s.List(ctx, "e/")
	if err != nil || len(items) != 0 {
		t.Fatalf("after deleting all: %d items, %v", len(items), err)
	}
	if got := DeleteRequests(46); got != 3 {
		t.Errorf("DeleteRequests(46) = %d, want 3", got)
	}
}

func TestKeysRoundTrip(t *testing.T) {
	for _, k := range []string{"e/c/a[1]#2[0]", "e/status", "a.b_c-d/j/x%y", "__x__/c/y"} {
		id := DocID(k)
		if slices.Contains([]byte(id), '/') {
			t.Errorf("DocID(%q) = %q has a slash", k, id)
		}
		if back, err := KeyOf(id); err != nil || back != k {
			t.Errorf("KeyOf(DocID(%q)) = %q, %v", k, back, err)
		}
	}
}
