package local

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/unumc/unumc/rt"
)

func openTestStore(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state", "wf.db")
	s, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func TestStoreCreateConflictReturnsExisting(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	first := rt.Item{Key: "e/c/a", Value: []byte(`{"output":1}`)}
	if got, err := s.Create(ctx, first); err != nil || got != nil {
		t.Fatalf("first Create = %v, %v; want nil, nil", got, err)
	}
	got, err := s.Create(ctx, rt.Item{Key: "e/c/a", Value: []byte(`{"output":2}`)})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&first, got); diff != "" {
		t.Errorf("second Create returned (-want +got):\n%s", diff)
	}
	items, err := s.Get(ctx, "e/c/a", "e/c/missing")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]rt.Item{"e/c/a": first}, items); diff != "" {
		t.Errorf("Get after the conflict (-want +got):\n%s", diff)
	}
}

func TestStoreAdd(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	if set, ok, err := s.Add(ctx, "e/j/x", "0\ta"); err != nil || ok || set != nil {
		t.Fatalf("Add on a missing item = %v, %v, %v; want nil, false, nil", set, ok, err)
	}
	if items, _ := s.Get(ctx, "e/j/x"); len(items) != 0 {
		t.Fatalf("Add on a missing item created %v", items)
	}
	if _, err := s.Create(ctx, rt.Item{Key: "e/j/x", Value: []byte(`{"n":3}`), Set: []string{"b", "a", "b"}}); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		member string
		want   []string
	}{
		{"c", []string{"a", "b", "c"}},
		{"a", []string{"a", "b", "c"}}, // a duplicate changes nothing
		{"0", []string{"0", "a", "b", "c"}},
	} {
		set, ok, err := s.Add(ctx, "e/j/x", step.member)
		if err != nil || !ok {
			t.Fatalf("Add(%q) = %v, %v", step.member, ok, err)
		}
		if diff := cmp.Diff(step.want, set); diff != "" {
			t.Errorf("Add(%q) set (-want +got):\n%s", step.member, diff)
		}
	}
	items, _ := s.Get(ctx, "e/j/x")
	if diff := cmp.Diff([]string{"0", "a", "b", "c"}, items["e/j/x"].Set); diff != "" {
		t.Errorf("stored set (-want +got):\n%s", diff)
	}
	if got := string(items["e/j/x"].Value); got != `{"n":3}` {
		t.Errorf("Add changed the value to %s", got)
	}
}

func TestStoreDelete(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	s.Create(ctx, rt.Item{Key: "e/c/a", Value: []byte("1")})
	s.Create(ctx, rt.Item{Key: "e/c/b", Value: []byte("2")})
	n, err := s.remove([]string{"e/c/a", "e/c/missing"})
	if err != nil || n != 1 {
		t.Fatalf("remove = %d, %v; want 1, nil", n, err)
	}
	if err := s.Delete(ctx, "e/c/missing", "e/c/a"); err != nil {
		t.Fatalf("Delete of missing items: %v", err)
	}
	items, _ := s.List("e/")
	if len(items) != 1 || items[0].Key != "e/c/b" {
		t.Errorf("left after Delete: %v", items)
	}
}

func TestStoreExpiry(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	past := time.Now().Add(-time.Second)
	future := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	s.Create(ctx, rt.Item{Key: "e/c/old", Value: []byte("1"), Expires: past})
	s.Create(ctx, rt.Item{Key: "e/j/old", Value: []byte("1"), Expires: past})
	s.Create(ctx, rt.Item{Key: "e/c/new", Value: []byte("2"), Expires: future})

	items, _ := s.Get(ctx, "e/c/old", "e/c/new")
	if _, ok := items["e/c/old"]; ok || len(items) != 1 {
		t.Errorf("Get returned %v; want only the unexpired item", items)
	}
	if !items["e/c/new"].Expires.Equal(future) {
		t.Errorf("expiry read back as %v, want %v", items["e/c/new"].Expires, future)
	}
	if _, ok, _ := s.Add(ctx, "e/j/old", "x"); ok {
		t.Error("Add on an expired item succeeded")
	}
	if n, _, _ := s.Count("e/"); n != 1 {
		t.Errorf("Count = %d, want 1", n)
	}
	// Create over an expired item writes, as over a missing one.
	if got, err := s.Create(ctx, rt.Item{Key: "e/c/old", Value: []byte("3")}); err != nil || got != nil {
		t.Errorf("Create over an expired item = %v, %v", got, err)
	}
	if n, err := s.Sweep(); err != nil || n != 1 {
		t.Errorf("Sweep = %d, %v; want 1 (e/j/old)", n, err)
	}
	all, _ := s.List("")
	if diff := cmp.Diff([]string{"e/c/new", "e/c/old"}, itemKeys(all)); diff != "" {
		t.Errorf("after Sweep (-want +got):\n%s", diff)
	}
}

// itemKeys lists the keys of items, in their order.
func itemKeys(items []rt.Item) []string {
	keys := []string{}
	for _, it := range items {
		keys = append(keys, it.Key)
	}
	return keys
}

func TestStoreDurable(t *testing.T) {
	ctx := context.Background()
	s, path := openTestStore(t)
	s.Create(ctx, rt.Item{Key: "e/status", Value: []byte(`{"state":"succeeded","output":7}`)})
	s.Create(ctx, rt.Item{Key: "e/j/x", Value: []byte(`{"n":1}`), Set: []string{"0\te/c/y[0]"}})
	env := &rt.Envelope{Version: rt.Version, Execution: "e", Node: "b", Input: []byte(`1`), Pred: "e/c/a"}
	if _, err := s.enqueue(env); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s2, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	st, err := s2.Status("e")
	if err != nil || st == nil || st.State != rt.Succeeded || string(st.Output) != "7" {
		t.Errorf("Status after reopening = %+v, %v", st, err)
	}
	items, _ := s2.Get(ctx, "e/j/x")
	if diff := cmp.Diff([]string{"0\te/c/y[0]"}, items["e/j/x"].Set); diff != "" {
		t.Errorf("set after reopening (-want +got):\n%s", diff)
	}
	n, statuses, _ := s2.Count("e/")
	if n != 2 || statuses != 1 {
		t.Errorf("Count = %d, %d; want 2, 1", n, statuses)
	}
	queued, err := s2.pending("e")
	if err != nil || len(queued) != 1 {
		t.Fatalf("pending after reopening = %v, %v", queued, err)
	}
	if diff := cmp.Diff(env, queued[0].Env); diff != "" {
		t.Errorf("queued envelope (-want +got):\n%s", diff)
	}
	if other, _ := s2.pending("e2"); len(other) != 0 {
		t.Errorf("pending of another execution: %v", other)
	}
}

func TestStoreLocked(t *testing.T) {
	_, path := openTestStore(t)
	if _, err := OpenStore(path); err == nil {
		t.Fatal("a second OpenStore of an open state succeeded")
	}
}
