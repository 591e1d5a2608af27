package rt_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/unumc/unumc/rt"
)

// accumulate is a node that waits for the previous element: its input is
// its own and the previous element's result.
var accumulate = rt.Func(func(_ context.Context, in struct {
	Input    float64  `json:"input"`
	Previous *float64 `json:"previous"`
}) (float64, error) {
	if in.Previous == nil {
		return in.Input, nil
	}
	return in.Input + *in.Previous, nil
})

// previousWorkflow is a map whose node w waits for the previous element:
// a -> map .xs { m1 -> w } -> s when w follows m1 (a partial fan-in: w[i]
// waits for m1[i] and w[i-1]), or a -> map .xs { w -> m2 } -> s when w starts
// the branch (a fold). m1 fails on the element 13.
//
// runs, when set, counts the runs of w's function by instance.
func previousWorkflow(fold bool, runs map[string]int) workflow {
	w := workflow{}
	fan := &rt.FanOut{Origin: "a", Join: "s", Heads: []string{"m1"}, Map: true, Items: rt.Path{"xs"}, Wait: "w"}
	if fold {
		fan.Heads = []string{"w"}
	}
	scopes := []*rt.FanOut{fan}
	end := func(ctx context.Context, x *rt.Invocation, res *rt.Result) error {
		if res.Failed() {
			return x.Fail(ctx, res.Failure)
		}
		return x.End(ctx)
	}
	node(w, &rt.Node{Ident: "a", Start: "a", Handle: func(ctx context.Context, x *rt.Invocation) error {
		res, err := x.Call(ctx, nil)
		if res == nil {
			return err
		}
		return x.FanOut(ctx, fan)
	}})
	node(w, &rt.Node{Ident: "m1", Start: "a", Scopes: scopes, Handle: func(ctx context.Context, x *rt.Invocation) error {
		res, err := x.Call(ctx, rt.Func(func(_ context.Context, n float64) (float64, error) {
			if n == 13 {
				return 0, &outOfStock{item: "13"}
			}
			return n + 1, nil
		}))
		if res == nil {
			return err
		}
		if res.Failed() {
			return x.Fail(ctx, res.Failure)
		}
		return x.GotoAfterPrevious(ctx, "w")
	}})
	node(w, &rt.Node{Ident: "w", Start: "a", Scopes: scopes, AfterPrevious: true, Handle: func(ctx context.Context, x *rt.Invocation) error {
		res, err := x.Call(ctx, func(ctx context.Context, in json.RawMessage) (json.RawMessage, error) {
			if runs != nil {
				runs[x.Instance()]++
			}
			return accumulate(ctx, in)
		})
		if res == nil {
			return err
		}
		if fold && !res.Failed() {
			return x.Goto(ctx, "m2")
		}
		return end(ctx, x, res)
	}})
	node(w, &rt.Node{Ident: "m2", Start: "a", Scopes: scopes, Handle: func(ctx context.Context, x *rt.Invocation) error {
		res, err := x.Call(ctx, add(100))
		if res == nil {
			return err
		}
		return end(ctx, x, res)
	}})
	node(w, &rt.Node{Ident: "s", Start: "a", JoinOf: "a", Handle: func(ctx context.Context, x *rt.Invocation) error {
		res, err := x.Call(ctx, rt.Func(func(_ context.Context, xs []float64) ([]float64, error) { return xs, nil }))
		if res == nil {
			return err
		}
		return end(ctx, x, res)
	}})
	return w
}

func TestAfterPrevious(t *testing.T) {
	cases := []struct {
		name, input string
		fold        bool
		state, want string
	}{
		// w[i] = m1[i] + w[i-1]
		{"partial fan-in", `{"xs":[1,2,3,4]}`, false, rt.Succeeded, "[2,5,9,14]"},
		{"one element", `{"xs":[7]}`, false, rt.Succeeded, "[8]"},
		{"empty", `{"xs":[]}`, false, rt.Succeeded, "[]"},
		// w[i] = xs[i] + m2[i-1], m2[i] = w[i] + 100
		{"fold", `{"xs":[1,2,3]}`, true, rt.Succeeded, "[101,203,306]"},
		// Element 1 fails before w; so do the elements after it, at w.
		{"failed element", `{"xs":[1,13,3,4]}`, false, rt.Failed, "outOfStock"},
	}
	for _, c := range cases {
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
				// Without crashes, duplicates never run a function again.
				runs := map[string]int{}
				st, store := execute(t, previousWorkflow(c.fold, runs), "a", c.input, seed, 0.3)
				check(seed, st, store)
				for inst, n := range runs {
					if n != 1 {
						t.Fatalf("seed %d: %s ran %d times", seed, inst, n)
					}
				}
			}
			for seed := range int64(400) {
				st, store, _ := executeWithCrashes(t, previousWorkflow(c.fold, nil), "a", c.input, seed)
				check(seed, st, store)
			}
		})
	}
}
