package rt_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/unumc/unumc/rt"
)

// TestCollectByExpiry runs the crash sweeps of the other tests with
// Platform.CollectByExpiry: every outcome must be the fault-free one, and
// every record left must expire. (Function runs are not counted: without
// the pre-check, a duplicate runs the function again and loses the commit.)
func TestCollectByExpiry(t *testing.T) {
	// As the AWS target runs: with element records too.
	collectByExpiry, elementRecords, stepLimit = true, true, 2000000
	defer func() { collectByExpiry, elementRecords, stepLimit = false, false, 20000 }()
	for _, c := range []struct {
		name, start, input string
		w                  func() workflow
		state, want        string
		seeds              int64
	}{
		{"bounded map", "a", `{"xs":[1,2,3,4,5]}`, func() workflow { return mapWorkflow(2) }, rt.Succeeded, "515", 0},
		{"empty map", "a", `{"xs":[]}`, func() workflow { return mapWorkflow(0) }, rt.Succeeded, "0", 0},
		{"loop and parallel", "step", "0", loopParallel, rt.Succeeded, "[35,1005]", 0},
		{"nested", "a", `{"cats": [[1, 2], [], [3]]}`, nested, rt.Succeeded, "[[5,2],[0,0],[4,1]]", 0},
		{"partial fan-in", "a", `{"xs":[1,2,3,4]}`, func() workflow { return previousWorkflow(false, nil) }, rt.Succeeded, "[2,5,9,14]", 0},
		{"fold", "a", `{"xs":[1,2,3]}`, func() workflow { return previousWorkflow(true, nil) }, rt.Succeeded, "[101,203,306]", 0},
		{"failed element", "a", `{"xs":[1,13,3,4]}`, func() workflow { return previousWorkflow(false, nil) }, rt.Failed, "outOfStock", 0},
		{"retried fan-outs", "a", "0", func() workflow { return retriedFanOuts(3, 1, 1, map[string]*atomic.Int32{}) }, rt.Succeeded, "1225", 60},
	} {
		t.Run(c.name, func(t *testing.T) {
			check := func(seed int64, st *rt.Status, store *memStore) {
				t.Helper()
				got := string(st.Output)
				if st.State == rt.Failed {
					got = st.Error
				}
				if st.State != c.state || got != c.want {
					t.Fatalf("seed %d: %+v, want %s %s", seed, st, c.state, c.want)
				}
				assertClean(t, store)
			}
			for seed := range int64(100) {
				st, store := execute(t, c.w(), c.start, c.input, seed, 0.3)
				check(seed, st, store)
			}
			most := 0
			seeds := int64(300)
			if c.seeds > 0 {
				// Each crash after an invoke sets off a cascade of
				// forwarded invocations to the end, here through two
				// retried fan-outs: a few thousand deliveries a schedule.
				seeds = c.seeds
			}
			for seed := range seeds {
				st, store, points := executeWithCrashes(t, c.w(), c.start, c.input, seed)
				check(seed, st, store)
				n := 0
				for _, v := range points {
					n += v
				}
				most = max(most, n)
			}
			t.Logf("most crashes in a schedule: %d", most)
		})
	}
}

// TestElementRecords sweeps a bounded map with Platform.ElementRecords, in
// the collecting protocol: its origin passes the inputs of the elements it
// does not start inline in lanes, or, when a lane is too large for
// envelopes, writes them into records of their own. The outputs are the
// fault-free ones, the join collects the records with the set, and lanes
// write no record.
func TestElementRecords(t *testing.T) {
	elementRecords = true
	defer func() { elementRecords, inlineLimit = false, 0 }()
	for _, c := range []struct {
		name    string
		inline  int  // InlineLimit: lanes may take a quarter of it
		records bool // element records, not lanes
	}{
		{"lanes", 0, false},
		// Lane 0 of 7 elements 2 at a time holds 3, 5 and 7: 6 bytes,
		// over a quarter of 12. (Outputs over 12 bytes go by reference.)
		{"records", 12, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			inlineLimit = c.inline
			for seed := range int64(300) {
				st, store, _ := executeWithCrashes(t, mapWorkflow(2), "a", `{"xs":[1,2,3,4,5,6,7]}`, seed)
				if st.State != rt.Succeeded || string(st.Output) != "728" {
					t.Fatalf("seed %d: %+v", seed, st)
				}
				assertClean(t, store)
				records := 0
				for k := range store.created {
					if strings.Contains(k, "/e/") {
						records++
					}
				}
				if c.records && records != 5 || !c.records && records != 0 {
					t.Fatalf("seed %d: %d element records created; want %d", seed, records, map[bool]int{true: 5}[c.records])
				}
			}
			// Each element got its own item: the join's input, in index
			// order, is every item plus 100 in the items' order.
			w := mapWorkflow(2)
			node(w, &rt.Node{Ident: "s", Start: "a", JoinOf: "a", Handle: func(ctx context.Context, x *rt.Invocation) error {
				if res, err := x.Call(ctx, nil); res == nil {
					return err
				}
				return x.End(ctx)
			}})
			for seed := range int64(50) {
				st, _, _ := executeWithCrashes(t, w, "a", `{"xs":[7,1,6,2,5,3,4]}`, seed)
				if got := string(st.Output); got != "[107,101,106,102,105,103,104]" {
					t.Fatalf("seed %d: output %s, want each element's own item", seed, got)
				}
			}
		})
	}
}

// TestForwardedSkipsTheFunction checks what keeps a duplicate from running
// every function after it again under CollectByExpiry: a run that loses its
// commit forwards its successors' envelopes marked Forwarded, and a
// receiver of one that finds its checkpoint does not call its function.
func TestForwardedSkipsTheFunction(t *testing.T) {
	var calls atomic.Int32
	w := workflow{}
	node(w, &rt.Node{Ident: "a", Start: "a", Handle: func(ctx context.Context, x *rt.Invocation) error {
		res, err := x.Call(ctx, add(1))
		if res == nil {
			return err
		}
		return x.Goto(ctx, "b")
	}})
	node(w, &rt.Node{Ident: "b", Start: "a", Handle: func(ctx context.Context, x *rt.Invocation) error {
		res, err := x.Call(ctx, func(ctx context.Context, in json.RawMessage) (json.RawMessage, error) {
			calls.Add(1)
			return add(10)(ctx, in)
		})
		if res == nil {
			return err
		}
		return x.End(ctx)
	}})
	store, pl := newMemStore(), &platform{}
	p := &rt.Platform{Store: store, Invoker: pl, CollectByExpiry: true}
	ctx := context.Background()
	start := &rt.Envelope{Version: rt.Version, Execution: "e1", Node: "a", Input: json.RawMessage("1")}
	run := func(env *rt.Envelope) *rt.Envelope {
		t.Helper()
		if err := rt.Handle(ctx, w[env.Node], p, env); err != nil {
			t.Fatal(err)
		}
		next := pl.queue[len(pl.queue)-1]
		pl.queue = nil
		return next
	}
	first := run(start)
	if first.Forwarded {
		t.Error("the first run of a marks its envelope forwarded")
	}
	if err := rt.Handle(ctx, w["b"], p, first); err != nil {
		t.Fatal(err)
	}
	dup := run(start) // a duplicate of a: it loses the commit
	if !dup.Forwarded {
		t.Fatal("a run that lost its commit does not mark its envelope forwarded")
	}
	if err := rt.Handle(ctx, w["b"], p, dup); err != nil {
		t.Fatal(err)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("b's function ran %d times, want once: the forwarded envelope found its checkpoint", n)
	}
}
