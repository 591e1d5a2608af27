package rt_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/unumc/unumc/rt"
)

// recording is an invoker that also keeps every envelope it was given.
type recording struct {
	*platform
	mu  sync.Mutex // fan-outs invoke from several goroutines
	all []*rt.Envelope
}

func (r *recording) Invoke(ctx context.Context, env *rt.Envelope) error {
	data, _ := json.Marshal(env)
	var cp rt.Envelope
	json.Unmarshal(data, &cp)
	r.mu.Lock()
	r.all = append(r.all, &cp)
	r.mu.Unlock()
	return r.platform.Invoke(ctx, env)
}

// TestLateDuplicatesAfterTheEndChangeNothing delivers a copy of every
// invocation of an execution once it has ended — the entry included — and
// checks that the outcome stands, nothing more is invoked and nothing is
// left behind.
func TestLateDuplicatesAfterTheEndChangeNothing(t *testing.T) {
	for name, tc := range map[string]struct {
		w            workflow
		start, input string
	}{
		"map":    {mapWorkflow(2), "a", `{"xs":[1,2,3,4,5]}`},
		"loop":   {loopParallel(), "step", "0"},
		"nested": {nested(), "a", `{"cats": [[1, 2], [], [3]]}`},
	} {
		t.Run(name, func(t *testing.T) {
			store := newMemStore()
			rec := &recording{platform: &platform{}}
			p := &rt.Platform{Store: store, Invoker: rec}
			ctx := context.Background()
			rec.Invoke(ctx, &rt.Envelope{Version: rt.Version, Execution: "e1", Node: tc.start, Input: json.RawMessage(tc.input)})
			drain := func() {
				for len(rec.queue) > 0 {
					env := rec.queue[0]
					rec.queue = rec.queue[1:]
					if err := rt.Handle(ctx, tc.w[env.Node], p, env); err != nil {
						t.Fatalf("%s: %v", env.Instance(), err)
					}
				}
			}
			drain()
			before, _ := store.Get(ctx, rt.StatusKey("e1"))
			sent := len(rec.all)
			for _, env := range rec.all[:sent] {
				rec.platform.Invoke(ctx, env)
			}
			drain()
			after, _ := store.Get(ctx, rt.StatusKey("e1"))
			if b, a := string(before[rt.StatusKey("e1")].Value), string(after[rt.StatusKey("e1")].Value); a != b {
				t.Errorf("status changed from %s to %s", b, a)
			}
			if len(rec.all) != sent {
				t.Errorf("the late duplicates sent %d more invocations; want none", len(rec.all)-sent)
			}
			assertClean(t, store)
		})
	}
}
