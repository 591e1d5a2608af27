package local

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/unumc/unumc/rt"
)

func openHost(t *testing.T, opts Options) *Host {
	t.Helper()
	h, err := Open(opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := h.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return h
}

func hostRun(t *testing.T, h *Host, execution, input string) *Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := h.Run(ctx, execution, json.RawMessage(input))
	if err != nil {
		t.Fatalf("Run %s: %v", execution, err)
	}
	return res
}

// TestHostWarm runs the chain twice in one Host: the second execution finds
// every node's process warm and starts none, and each execution's log holds
// its own node output, though the processes are the same.
func TestHostWarm(t *testing.T) {
	opts := options(t, t.TempDir(), "chain", "", "")
	opts.Successors = map[string][]string{"a": {"b"}, "b": {"c"}}
	h := openHost(t, opts)

	first := hostRun(t, h, "w1", `{"n": 1}`)
	checkStatus(t, first, rt.Succeeded, `{"n": 4, "label": "done"}`, "")
	second := hostRun(t, h, "w2", `{"n": 2}`)
	checkStatus(t, second, rt.Succeeded, `{"n": 6, "label": "done"}`, "")
	if first.Stats.Processes != 3 || second.Stats.Processes != 0 {
		t.Errorf("processes started: %d, then %d; want 3, then 0", first.Stats.Processes, second.Stats.Processes)
	}
	for _, c := range []struct {
		res       *Result
		want, not string
	}{
		{first, "b | doubling 2\n", "doubling 3"},
		{second, "b | doubling 3\n", "doubling 2"},
	} {
		logged, err := os.ReadFile(c.res.Log)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(logged), c.want) || strings.Contains(string(logged), c.not) {
			t.Errorf("log %s, want %q and not %q:\n%s", c.res.Log, c.want, c.not, logged)
		}
	}
	// Each execution's counts are its own, as if it ran alone.
	for _, res := range []*Result{first, second} {
		if res.Stats.Invocations != 3 || res.Stats.Creates != 4 || res.Stats.ItemsLeft != 1 {
			t.Errorf("%s: %d invocations, %d creates, %d items left; want 3, 4, 1",
				res.Log, res.Stats.Invocations, res.Stats.Creates, res.Stats.ItemsLeft)
		}
	}
}

// TestHostConcurrent runs many executions of a map at once in one Host,
// each with its own input, and checks every outcome and that the processes
// were shared: far fewer started than invocations made.
func TestHostConcurrent(t *testing.T) {
	opts := options(t, t.TempDir(), "mapw", "", "")
	opts.Warm = 8
	h := openHost(t, opts)
	const n = 24
	results := make([]*Result, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			items, _ := json.Marshal(map[string][]int{"items": {1, 2, i}})
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			res, err := h.Run(ctx, fmt.Sprintf("c%d", i), items)
			if err != nil {
				t.Errorf("Run c%d: %v", i, err)
			}
			results[i] = res
		})
	}
	wg.Wait()
	processes, invocations := 0, 0
	for i, res := range results {
		if res == nil || res.Status == nil {
			continue
		}
		checkStatus(t, res, rt.Succeeded, fmt.Sprint(5+i*i), "")
		if res.Stats.ItemsLeft != 1 || res.Stats.Invocations != 6 {
			t.Errorf("c%d: %d items left, %d invocations; want 1, 6", i, res.Stats.ItemsLeft, res.Stats.Invocations)
		}
		processes += res.Stats.Processes
		invocations += res.Stats.Invocations
	}
	if processes > invocations/2 {
		t.Errorf("%d processes started for %d invocations: the executions did not share warm processes", processes, invocations)
	}
}

// TestHostIsolation: in one Host, an execution whose instance fails every
// attempt, and one whose Run is cancelled, leave a concurrent execution
// running to its end; and an execution cannot be run twice at once.
func TestHostIsolation(t *testing.T) {
	dir := t.TempDir()
	hold := filepath.Join(dir, "hold")
	if err := os.WriteFile(hold, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	opts := options(t, dir, "flaky", "", "")
	opts.Backoff = 10 * time.Millisecond
	h := openHost(t, opts)

	waiting := func(execution string) bool {
		b, _ := os.ReadFile(LogPath(dir, execution))
		return bytes.Contains(b, []byte("b | b: waiting"))
	}
	slow, _ := json.Marshal(map[string]any{"mode": "wait-file", "file": hold, "n": 5})
	var slowRes *Result
	var slowErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		slowRes, slowErr = h.Run(context.Background(), "slow", slow)
	}()
	cancelled, _ := json.Marshal(map[string]any{"mode": "wait-file", "file": hold, "n": 6})
	ctx, cancel := context.WithCancel(context.Background())
	cancelDone := make(chan error)
	go func() {
		_, err := h.Run(ctx, "cancelled", cancelled)
		cancelDone <- err
	}()
	for deadline := time.Now().Add(30 * time.Second); !waiting("slow") || !waiting("cancelled"); {
		if time.Now().After(deadline) {
			t.Fatal("the executions never reached b")
		}
		time.Sleep(10 * time.Millisecond)
	}

	if _, err := h.Run(context.Background(), "slow", slow); err == nil || !strings.Contains(err.Error(), "already being run") {
		t.Errorf("a second Run of a running execution: %v, want it refused", err)
	}
	_, err := h.Run(context.Background(), "doomed", json.RawMessage(`{"mode": "crash-always"}`))
	var ie *InstanceError
	if !errors.As(err, &ie) || ie.Instance != "b" {
		t.Errorf("doomed: %v, want an *InstanceError of b", err)
	}
	cancel()
	if err := <-cancelDone; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v, want context.Canceled", err)
	}

	os.Remove(hold)
	<-done
	if slowErr != nil {
		t.Fatalf("slow: %v", slowErr)
	}
	checkStatus(t, slowRes, rt.Succeeded, `{"n": 50, "attempt": 1}`, "")

	// The cancelled execution's invocation of b stayed queued: running it
	// again in the same Host resumes it.
	res := hostRun(t, h, "cancelled", string(cancelled))
	checkStatus(t, res, rt.Succeeded, `{"n": 60, "attempt": 1}`, "")
	if res.Stats.Nodes["a"] != nil {
		t.Errorf("the resumed run invoked a again: %+v", res.Stats.Nodes["a"])
	}
}

// TestHostChaos runs executions at once in one Host under a chaos schedule:
// killed processes, duplicate and reordered deliveries and failed store
// requests across executions sharing processes still give each execution
// its fault-free output, with no result that diverged.
func TestHostChaos(t *testing.T) {
	for seed := range int64(3) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			opts := options(t, t.TempDir(), "mapw", "", "")
			opts.Chaos = DefaultChaos(seed)
			opts.Backoff = time.Millisecond
			opts.Attempts = 12
			h := openHost(t, opts)
			var wg sync.WaitGroup
			for i := range 6 {
				wg.Go(func() {
					items, _ := json.Marshal(map[string][]int{"items": {i, 1, 2, 3}})
					ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
					defer cancel()
					res, err := h.Run(ctx, fmt.Sprintf("x%d", i), items)
					if err != nil {
						t.Errorf("Run x%d: %v", i, err)
						return
					}
					checkStatus(t, res, rt.Succeeded, fmt.Sprint(i*i+14), "")
					if res.Stats.DivergentResults != 0 {
						t.Errorf("x%d: %d divergent results", i, res.Stats.DivergentResults)
					}
				})
			}
			wg.Wait()
		})
	}
}
