package rt_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/unumc/unumc/rt"
)

// scopedVariables is a -> map .xs limit 2 { b -> b2 } -> j -> d, where a
// assigns a fresh token each time its function runs, b assigns a variable
// of the branch, and j, the join, assigns from the list of results. Every
// node reports the variables it sees, so the output shows which value of
// the token won, and that it is the only one anybody saw.
func scopedVariables(tokens *atomic.Int32) workflow {
	w := workflow{}
	fan := &rt.FanOut{Origin: "a", Join: "j", Heads: []string{"b"}, Map: true, Items: rt.Path{"xs"}, Limit: 2}
	seen := func(x *rt.Invocation, names ...string) (map[string]any, error) {
		vars, err := x.Variables()
		if err != nil {
			return nil, err
		}
		out := map[string]any{}
		for _, n := range names {
			if v, ok := vars[n]; ok {
				out[n] = v
			}
		}
		return out, nil
	}
	step := func(ident string, scopes []*rt.FanOut, joinOf string, fn func(ctx context.Context, x *rt.Invocation, in json.RawMessage) (json.RawMessage, error), then func(ctx context.Context, x *rt.Invocation) error) {
		node(w, &rt.Node{Ident: ident, Start: "a", Scopes: scopes, JoinOf: joinOf, Handle: func(ctx context.Context, x *rt.Invocation) error {
			res, err := x.Call(ctx, func(ctx context.Context, in json.RawMessage) (json.RawMessage, error) { return fn(ctx, x, in) })
			if res == nil {
				return err
			}
			if res.Failed() {
				return x.Fail(ctx, res.Failure)
			}
			return then(ctx, x)
		}})
	}
	step("a", nil, "", func(ctx context.Context, x *rt.Invocation, in json.RawMessage) (json.RawMessage, error) {
		return in, x.Assign(ctx, map[string]any{"token": fmt.Sprint("t", tokens.Add(1))})
	}, func(ctx context.Context, x *rt.Invocation) error { return x.FanOut(ctx, fan) })
	step("b", []*rt.FanOut{fan}, "", func(ctx context.Context, x *rt.Invocation, in json.RawMessage) (json.RawMessage, error) {
		return in, x.Assign(ctx, map[string]any{"inner": "item " + string(in)})
	}, func(ctx context.Context, x *rt.Invocation) error { return x.Goto(ctx, "b2") })
	step("b2", []*rt.FanOut{fan}, "", func(ctx context.Context, x *rt.Invocation, in json.RawMessage) (json.RawMessage, error) {
		vars, err := seen(x, "token", "inner")
		if err != nil {
			return nil, err
		}
		return json.Marshal(vars)
	}, func(ctx context.Context, x *rt.Invocation) error { return x.End(ctx) })
	step("j", nil, "a", func(ctx context.Context, x *rt.Invocation, in json.RawMessage) (json.RawMessage, error) {
		var results []any
		json.Unmarshal(in, &results)
		if err := x.Assign(ctx, map[string]any{"count": len(results)}); err != nil {
			return nil, err
		}
		vars, err := seen(x, "token", "inner", "count")
		if err != nil {
			return nil, err
		}
		return json.Marshal(map[string]any{"results": results, "seen": vars})
	}, func(ctx context.Context, x *rt.Invocation) error { return x.Goto(ctx, "d") })
	step("d", nil, "", func(ctx context.Context, x *rt.Invocation, in json.RawMessage) (json.RawMessage, error) {
		vars, err := seen(x, "token", "inner", "count")
		if err != nil {
			return nil, err
		}
		var v map[string]any
		json.Unmarshal(in, &v)
		v["after"] = vars
		return json.Marshal(v)
	}, func(ctx context.Context, x *rt.Invocation) error { return x.End(ctx) })
	return w
}

// TestVariablesUnderCrashes checks the scoping of variables and that what
// a node assigns is as exactly-once as its output: a run of a that crashed
// before its commit drew a token nobody may see.
func TestVariablesUnderCrashes(t *testing.T) {
	for seed := range int64(400) {
		tokens := &atomic.Int32{}
		st, store, _ := executeWithCrashes(t, scopedVariables(tokens), "a", `{"xs":[1,2,3]}`, seed)
		if st.State != rt.Succeeded {
			t.Fatalf("seed %d: %+v", seed, st)
		}
		var out struct {
			Results []map[string]string `json:"results"`
			Seen    map[string]any      `json:"seen"`
			After   map[string]any      `json:"after"`
		}
		if err := json.Unmarshal(st.Output, &out); err != nil {
			t.Fatalf("seed %d: %s: %v", seed, st.Output, err)
		}
		token, _ := out.Seen["token"].(string)
		if token == "" || len(out.Results) != 3 {
			t.Fatalf("seed %d: %s", seed, st.Output)
		}
		for i, r := range out.Results {
			if want := fmt.Sprintf("item %d", i+1); r["token"] != token || r["inner"] != want {
				t.Fatalf("seed %d: branch %d saw %v, want token %s and inner %q", seed, i, r, token, want)
			}
		}
		// The join sees its own scope: the token, not the branches' inner
		// variables; its Assign is for its successors, which see the count.
		if _, ok := out.Seen["inner"]; ok || out.Seen["count"] != nil {
			t.Fatalf("seed %d: the join saw %v", seed, out.Seen)
		}
		if out.After["token"] != token || out.After["count"] != 3.0 || out.After["inner"] != nil {
			t.Fatalf("seed %d: after the join: %v", seed, out.After)
		}
		assertClean(t, store)
	}
}

// TestAssignNextAfterCommit: a continuation's Assign (a choice's, a
// catcher's) applies to what it invokes, in the node's scope.
func TestAssignNextAfterCommit(t *testing.T) {
	w := workflow{}
	node(w, &rt.Node{Ident: "a", Start: "a", Handle: func(ctx context.Context, x *rt.Invocation) error {
		res, err := x.Call(ctx, func(ctx context.Context, in json.RawMessage) (json.RawMessage, error) {
			return in, x.Assign(ctx, map[string]any{"n": 1, "m": 1})
		})
		if res == nil {
			return err
		}
		if err := x.AssignNext(map[string]any{"n": 2}); err != nil {
			return err
		}
		return x.Goto(ctx, "b")
	}})
	node(w, &rt.Node{Ident: "b", Start: "a", Handle: func(ctx context.Context, x *rt.Invocation) error {
		res, err := x.Call(ctx, func(ctx context.Context, in json.RawMessage) (json.RawMessage, error) {
			vars, err := x.Variables()
			if err != nil {
				return nil, err
			}
			return json.Marshal(vars)
		})
		if res == nil {
			return err
		}
		return x.End(ctx)
	}})
	for seed := range int64(50) {
		st, store := execute(t, w, "a", "null", seed, 0.3)
		if string(st.Output) != `{"m":1,"n":2}` {
			t.Fatalf("seed %d: %+v", seed, st)
		}
		assertClean(t, store)
	}
}
