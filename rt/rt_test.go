package rt_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/unumc/unumc/rt"
)

// memStore is an in-memory rt.Store for exercising the protocol.
type memStore struct {
	mu    sync.Mutex
	items map[string]rt.Item
	fail  func(op string) error // injected store failures
}

func newMemStore() *memStore { return &memStore{items: map[string]rt.Item{}} }

func (s *memStore) check(op string) error {
	if s.fail != nil {
		return s.fail(op)
	}
	return nil
}

func (s *memStore) Get(_ context.Context, keys ...string) (map[string]rt.Item, error) {
	if err := s.check("get"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]rt.Item{}
	for _, k := range keys {
		if it, ok := s.items[k]; ok {
			it.Set = append([]string(nil), it.Set...)
			out[k] = it
		}
	}
	return out, nil
}

func (s *memStore) Create(_ context.Context, it rt.Item) (*rt.Item, error) {
	if err := s.check("create"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.items[it.Key]; ok {
		return &old, nil
	}
	s.items[it.Key] = it
	return nil, nil
}

func (s *memStore) Add(_ context.Context, key, member string) ([]string, bool, error) {
	if err := s.check("add"); err != nil {
		return nil, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.items[key]
	if !ok {
		return nil, false, nil
	}
	found := false
	for _, m := range it.Set {
		found = found || m == member
	}
	if !found {
		it.Set = append(it.Set, member)
		sort.Strings(it.Set)
		s.items[key] = it
	}
	return append([]string(nil), it.Set...), true, nil
}

func (s *memStore) Delete(_ context.Context, keys ...string) error {
	if err := s.check("delete"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range keys {
		delete(s.items, k)
	}
	return nil
}

func (s *memStore) keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for k := range s.items {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// platform delivers envelopes from a queue in a seeded random order, with
// optional duplicates, retrying handler errors.
type platform struct {
	queue []*rt.Envelope
	mu    sync.Mutex
}

func (p *platform) Invoke(_ context.Context, env *rt.Envelope) error {
	data, _ := json.Marshal(env) // envelopes cross process boundaries: copy them
	var cp rt.Envelope
	json.Unmarshal(data, &cp)
	p.mu.Lock()
	p.queue = append(p.queue, &cp)
	p.mu.Unlock()
	return nil
}

type workflow map[string]*rt.Node

// execute runs a workflow to completion and returns its status.
func execute(t *testing.T, wf workflow, start string, input string, seed int64, dup float64) (*rt.Status, *memStore) {
	t.Helper()
	store := newMemStore()
	pl := &platform{}
	p := &rt.Platform{Store: store, Invoker: pl, FanOutConcurrency: 4}
	rng := rand.New(rand.NewSource(seed))
	pl.Invoke(context.Background(), &rt.Envelope{Version: rt.Version, Execution: "e1", Node: start, Input: json.RawMessage(input)})
	for steps := 0; len(pl.queue) > 0; steps++ {
		if steps > 10000 {
			t.Fatal("workflow does not finish")
		}
		i := rng.Intn(len(pl.queue))
		env := pl.queue[i]
		pl.queue = append(pl.queue[:i], pl.queue[i+1:]...)
		if rng.Float64() < dup {
			pl.queue = append(pl.queue, env) // deliver again later
		}
		env.Attempt++
		if err := rt.Handle(context.Background(), wf[env.Node], p, env); err != nil {
			if env.Attempt > 5 {
				t.Fatalf("%s: %v", env.Instance(), err)
			}
			pl.queue = append(pl.queue, env)
		}
	}
	got, _ := store.Get(context.Background(), rt.StatusKey("e1"))
	it, ok := got[rt.StatusKey("e1")]
	if !ok {
		t.Fatalf("no status; store holds %v", store.keys())
	}
	var st rt.Status
	if err := json.Unmarshal(it.Value, &st); err != nil {
		t.Fatal(err)
	}
	return &st, store
}

func add(n float64) rt.UserFunc {
	return rt.Func(func(_ context.Context, x float64) (float64, error) { return x + n, nil })
}

func sum(_ context.Context, xs []float64) (float64, error) {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s, nil
}

func node(w workflow, n *rt.Node) {
	n.Workflow, n.Name = "test", n.Ident
	w[n.Ident] = n
}

func assertClean(t *testing.T, store *memStore) {
	t.Helper()
	if keys := store.keys(); len(keys) != 1 || keys[0] != rt.StatusKey("e1") {
		t.Errorf("store holds %v, want only the status record", keys)
	}
}

func TestChainWithDuplicates(t *testing.T) {
	w := workflow{}
	node(w, &rt.Node{Ident: "a", Start: "a", Handle: func(ctx context.Context, x *rt.Invocation) error {
		res, err := x.Call(ctx, add(1))
		if res == nil {
			return err
		}
		return x.Goto(ctx, "b")
	}})
	node(w, &rt.Node{Ident: "b", Start: "a", Handle: func(ctx context.Context, x *rt.Invocation) error {
		res, err := x.Call(ctx, add(10))
		if res == nil {
			return err
		}
		return x.End(ctx)
	}})
	for seed := range int64(50) {
		st, store := execute(t, w, "a", "1", seed, 0.3)
		if diff := cmp.Diff(&rt.Status{State: rt.Succeeded, Output: json.RawMessage("12")}, st); diff != "" {
			t.Fatalf("seed %d: status (-want +got):\n%s", seed, diff)
		}
		assertClean(t, store)
	}
}

// mapWorkflow: a emits a list, map over it adding 100 in a two-node branch,
// with a limit, then sum.
func mapWorkflow(limit int) workflow {
	w := workflow{}
	fan := &rt.FanOut{Origin: "a", Join: "s", Heads: []string{"m1"}, Map: true, Items: rt.Path{"xs"}, Limit: limit}
	node(w, &rt.Node{Ident: "a", Start: "a", Handle: func(ctx context.Context, x *rt.Invocation) error {
		res, err := x.Call(ctx, nil)
		if res == nil {
			return err
		}
		return x.FanOut(ctx, fan)
	}})
	node(w, &rt.Node{Ident: "m1", Start: "a", Scopes: []*rt.FanOut{fan}, Handle: func(ctx context.Context, x *rt.Invocation) error {
		res, err := x.Call(ctx, add(50))
		if res == nil {
			return err
		}
		return x.Goto(ctx, "m2")
	}})
	node(w, &rt.Node{Ident: "m2", Start: "a", Scopes: []*rt.FanOut{fan}, Handle: func(ctx context.Context, x *rt.Invocation) error {
		res, err := x.Call(ctx, add(50))
		if res == nil {
			return err
		}
		if res.Failed() {
			return x.Fail(ctx, res.Failure)
		}
		return x.End(ctx)
	}})
	node(w, &rt.Node{Ident: "s", Start: "a", JoinOf: "a", Handle: func(ctx context.Context, x *rt.Invocation) error {
		res, err := x.Call(ctx, rt.Func(sum))
		if res == nil {
			return err
		}
		if res.Failed() {
			return x.Fail(ctx, res.Failure)
		}
		return x.End(ctx)
	}})
	return w
}

func TestMapJoinsInOrderUnderDuplicates(t *testing.T) {
	for _, limit := range []int{0, 2} {
		for _, n := range []int{0, 1, 5} {
			xs := make([]string, n)
			want := 0
			for i := range xs {
				xs[i] = fmt.Sprint(i)
				want += i + 100
			}
			input := `{"xs":[` + strings.Join(xs, ",") + `]}`
			for seed := range int64(20) {
				st, store := execute(t, mapWorkflow(limit), "a", input, seed, 0.25)
				if st.State != rt.Succeeded || string(st.Output) != fmt.Sprint(want) {
					t.Fatalf("limit %d, n %d, seed %d: got %+v, want output %d", limit, n, seed, st, want)
				}
				assertClean(t, store)
			}
		}
	}
}

func TestMapOverNonArrayFails(t *testing.T) {
	st, store := execute(t, mapWorkflow(0), "a", `{"xs": 3}`, 1, 0)
	if st.State != rt.Failed || st.Error != "States.Runtime" {
		t.Fatalf("got %+v, want States.Runtime failure", st)
	}
	assertClean(t, store)
}

type outOfStock struct{ item string }

func (e *outOfStock) Error() string { return e.item + " is out of stock" }

func TestUserErrorsAndPanicsFailTheExecution(t *testing.T) {
	for name, tc := range map[string]struct {
		fn        func(context.Context, int) (int, error)
		wantError string
		wantCause string
	}{
		"error type": {func(context.Context, int) (int, error) { return 0, &outOfStock{"tea"} }, "outOfStock", "tea is out of stock"},
		"plain":      {func(context.Context, int) (int, error) { return 0, errors.New("boom") }, "errorString", "boom"},
		"panic":      {func(context.Context, int) (int, error) { panic("oops") }, "string", "panic: oops"},
	} {
		t.Run(name, func(t *testing.T) {
			w := workflow{}
			node(w, &rt.Node{Ident: "a", Start: "a", Handle: func(ctx context.Context, x *rt.Invocation) error {
				res, err := x.Call(ctx, rt.Func(tc.fn))
				if res == nil {
					return err
				}
				if res.Failed() {
					return x.Fail(ctx, res.Failure)
				}
				return x.End(ctx)
			}})
			st, store := execute(t, w, "a", "1", 1, 0.3)
			if st.State != rt.Failed || st.Error != tc.wantError || st.Cause != tc.wantCause {
				t.Fatalf("got %+v, want %s: %s", st, tc.wantError, tc.wantCause)
			}
			assertClean(t, store)
		})
	}
}

func TestStoreFailuresAreRetried(t *testing.T) {
	w := mapWorkflow(1)
	store := newMemStore()
	rng := rand.New(rand.NewSource(7))
	store.fail = func(op string) error {
		if rng.Float64() < 0.2 {
			return fmt.Errorf("injected %s failure", op)
		}
		return nil
	}
	pl := &platform{}
	p := &rt.Platform{Store: store, Invoker: pl}
	pl.Invoke(context.Background(), &rt.Envelope{Version: rt.Version, Execution: "e1", Node: "a", Input: json.RawMessage(`{"xs":[1,2,3]}`)})
	for steps := 0; len(pl.queue) > 0; steps++ {
		if steps > 5000 {
			t.Fatal("does not finish")
		}
		env := pl.queue[0]
		pl.queue = pl.queue[1:]
		if err := rt.Handle(context.Background(), w[env.Node], p, env); err != nil {
			pl.queue = append(pl.queue, env)
		}
	}
	store.fail = nil
	got, _ := store.Get(context.Background(), rt.StatusKey("e1"))
	if v := string(got[rt.StatusKey("e1")].Value); v != `{"state":"succeeded","output":306}` {
		t.Fatalf("status %s", v)
	}
	assertClean(t, store)
}

func TestInstanceNames(t *testing.T) {
	env := &rt.Envelope{Node: "sq", Iter: 2, Frames: []rt.Frame{{Origin: "a", Index: 1, Width: 3, Iter: 0}, {Origin: "b", Index: 4, Width: 5, Iter: 3}}}
	if got, want := env.Instance(), "sq#2[1][4]#3"; got != want {
		t.Errorf("Instance() = %q, want %q", got, want)
	}
}

func TestLoopAndParallelUnderDuplicates(t *testing.T) {
	w := workflow{}
	fan := &rt.FanOut{Origin: "p", Join: "j", Heads: []string{"x1", "y1"}}
	node(w, &rt.Node{Ident: "step", Start: "step", Handle: func(ctx context.Context, x *rt.Invocation) error {
		res, err := x.Call(ctx, add(1))
		if res == nil {
			return err
		}
		v, err := res.Value()
		if err != nil {
			return err
		}
		if rt.Compare(v, rt.Path{}, rt.Lt, 5.0) {
			return x.Loop(ctx, "step")
		}
		return x.Goto(ctx, "p")
	}})
	node(w, &rt.Node{Ident: "p", Start: "step", Handle: func(ctx context.Context, x *rt.Invocation) error {
		res, err := x.Call(ctx, nil)
		if res == nil {
			return err
		}
		return x.FanOut(ctx, fan)
	}})
	chain := func(ident, next string, n float64) {
		node(w, &rt.Node{Ident: ident, Start: "step", Scopes: []*rt.FanOut{fan}, Handle: func(ctx context.Context, x *rt.Invocation) error {
			res, err := x.Call(ctx, add(n))
			if res == nil {
				return err
			}
			if next == "" {
				return x.End(ctx)
			}
			return x.Goto(ctx, next)
		}})
	}
	chain("x1", "x2", 10)
	chain("x2", "x3", 10)
	chain("x3", "", 10)
	chain("y1", "", 1000)
	node(w, &rt.Node{Ident: "j", Start: "step", JoinOf: "p", Handle: func(ctx context.Context, x *rt.Invocation) error {
		res, err := x.Call(ctx, rt.Func(func(_ context.Context, xs []float64) ([]float64, error) { return xs, nil }))
		if res == nil {
			return err
		}
		return x.End(ctx)
	}})
	for seed := range int64(300) {
		st, store := execute(t, w, "step", "0", seed, 0.3)
		if st.State != rt.Succeeded || string(st.Output) != "[35,1005]" {
			t.Fatalf("seed %d: got %+v, want [35,1005]", seed, st)
		}
		assertClean(t, store)
	}
}
