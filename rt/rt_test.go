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
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/unumc/unumc/rt"
	"github.com/unumc/unumc/rt/unumctx"
)

// memStore is an in-memory rt.Store for exercising the protocol.
type memStore struct {
	mu      sync.Mutex
	items   map[string]rt.Item
	created map[string]bool       // every key ever created
	fail    func(op string) error // injected store failures
}

func newMemStore() *memStore {
	return &memStore{items: map[string]rt.Item{}, created: map[string]bool{}}
}

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
	s.created[it.Key] = true
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

// collectByExpiry makes the sweeps run with rt.Platform.CollectByExpiry
// (see TestCollectByExpiry).
var collectByExpiry bool

// elementRecords makes them run with rt.Platform.ElementRecords, and
// inlineLimit with that rt.Platform.InlineLimit.
var (
	elementRecords bool
	inlineLimit    int
)

// stepLimit bounds the deliveries of one crash schedule.
var stepLimit = 20000

// platformFor makes the Platform of a sweep.
func platformFor(store rt.Store, inv rt.Invoker, fanOut int) *rt.Platform {
	p := &rt.Platform{Store: store, Invoker: inv, FanOutConcurrency: fanOut, ElementRecords: elementRecords, InlineLimit: inlineLimit}
	if collectByExpiry {
		p.CollectByExpiry, p.CheckpointTTL, p.StatusTTL = true, time.Hour, 24*time.Hour
	}
	return p
}

// execute runs a workflow to completion and returns its status.
func execute(t *testing.T, wf workflow, start string, input string, seed int64, dup float64) (*rt.Status, *memStore) {
	t.Helper()
	store := newMemStore()
	pl := &platform{}
	p := platformFor(store, pl, 4)
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
	if collectByExpiry {
		// Nothing is deleted, but everything expires.
		store.mu.Lock()
		defer store.mu.Unlock()
		for k, it := range store.items {
			if it.Expires.IsZero() {
				t.Errorf("record %s never expires", k)
			}
		}
		return
	}
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

// loopParallel loops a node five times, then runs a parallel of a three-node
// chain and a single node.
func loopParallel() workflow {
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
	return w
}

func TestLoopAndParallelUnderDuplicates(t *testing.T) {
	w := loopParallel()
	for seed := range int64(300) {
		st, store := execute(t, w, "step", "0", seed, 0.3)
		if st.State != rt.Succeeded || string(st.Output) != "[35,1005]" {
			t.Fatalf("seed %d: got %+v, want [35,1005]", seed, st)
		}
		assertClean(t, store)
	}
}

// crashing wraps a store and an invoker for one delivery: after Fault
// decides to crash, the delivery's process is dead, so none of its later
// requests take effect.
type crashing struct {
	store   rt.Store
	invoker rt.Invoker
	dead    atomic.Bool
}

var errCrashed = errors.New("process crashed")

func (c *crashing) Get(ctx context.Context, keys ...string) (map[string]rt.Item, error) {
	if c.dead.Load() {
		return nil, errCrashed
	}
	return c.store.Get(ctx, keys...)
}

func (c *crashing) Create(ctx context.Context, it rt.Item) (*rt.Item, error) {
	if c.dead.Load() {
		return nil, errCrashed
	}
	ex, err := c.store.Create(ctx, it)
	trace("  create %s existing=%v", it.Key, ex != nil)
	return ex, err
}

func (c *crashing) Add(ctx context.Context, key, member string) ([]string, bool, error) {
	if c.dead.Load() {
		return nil, false, errCrashed
	}
	return c.store.Add(ctx, key, member)
}

func (c *crashing) Delete(ctx context.Context, keys ...string) error {
	if c.dead.Load() {
		return errCrashed
	}
	trace("  delete %v", keys)
	return c.store.Delete(ctx, keys...)
}

// traceLog, when a test sets it, records the deliveries and writes of
// executeWithCrashes, to explain a failing schedule.
var traceLog *[]string

func trace(format string, args ...any) {
	if traceLog != nil {
		*traceLog = append(*traceLog, fmt.Sprintf(format, args...))
	}
}

func (c *crashing) Invoke(ctx context.Context, env *rt.Envelope) error {
	if c.dead.Load() {
		return errCrashed
	}
	return c.invoker.Invoke(ctx, env)
}

// executeWithCrashes runs a workflow where every delivery may crash at any
// fault point and envelopes may be delivered twice, in a random order.
func executeWithCrashes(t *testing.T, wf workflow, start, input string, seed int64) (*rt.Status, *memStore, map[string]int) {
	t.Helper()
	store := newMemStore()
	pl := &platform{}
	rng := rand.New(rand.NewSource(seed))
	points := map[string]int{}
	pl.Invoke(context.Background(), &rt.Envelope{Version: rt.Version, Execution: "e1", Node: start, Input: json.RawMessage(input)})
	for steps := 0; len(pl.queue) > 0; steps++ {
		if steps > stepLimit {
			t.Fatalf("seed %d: workflow does not finish", seed)
		}
		i := rng.Intn(len(pl.queue))
		env := pl.queue[i]
		pl.queue = append(pl.queue[:i], pl.queue[i+1:]...)
		if rng.Float64() < 0.15 {
			pl.queue = append(pl.queue, env)
		}
		env.Attempt++
		trace("deliver %s attempt %d pred %s", env.Instance(), env.Attempt, env.Pred)
		c := &crashing{store: store, invoker: pl}
		var mu sync.Mutex
		crashAt := rng.Float64() * 0.6 // how eager this delivery is to crash
		p := platformFor(c, c, 2)
		p.Fault = func(point string, _ *rt.Envelope, _ int) {
			mu.Lock()
			defer mu.Unlock()
			if env.Attempt < 6 && !c.dead.Load() && rng.Float64() < crashAt {
				trace("  crash at %s", point)
				points[point]++
				c.dead.Store(true)
			}
		}
		if err := rt.Handle(context.Background(), wf[env.Node], p, env); err != nil || c.dead.Load() {
			if env.Attempt > 20 {
				t.Fatalf("seed %d: %s: %v", seed, env.Instance(), err)
			}
			pl.queue = append(pl.queue, env)
		}
	}
	got, _ := store.Get(context.Background(), rt.StatusKey("e1"))
	var st rt.Status
	if err := json.Unmarshal(got[rt.StatusKey("e1")].Value, &st); err != nil {
		t.Fatalf("seed %d: no status; store holds %v", seed, store.keys())
	}
	return &st, store, points
}

// TestCrashAtEveryFaultPoint sweeps seeded schedules of crashes at every
// point the protocol names, with duplicates and random order, over a chain,
// a bounded map and a loop around a parallel.
func TestCrashAtEveryFaultPoint(t *testing.T) {
	points := map[string]int{}
	count := func(p map[string]int) {
		for k, v := range p {
			points[k] += v
		}
	}
	for seed := range int64(400) {
		st, store, p := executeWithCrashes(t, mapWorkflow(2), "a", `{"xs":[1,2,3,4,5]}`, seed)
		count(p)
		if st.State != rt.Succeeded || string(st.Output) != "515" {
			t.Fatalf("map, seed %d: %+v", seed, st)
		}
		assertClean(t, store)
	}
	for seed := range int64(400) {
		st, store, p := executeWithCrashes(t, loopParallel(), "step", "0", seed)
		count(p)
		if st.State != rt.Succeeded || string(st.Output) != "[35,1005]" {
			t.Fatalf("loop and parallel, seed %d: %+v", seed, st)
		}
		assertClean(t, store)
	}
	for seed := range int64(400) {
		st, store, p := executeWithCrashes(t, mapWorkflow(0), "a", `{"xs":[]}`, seed)
		count(p)
		if st.State != rt.Succeeded || string(st.Output) != "0" {
			t.Fatalf("empty map, seed %d: %+v", seed, st)
		}
		assertClean(t, store)
	}
	for _, p := range []string{rt.FaultBeforeCall, rt.FaultAfterCall, rt.FaultAfterCommit, rt.FaultInvoke, rt.FaultAfterJoinAdd, rt.FaultBeforeCollect} {
		if points[p] == 0 {
			t.Errorf("no schedule crashed at %s", p)
		}
	}
	t.Logf("crashes by point: %v", points)
}

// nested is a map of parallels whose first branch is itself a map:
// a -> map .cats { cat -> parallel { sub -> map . { sq } -> sum ; cnt } -> comb } -> total
func nested() workflow {
	w := workflow{}
	outer := &rt.FanOut{Origin: "a", Join: "total", Heads: []string{"cat"}, Map: true, Items: rt.Path{"cats"}}
	par := &rt.FanOut{Origin: "cat", Join: "comb", Heads: []string{"sub", "cnt"}}
	inner := &rt.FanOut{Origin: "sub", Join: "sum", Heads: []string{"sq"}, Map: true, Items: rt.Path{}}
	step := func(ident string, scopes []*rt.FanOut, joinOf string, fn rt.UserFunc, then func(ctx context.Context, x *rt.Invocation) error) {
		node(w, &rt.Node{Ident: ident, Start: "a", Scopes: scopes, JoinOf: joinOf, Handle: func(ctx context.Context, x *rt.Invocation) error {
			res, err := x.Call(ctx, fn)
			if res == nil {
				return err
			}
			if res.Failed() {
				return x.Fail(ctx, res.Failure)
			}
			return then(ctx, x)
		}})
	}
	end := func(ctx context.Context, x *rt.Invocation) error { return x.End(ctx) }
	fan := func(f *rt.FanOut) func(ctx context.Context, x *rt.Invocation) error {
		return func(ctx context.Context, x *rt.Invocation) error { return x.FanOut(ctx, f) }
	}
	count := rt.Func(func(_ context.Context, xs []float64) (float64, error) { return float64(len(xs)), nil })
	list := rt.Func(func(_ context.Context, xs []any) ([]any, error) { return xs, nil })
	step("a", nil, "", nil, fan(outer))
	step("cat", []*rt.FanOut{outer}, "", nil, fan(par))
	step("sub", []*rt.FanOut{outer, par}, "", nil, fan(inner))
	step("sq", []*rt.FanOut{outer, par, inner}, "", add(1), end)
	step("sum", []*rt.FanOut{outer, par}, "sub", rt.Func(sum), end)
	step("cnt", []*rt.FanOut{outer, par}, "", count, end)
	step("comb", []*rt.FanOut{outer}, "cat", list, end)
	step("total", nil, "a", list, end)
	return w
}

func TestNestedFanOutsUnderCrashes(t *testing.T) {
	for seed := range int64(400) {
		st, store, _ := executeWithCrashes(t, nested(), "a", `{"cats": [[1, 2], [], [3]]}`, seed)
		if st.State != rt.Succeeded || string(st.Output) != "[[5,2],[0,0],[4,1]]" {
			t.Fatalf("seed %d: %+v", seed, st)
		}
		assertClean(t, store)
	}
}

// busy is a retryable error; declined one that a catcher handles.
type busy struct{ n int }

func (e *busy) Error() string { return fmt.Sprintf("busy (call %d)", e.n) }

type declined struct{}

func (declined) Error() string     { return "card declined" }
func (declined) ErrorName() string { return "Declined" }

// oneNode is a workflow of node a with a policy, calling fn, and with the
// catch continuation given, then ending.
func oneNode(p *rt.Policy, fn rt.UserFunc, catch func(ctx context.Context, x *rt.Invocation, res *rt.Result) error) workflow {
	w := workflow{}
	node(w, &rt.Node{Ident: "a", Start: "a", Policy: p, Handle: func(ctx context.Context, x *rt.Invocation) error {
		res, err := x.Call(ctx, fn)
		if res == nil {
			return err
		}
		if res.Failed() {
			if catch != nil {
				return catch(ctx, x, res)
			}
			return x.Fail(ctx, res.Failure)
		}
		return x.End(ctx)
	}})
	node(w, &rt.Node{Ident: "h", Start: "a", Handle: func(ctx context.Context, x *rt.Invocation) error {
		res, err := x.Call(ctx, nil)
		if res == nil {
			return err
		}
		return x.End(ctx)
	}})
	return w
}

// failing returns a function that fails with errs[i] on its call i, then
// doubles its input; calls counts the calls.
func failing(calls *atomic.Int32, errs ...error) rt.UserFunc {
	return rt.Func(func(_ context.Context, x float64) (float64, error) {
		i := int(calls.Add(1)) - 1
		if i < len(errs) {
			return 0, errs[i]
		}
		return 2 * x, nil
	})
}

func TestRetryThenSucceed(t *testing.T) {
	p := &rt.Policy{Retry: []rt.Retrier{{Errors: []string{"busy"}, Interval: time.Millisecond, MaxAttempts: 3, Backoff: 2}}}
	for seed := range int64(20) {
		var calls atomic.Int32
		st, store := execute(t, oneNode(p, failing(&calls, &busy{1}, &busy{2}), nil), "a", "21", seed, 0.3)
		if st.State != rt.Succeeded || string(st.Output) != "42" {
			t.Fatalf("seed %d: got %+v, want output 42", seed, st)
		}
		if n := calls.Load(); n != 3 {
			t.Errorf("seed %d: %d calls, want 3: one, then a retry for each failure", seed, n)
		}
		assertClean(t, store)
	}
}

func TestRetryExhausted(t *testing.T) {
	p := &rt.Policy{Retry: []rt.Retrier{{Errors: []string{"States.TaskFailed"}, Interval: time.Millisecond, MaxAttempts: 2, Backoff: 1}}}
	var calls atomic.Int32
	errs := []error{&busy{1}, &busy{2}, &busy{3}, &busy{4}}
	st, store := execute(t, oneNode(p, failing(&calls, errs...), nil), "a", "1", 1, 0.3)
	if st.State != rt.Failed || st.Error != "busy" || st.Cause != "busy (call 3)" {
		t.Fatalf("got %+v, want the third call's failure: the last attempt is the one committed", st)
	}
	if n := calls.Load(); n != 3 {
		t.Errorf("%d calls, want 3", n)
	}
	assertClean(t, store)

	calls.Store(0)
	never := &rt.Policy{Retry: []rt.Retrier{{Errors: []string{"busy"}, Interval: time.Millisecond, MaxAttempts: 0, Backoff: 2}}}
	if st, _ := execute(t, oneNode(never, failing(&calls, errs...), nil), "a", "1", 1, 0); st.State != rt.Failed || calls.Load() != 1 {
		t.Errorf("max 0: got %+v after %d calls, want a failure after 1 call", st, calls.Load())
	}
}

type errA struct{}
type errB struct{}
type errC struct{}

func (errA) Error() string { return "A" }
func (errB) Error() string { return "B" }
func (errC) Error() string { return "C" }

// TestRetriersCountSeparately is the scenario of the Step Functions guide
// ("Complex retry scenarios"): errors A, B, C, B against the retriers
// [A, B] max 2 and [C]: the first two retries use the first retrier, the
// third the second, and the fourth error finds the first retrier spent, so
// the failure is final even though the second retrier has retries left.
func TestRetriersCountSeparately(t *testing.T) {
	p := &rt.Policy{Retry: []rt.Retrier{
		{Errors: []string{"errA", "errB"}, Interval: time.Millisecond, MaxAttempts: 2, Backoff: 2},
		{Errors: []string{"errC"}, Interval: time.Millisecond, MaxAttempts: 3, Backoff: 2},
		{Errors: []string{"States.ALL"}, Interval: time.Millisecond, MaxAttempts: 5, Backoff: 2},
	}}
	var calls atomic.Int32
	st, _ := execute(t, oneNode(p, failing(&calls, errA{}, errB{}, errC{}, errB{}, errA{}), nil), "a", "1", 1, 0)
	if st.State != rt.Failed || st.Error != "errB" || calls.Load() != 4 {
		t.Fatalf("got %+v after %d calls, want errB after 4", st, calls.Load())
	}
}

func TestRetryDelay(t *testing.T) {
	sec := func(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }
	for _, tc := range []struct {
		r    rt.Retrier
		want []time.Duration // for retries 0, 1, ...
	}{
		// The guide's example: 2 retries after waiting 3 and 4.5 seconds.
		{rt.Retrier{Interval: 3 * time.Second, Backoff: 1.5}, []time.Duration{sec(3), sec(4.5), sec(6.75)}},
		{rt.Retrier{Interval: time.Second, Backoff: 2}, []time.Duration{sec(1), sec(2), sec(4), sec(8)}},
		{rt.Retrier{Interval: time.Second, Backoff: 2, MaxDelay: 5 * time.Second}, []time.Duration{sec(1), sec(2), sec(4), sec(5), sec(5)}},
		{rt.Retrier{Interval: 10 * time.Millisecond, Backoff: 1}, []time.Duration{sec(0.01), sec(0.01), sec(0.01)}},
	} {
		for n, want := range tc.want {
			if got := tc.r.Delay(n, 0.5); got != want {
				t.Errorf("%+v: Delay(%d) = %v, want %v", tc.r, n, got, want)
			}
		}
	}
	if d := (&rt.Retrier{Interval: time.Second, Backoff: 2}).Delay(10000, 0); d <= 0 {
		t.Errorf("a huge backoff overflows to %v", d)
	}
	// Full jitter draws the wait from [0, the capped backoff].
	j := &rt.Retrier{Interval: time.Second, Backoff: 2, MaxDelay: 3 * time.Second, Jitter: true}
	if d := j.Delay(1, 0); d != 0 {
		t.Errorf("jitter with u = 0: %v, want 0", d)
	}
	if d := j.Delay(1, 1); d != 2*time.Second {
		t.Errorf("jitter with u = 1: %v, want 2s", d)
	}
	if d := j.Delay(5, 0.5); d != 1500*time.Millisecond {
		t.Errorf("jitter is not applied to the capped wait: %v, want 1.5s", d)
	}
	rng := rand.New(rand.NewSource(1))
	for range 1000 {
		if d := j.Delay(2, rng.Float64()); d < 0 || d > 3*time.Second {
			t.Fatalf("jittered wait %v outside [0, 3s]", d)
		}
	}
}

func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	var calls atomic.Int32
	ignoresCtx := rt.Func(func(_ context.Context, x int) (int, error) {
		calls.Add(1)
		<-release // longer than any timeout; the context is not looked at
		return x, nil
	})
	p := &rt.Policy{Timeout: 20 * time.Millisecond,
		Retry: []rt.Retrier{{Errors: []string{"States.Timeout"}, Interval: time.Millisecond, MaxAttempts: 1, Backoff: 2}}}
	start := time.Now()
	st, store := execute(t, oneNode(p, ignoresCtx, nil), "a", "1", 1, 0)
	if st.State != rt.Failed || st.Error != "States.Timeout" || st.Cause != `node "a" timed out after 20ms` {
		t.Fatalf("got %+v, want States.Timeout", st)
	}
	if calls.Load() != 2 {
		t.Errorf("%d calls, want 2: the timeout is retried once", calls.Load())
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v: Call waited for a function that ignores its context", d)
	}
	assertClean(t, store)

	respectsCtx := rt.Func(func(ctx context.Context, x int) (int, error) {
		<-ctx.Done()
		return 0, ctx.Err()
	})
	for range 20 { // the function's return and the deadline race
		st, _ = execute(t, oneNode(&rt.Policy{Timeout: 5 * time.Millisecond}, respectsCtx, nil), "a", "1", 1, 0)
		if st.Error != "States.Timeout" {
			t.Fatalf("a function that returns ctx.Err() at the deadline: %+v, want States.Timeout", st)
		}
	}
	quick := rt.Func(func(ctx context.Context, x int) (int, error) { return x + 1, nil })
	st, _ = execute(t, oneNode(&rt.Policy{Timeout: time.Minute}, quick, nil), "a", "1", 1, 0)
	if st.State != rt.Succeeded || string(st.Output) != "2" {
		t.Errorf("a function within its timeout: %+v", st)
	}
}

// TestCancelDuringBackoff: an invocation cancelled while it waits to retry
// commits nothing, so the platform's retry of it runs the function again.
func TestCancelDuringBackoff(t *testing.T) {
	w := oneNode(&rt.Policy{Retry: []rt.Retrier{{Errors: []string{"States.ALL"}, Interval: time.Hour, MaxAttempts: 1, Backoff: 2}}},
		failing(new(atomic.Int32), &busy{1}), nil)
	store := newMemStore()
	p := &rt.Platform{Store: store, Invoker: &platform{}}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	env := &rt.Envelope{Version: rt.Version, Execution: "e1", Node: "a", Input: json.RawMessage("1"), Attempt: 1}
	if err := rt.Handle(ctx, w["a"], p, env); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Handle: %v, want the context's error", err)
	}
	if keys := store.keys(); len(keys) != 0 {
		t.Errorf("store holds %v, want nothing committed", keys)
	}
}

func TestFailureMatches(t *testing.T) {
	for _, tc := range []struct {
		err    string
		errors []string
		want   bool
	}{
		{"Busy", []string{"Busy"}, true},
		{"Busy", []string{"Declined", "Busy"}, true},
		{"Busy", []string{"busy"}, false}, // names are case-sensitive
		{"Busy", []string{"States.ALL"}, true},
		{"States.Timeout", []string{"States.ALL"}, true},
		{"States.Timeout", []string{"States.Timeout"}, true},
		{"Busy", []string{"States.TaskFailed"}, true},
		{"States.NoChoiceMatched", []string{"States.TaskFailed"}, true},
		{"States.Timeout", []string{"States.TaskFailed"}, false},
		{"States.Timeout", []string{"States.TaskFailed", "States.Timeout"}, true},
		{"Busy", []string{"States.Timeout"}, false},
		{"States.Runtime", []string{"States.ALL"}, false},
		{"States.Runtime", []string{"States.Runtime"}, false},
		{"States.DataLimitExceeded", []string{"States.ALL"}, false},
		{"States.DataLimitExceeded", []string{"States.TaskFailed", "States.DataLimitExceeded"}, false},
	} {
		if got := (&rt.Failure{Error: tc.err}).Matches(tc.errors...); got != tc.want {
			t.Errorf("%s matches %v: %v, want %v", tc.err, tc.errors, got, tc.want)
		}
	}
	if (*rt.Failure)(nil).Matches("States.ALL") {
		t.Error("no failure matches States.ALL")
	}
}

func TestErrorName(t *testing.T) {
	for err, want := range map[error]string{
		declined{}:                             "Declined",
		fmt.Errorf("charging: %w", declined{}): "Declined",
		&busy{1}:                               "busy",
		fmt.Errorf("charging: %w", &busy{1}):   "wrapError",
	} {
		if got := rt.FailureOf(err); got.Error != want || got.Cause != err.Error() {
			t.Errorf("FailureOf(%v) = %+v, want error %s", err, got, want)
		}
	}
}

func TestCatchReplace(t *testing.T) {
	catch := func(ctx context.Context, x *rt.Invocation, res *rt.Result) error {
		if res.Failure.Matches("Declined") {
			return x.Catch(ctx, "h", nil)
		}
		return x.Fail(ctx, res.Failure)
	}
	for seed := range int64(20) {
		fn := failing(new(atomic.Int32), declined{})
		st, store := execute(t, oneNode(nil, fn, catch), "a", "1", seed, 0.3)
		if st.State != rt.Succeeded || string(st.Output) != `{"Error":"Declined","Cause":"card declined"}` {
			t.Fatalf("seed %d: got %+v (%s), want the error object", seed, st, st.Output)
		}
		assertClean(t, store)
	}
}

func TestCatchInto(t *testing.T) {
	fn := rt.Func(func(context.Context, any) (any, error) { return nil, declined{} })
	into := func(path rt.Path) func(ctx context.Context, x *rt.Invocation, res *rt.Result) error {
		return func(ctx context.Context, x *rt.Invocation, _ *rt.Result) error { return x.Catch(ctx, "h", path) }
	}
	keep := &rt.Policy{KeepInput: true}
	for _, tc := range []struct {
		input string
		path  rt.Path
		want  string // the output, or the error
	}{
		{`{"order": 7, "error": 1, "z": [1]}`, rt.Path{"error"}, `{"order":7,"error":{"Error":"Declined","Cause":"card declined"},"z":[1]}`},
		{`{"order": 7}`, rt.Path{"error"}, `{"order":7,"error":{"Error":"Declined","Cause":"card declined"}}`},
		{`{"a": {"b": 1}}`, rt.Path{"a", "c", "d"}, `{"a":{"b":1,"c":{"d":{"Error":"Declined","Cause":"card declined"}}}}`},
		{`[1, {"x": 2}]`, rt.Path{1, "e"}, `[1,{"x":2,"e":{"Error":"Declined","Cause":"card declined"}}]`},
		{`12345678901234567890`, rt.Path{}, `{"Error":"Declined","Cause":"card declined"}`},
		{`[1]`, rt.Path{"error"}, `States.ResultPathMatchFailure: catch in node "a" cannot set .error in its input: . is not an object`},
		{`[1]`, rt.Path{3}, `States.ResultPathMatchFailure: catch in node "a" cannot set [3] in its input: . has 1 elements, no [3]`},
	} {
		for seed := range int64(5) {
			st, store := execute(t, oneNode(keep, fn, into(tc.path)), "a", tc.input, seed, 0.3)
			got := string(st.Output)
			if st.State == rt.Failed {
				got = st.Error + ": " + st.Cause
			}
			if got != tc.want {
				t.Fatalf("input %s, into %v: got %s, want %s", tc.input, tc.path, got, tc.want)
			}
			assertClean(t, store)
		}
	}
}

// joinCatching: a maps its list through m, which fails on 2; the join s
// catches, with into, into the handler h.
func joinCatching(into rt.Path) workflow {
	w := workflow{}
	fan := &rt.FanOut{Origin: "a", Join: "s", Heads: []string{"m"}, Map: true, Items: rt.Path{}}
	node(w, &rt.Node{Ident: "a", Start: "a", Handle: func(ctx context.Context, x *rt.Invocation) error {
		res, err := x.Call(ctx, nil)
		if res == nil {
			return err
		}
		return x.FanOut(ctx, fan)
	}})
	node(w, &rt.Node{Ident: "m", Start: "a", Scopes: []*rt.FanOut{fan}, Handle: func(ctx context.Context, x *rt.Invocation) error {
		res, err := x.Call(ctx, rt.Func(func(_ context.Context, x int) (int, error) {
			if x == 2 {
				return 0, &outOfStock{"pot"}
			}
			return x + 100, nil
		}))
		if res == nil {
			return err
		}
		if res.Failed() {
			return x.Fail(ctx, res.Failure)
		}
		return x.End(ctx)
	}})
	var p *rt.Policy
	if len(into) > 0 {
		p = &rt.Policy{KeepInput: true}
	}
	node(w, &rt.Node{Ident: "s", Start: "a", JoinOf: "a", Policy: p, Handle: func(ctx context.Context, x *rt.Invocation) error {
		res, err := x.Call(ctx, rt.Func(sum))
		if res == nil {
			return err
		}
		if res.Failed() {
			switch {
			case res.Failure.Matches("States.ALL"):
				return x.Catch(ctx, "h", into)
			}
			return x.Fail(ctx, res.Failure)
		}
		return x.End(ctx)
	}})
	node(w, &rt.Node{Ident: "h", Start: "a", Handle: func(ctx context.Context, x *rt.Invocation) error {
		res, err := x.Call(ctx, nil)
		if res == nil {
			return err
		}
		return x.End(ctx)
	}})
	return w
}

func TestCatchAtJoinAfterFailedBranch(t *testing.T) {
	for _, tc := range []struct {
		input string
		into  rt.Path
		want  string
	}{
		{"[1, 2, 3]", nil, `{"Error":"outOfStock","Cause":"pot is out of stock"}`},
		// A join's input is the list of branch results, a failed branch's
		// error object in its place.
		{"[1, 2, 3]", rt.Path{0}, `[{"Error":"outOfStock","Cause":"pot is out of stock"},{"Error":"outOfStock","Cause":"pot is out of stock"},103]`},
		{"[1, 3]", nil, "204"}, // nothing to catch
	} {
		for seed := range int64(30) {
			st, store := execute(t, joinCatching(tc.into), "a", tc.input, seed, 0.3)
			if st.State != rt.Succeeded || string(st.Output) != tc.want {
				t.Fatalf("input %s, into %v, seed %d: got %+v (%s), want %s", tc.input, tc.into, seed, st, st.Output, tc.want)
			}
			assertClean(t, store)
		}
	}
}

// TestCatchUnderCrashes runs retries and catches with crashes at every fault
// point, duplicates and random order.
func TestCatchUnderCrashes(t *testing.T) {
	p := &rt.Policy{KeepInput: true, Retry: []rt.Retrier{{Errors: []string{"busy"}, Interval: time.Microsecond, MaxAttempts: 1, Backoff: 2}}}
	fn := rt.Func(func(ctx context.Context, in map[string]int) (int, error) {
		if info, _ := unumctx.From(ctx); info.Retry == 0 {
			return 0, &busy{1}
		}
		return 0, declined{}
	})
	catch := func(ctx context.Context, x *rt.Invocation, res *rt.Result) error {
		if res.Failure.Matches("Declined") {
			return x.Catch(ctx, "h", rt.Path{"error"})
		}
		return x.Fail(ctx, res.Failure)
	}
	for seed := range int64(200) {
		st, store, _ := executeWithCrashes(t, oneNode(p, fn, catch), "a", `{"order":7}`, seed)
		if st.State != rt.Succeeded || string(st.Output) != `{"order":7,"error":{"Error":"Declined","Cause":"card declined"}}` {
			t.Fatalf("seed %d: %+v", seed, st)
		}
		assertClean(t, store)
	}
	want := `[{"Error":"outOfStock","Cause":"pot is out of stock"},{"Error":"outOfStock","Cause":"pot is out of stock"},103]`
	for seed := range int64(200) {
		st, store, _ := executeWithCrashes(t, joinCatching(rt.Path{0}), "a", "[1, 2, 3]", seed)
		if st.State != rt.Succeeded || string(st.Output) != want {
			t.Fatalf("join, seed %d: %+v", seed, st)
		}
		assertClean(t, store)
	}
}

// TestCatchLoop: a catcher whose handler is the node itself runs it again as
// a new iteration, on the error object.
func TestCatchLoop(t *testing.T) {
	w := workflow{}
	node(w, &rt.Node{Ident: "a", Start: "a", Handle: func(ctx context.Context, x *rt.Invocation) error {
		res, err := x.Call(ctx, rt.Func(func(_ context.Context, in any) (string, error) {
			if e, ok := in.(map[string]any); ok {
				return "recovered from " + e["Error"].(string), nil
			}
			return "", declined{}
		}))
		if res == nil {
			return err
		}
		if res.Failed() {
			if res.Failure.Matches("Declined") {
				return x.CatchLoop(ctx, "a", nil)
			}
			return x.Fail(ctx, res.Failure)
		}
		return x.End(ctx)
	}})
	for seed := range int64(20) {
		st, store := execute(t, w, "a", "1", seed, 0.3)
		if st.State != rt.Succeeded || string(st.Output) != `"recovered from Declined"` {
			t.Fatalf("seed %d: %+v", seed, st)
		}
		assertClean(t, store)
	}
}

// TestCatchTooLarge: a handler's input goes by value, so one larger than the
// inline limit fails the scope with the terminal States.DataLimitExceeded.
func TestCatchTooLarge(t *testing.T) {
	w := oneNode(&rt.Policy{KeepInput: true}, failing(new(atomic.Int32), declined{}),
		func(ctx context.Context, x *rt.Invocation, _ *rt.Result) error {
			return x.Catch(ctx, "h", rt.Path{"error"})
		})
	store, pl := newMemStore(), &platform{}
	p := &rt.Platform{Store: store, Invoker: pl, InlineLimit: 64}
	input := json.RawMessage(`{"pad": "` + strings.Repeat("x", 40) + `"}`)
	pl.Invoke(context.Background(), &rt.Envelope{Version: rt.Version, Execution: "e1", Node: "a", Input: input})
	for len(pl.queue) > 0 {
		env := pl.queue[0]
		pl.queue = pl.queue[1:]
		if err := rt.Handle(context.Background(), w[env.Node], p, env); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := store.Get(context.Background(), rt.StatusKey("e1"))
	var st rt.Status
	json.Unmarshal(got[rt.StatusKey("e1")].Value, &st)
	if st.State != rt.Failed || st.Error != "States.DataLimitExceeded" {
		t.Fatalf("got %+v, want States.DataLimitExceeded", st)
	}
	assertClean(t, store)
}
