package rt_test

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"

	"github.com/unumc/unumc/rt"
)

// flaky adds n to its input, failing with busy on its first `fails` calls.
func flaky(calls *atomic.Int32, fails int, n float64) rt.UserFunc {
	return rt.Func(func(_ context.Context, x float64) (float64, error) {
		if c := int(calls.Add(1)); c <= fails {
			return 0, &busy{c}
		}
		return x + n, nil
	})
}

// retriedFanOuts is a -> parallel {b; c} -> j1 -> parallel {d; e} -> j2,
// where a and j1 call functions and j2 retries its fan-out: b fails on its
// first bFails calls, d on its first dFails. A retry must run the fan-out
// again on the origin's output, never the origin's function on it: a's adds
// 1 again, and j1's sum cannot take a number.
func retriedFanOuts(max, bFails, dFails int, calls map[string]*atomic.Int32) workflow {
	w := workflow{}
	fan1 := &rt.FanOut{Origin: "a", Join: "j1", Heads: []string{"b", "c"}}
	fan2 := &rt.FanOut{Origin: "j1", Join: "j2", Heads: []string{"d", "e"}}
	retry := []rt.Retrier{{Errors: []string{"busy"}, Interval: time.Millisecond, MaxAttempts: max, Backoff: 1}}
	counted := func(name string, fn rt.UserFunc) rt.UserFunc {
		return func(ctx context.Context, in json.RawMessage) (json.RawMessage, error) {
			calls[name].Add(1)
			return fn(ctx, in)
		}
	}
	step := func(ident string, scopes []*rt.FanOut, joinOf string, p *rt.Policy, fn rt.UserFunc, then func(ctx context.Context, x *rt.Invocation) error) {
		node(w, &rt.Node{Ident: ident, Start: "a", Scopes: scopes, JoinOf: joinOf, Policy: p, Handle: func(ctx context.Context, x *rt.Invocation) error {
			res, err := x.Call(ctx, fn)
			if res == nil {
				return err
			}
			if res.Failed() {
				if retried, err := x.RetryFanOut(ctx); retried {
					return err
				}
				return x.Fail(ctx, res.Failure)
			}
			return then(ctx, x)
		}})
	}
	end := func(ctx context.Context, x *rt.Invocation) error { return x.End(ctx) }
	fan := func(f *rt.FanOut) func(ctx context.Context, x *rt.Invocation) error {
		return func(ctx context.Context, x *rt.Invocation) error { return x.FanOut(ctx, f) }
	}
	for _, name := range []string{"a", "j1"} {
		calls[name] = &atomic.Int32{}
	}
	calls["b"], calls["d"] = &atomic.Int32{}, &atomic.Int32{}
	step("a", nil, "", nil, counted("a", add(1)), fan(fan1))
	step("b", []*rt.FanOut{fan1}, "", nil, flaky(calls["b"], bFails, 10), end)
	step("c", []*rt.FanOut{fan1}, "", nil, add(100), end)
	step("j1", nil, "a", &rt.Policy{FanOutRetry: retry}, counted("j1", rt.Func(sum)), fan(fan2))
	step("d", []*rt.FanOut{fan2}, "", nil, flaky(calls["d"], dFails, 1000), end)
	step("e", []*rt.FanOut{fan2}, "", nil, add(1), end)
	step("j2", nil, "j1", &rt.Policy{FanOutRetry: retry}, rt.Func(sum), end)
	return w
}

func TestFanOutRetryRunsTheFanOutAgain(t *testing.T) {
	// 0 -> a 1 -> b 11, c 101 -> j1 112 -> d 1112, e 113 -> j2 1225
	for seed := range int64(200) {
		calls := map[string]*atomic.Int32{}
		st, store := execute(t, retriedFanOuts(2, 1, 2, calls), "a", "0", seed, 0.3)
		if st.State != rt.Succeeded || string(st.Output) != "1225" {
			t.Fatalf("seed %d: got %+v, want 1225", seed, st)
		}
		assertClean(t, store)
		if calls["a"].Load() != 1 || calls["j1"].Load() != 1 {
			t.Errorf("seed %d: a ran %d times and j1 %d, want once each: a retry reruns the fan-out, not its origin",
				seed, calls["a"].Load(), calls["j1"].Load())
		}
		if calls["b"].Load() < 2 || calls["d"].Load() < 3 {
			t.Errorf("seed %d: b ran %d times, d %d; want at least 2 and 3", seed, calls["b"].Load(), calls["d"].Load())
		}
	}
}

func TestFanOutRetriesSpent(t *testing.T) {
	calls := map[string]*atomic.Int32{}
	st, store := execute(t, retriedFanOuts(2, 0, 3, calls), "a", "0", 1, 0.3)
	if st.State != rt.Failed || st.Error != "busy" || st.Cause != "busy (call 3)" {
		t.Fatalf("got %+v, want the third run's failure: two retries, then the join fails", st)
	}
	assertClean(t, store)
}

func TestFanOutRetryUnderCrashes(t *testing.T) {
	for seed := range int64(300) {
		calls := map[string]*atomic.Int32{}
		st, store, _ := executeWithCrashes(t, retriedFanOuts(3, 1, 1, calls), "a", "0", seed)
		if st.State != rt.Succeeded || string(st.Output) != "1225" {
			t.Fatalf("seed %d: got %+v, want 1225", seed, st)
		}
		assertClean(t, store)
	}
}
