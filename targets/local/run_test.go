package local

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/unumc/unumc/rt"
)

// The workflows of testdata: the program of each node, and the start.
var workflows = map[string]struct {
	start string
	nodes map[string]string // identifier -> directory in testdata
}{
	"chain": {"a", map[string]string{"a": "chain_a", "b": "chain_b", "c": "chain_c"}},
	"par":   {"fork", map[string]string{"fork": "par_fork", "x1": "par_x1", "x2": "par_x2", "y": "par_y", "join": "par_join"}},
	"mapw":  {"prep", map[string]string{"prep": "map_prep", "fan": "map_fan", "sq": "map_sq", "sum": "map_sum"}},
	"flaky": {"a", map[string]string{"a": "flaky_a", "b": "flaky_b"}},
}

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// childEnv makes the test binary a runner for TestRunnerKilled: it holds
// the Options as JSON.
const childEnv = "UNUMC_LOCAL_TEST_RUNNER"

func TestMain(m *testing.M) {
	if spec := os.Getenv(childEnv); spec != "" {
		var opts Options
		if err := json.Unmarshal([]byte(spec), &opts); err != nil {
			panic(err)
		}
		if _, err := Run(context.Background(), opts); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// bins builds every program in testdata, once per test binary, with one go
// build so the shared packages compile once.
func bins(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		if binDir, buildErr = os.MkdirTemp("", "unumc-local-test-"); buildErr != nil {
			return
		}
		dirs, _ := filepath.Glob("testdata/*/main.go")
		// Without symbol tables the programs link in half the time.
		args := []string{"build", "-ldflags=-s -w", "-o", binDir + string(filepath.Separator)}
		for _, d := range dirs {
			args = append(args, "./"+filepath.Dir(d))
		}
		out, err := exec.Command("go", args...).CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binDir
}

func options(t *testing.T, stateDir, workflow, execution, input string) Options {
	t.Helper()
	dir := bins(t)
	wf := workflows[workflow]
	b := map[string]string{}
	for ident, prog := range wf.nodes {
		b[ident] = filepath.Join(dir, prog)
	}
	return Options{StateDir: stateDir, Workflow: workflow, Binaries: b, Start: wf.start,
		Execution: execution, Input: json.RawMessage(input), Backoff: 20 * time.Millisecond}
}

func run(t *testing.T, opts Options) *Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := Run(ctx, opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return res
}

// checkStatus compares the outcome, with the output compared as JSON.
func checkStatus(t *testing.T, res *Result, state, output, errName string) {
	t.Helper()
	st := res.Status
	if st.State != state || st.Error != errName {
		t.Fatalf("status = %+v, want state %q, error %q", st, state, errName)
	}
	if output == "" {
		return
	}
	var got, want any
	if err := json.Unmarshal(st.Output, &got); err != nil {
		t.Fatalf("output %s: %v", st.Output, err)
	}
	json.Unmarshal([]byte(output), &want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
}

// checkCollected checks that the protocol left nothing behind but the
// status record, and that nothing is queued.
func checkCollected(t *testing.T, opts Options, res *Result) {
	t.Helper()
	if res.Stats.ItemsLeft != 1 || res.Stats.StatusItems != 1 {
		t.Errorf("items left %d, of them status records %d; want 1, 1", res.Stats.ItemsLeft, res.Stats.StatusItems)
	}
	s, err := OpenStore(StorePath(opts.StateDir, opts.Workflow))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	items, _ := s.List(opts.Execution + "/")
	var keys []string
	for _, it := range items {
		keys = append(keys, it.Key)
	}
	if diff := cmp.Diff([]string{rt.StatusKey(opts.Execution)}, keys); diff != "" {
		t.Errorf("items left (-want +got):\n%s", diff)
	}
	if q, _ := s.pending(opts.Execution); len(q) != 0 {
		t.Errorf("%d invocations still queued", len(q))
	}
}

func TestChain(t *testing.T) {
	opts := options(t, t.TempDir(), "chain", "e1", `{"n": 1}`)
	res := run(t, opts)
	checkStatus(t, res, rt.Succeeded, `{"n": 4, "label": "done"}`, "")
	checkCollected(t, opts, res)

	s := res.Stats
	// Each node reads its checkpoint and the record proving it live (b and
	// c find their predecessor's checkpoint), creates its checkpoint, and
	// invokes its successor; b marks a's checkpoint (the entry's, kept to
	// the end) consumed; c creates the status and collects the checkpoints
	// of a, b and c at once.
	want := Counts{Invocations: 3, Invokes: 2, Reads: 3, ItemsRead: 2, Writes: 5, Creates: 4,
		Deletes: 1, ItemsDeleted: 3}
	got := s.Counts
	got.Bytes, got.BusyMS = 0, 0
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	// Every delete and invoke comes last in its invocation, so it travels
	// with the delivery's reply: what is left to wait on is each delivery,
	// each read and each write.
	if want := got.Invocations + got.Reads + got.Writes; s.RoundTrips != want {
		t.Errorf("%d round trips, want %d: a delivery, a read and a write each", s.RoundTrips, want)
	}
	for _, node := range []string{"a", "b", "c"} {
		if n := s.Nodes[node]; n == nil || n.Invocations != 1 || n.Creates < 1 {
			t.Errorf("node %s counts %+v, want 1 invocation and a checkpoint", node, n)
		}
	}
	if s.Bytes == 0 || s.WallMS <= 0 && s.BusyMS <= 0 {
		t.Errorf("bytes %d, wall %dms: want both counted", s.Bytes, s.WallMS)
	}

	// The user function's stdout is in the log, prefixed by the instance.
	logged, err := os.ReadFile(res.Log)
	if err != nil {
		t.Fatal(err)
	}
	if res.Log != LogPath(opts.StateDir, "e1") || !strings.Contains(string(logged), "b | doubling 2\n") {
		t.Errorf("log %s:\n%s", res.Log, logged)
	}

	// A retried start joins the execution that has ended: same outcome,
	// nothing run.
	again := run(t, opts)
	if diff := cmp.Diff(res.Status, again.Status); diff != "" {
		t.Errorf("second Run's status (-first +second):\n%s", diff)
	}
	if again.Stats.Invocations != 0 {
		t.Errorf("second Run made %d invocations, want 0", again.Stats.Invocations)
	}
}

// TestPrestart runs the chain with the successors the runner may start
// processes for ahead of their invocations: b's and c's are started while
// a and b run, and the invocations find them. Without room (one process:
// the busy one) nothing is started ahead.
func TestPrestart(t *testing.T) {
	for _, c := range []struct {
		name             string
		successors       map[string][]string
		procs, prestarts int
	}{
		{"none", nil, 6, 0},
		{"chain", map[string][]string{"a": {"b"}, "b": {"c"}}, 6, 2},
		{"no room", map[string][]string{"a": {"b"}, "b": {"c"}}, 1, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			opts := options(t, t.TempDir(), "chain", "p", `{"n": 1}`)
			opts.Successors, opts.MaxProcs, opts.Warm = c.successors, c.procs, c.procs
			res := run(t, opts)
			checkStatus(t, res, rt.Succeeded, `{"n": 4, "label": "done"}`, "")
			checkCollected(t, opts, res)
			if res.Stats.Processes != 3 || res.Stats.Prestarted != c.prestarts {
				t.Errorf("%d processes started, %d of them ahead; want 3 and %d", res.Stats.Processes, res.Stats.Prestarted, c.prestarts)
			}
		})
	}
}

func TestChainFresh(t *testing.T) {
	opts := options(t, t.TempDir(), "chain", "fresh", `{"n": 10}`)
	opts.Fresh = true
	res := run(t, opts)
	checkStatus(t, res, rt.Succeeded, `{"n": 22, "label": "done"}`, "")
	checkCollected(t, opts, res)
}

func TestParallel(t *testing.T) {
	opts := options(t, t.TempDir(), "par", "p1", `3`)
	res := run(t, opts)
	checkStatus(t, res, rt.Succeeded, `[26, -3]`, "")
	checkCollected(t, opts, res)
	s := res.Stats
	if s.Invocations != 5 || s.FailedAttempts != 0 {
		t.Errorf("invocations %d, failed %d; want 5, 0", s.Invocations, s.FailedAttempts)
	}
	// Checkpoints of 5 instances, the fan-in set and the status are created;
	// each branch adds to the set; x2 marks x1's checkpoint (the first of
	// its branch) consumed, and the join the fork's (the entry's).
	if s.Creates != 7 || s.Writes != 11 || s.CreateConflicts != 0 {
		t.Errorf("creates %d, writes %d, conflicts %d; want 7, 11, 0", s.Creates, s.Writes, s.CreateConflicts)
	}
}

func TestMap(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, input, output string
		invocations         int
	}{
		{"five", `{"items": [1, 2, 3, 4, 5]}`, `55`, 8}, // prep, fan, 5 sq, sum
		{"none", `{"items": []}`, `0`, 3},               // prep, fan, sum
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := options(t, dir, "mapw", "map-"+tc.name, tc.input)
			res := run(t, opts)
			checkStatus(t, res, rt.Succeeded, tc.output, "")
			checkCollected(t, opts, res)
			if s := res.Stats; s.Invocations != tc.invocations || s.CreateConflicts != 0 {
				t.Errorf("invocations %d, conflicts %d; want %d, 0", s.Invocations, s.CreateConflicts, tc.invocations)
			}
		})
	}
}

func TestUserError(t *testing.T) {
	dir := t.TempDir()
	t.Run("chain", func(t *testing.T) {
		opts := options(t, dir, "chain", "neg", `{"n": -1}`)
		res := run(t, opts)
		checkStatus(t, res, rt.Failed, "", "RangeError")
		if res.Status.Cause != "n=-1 is negative" {
			t.Errorf("cause %q", res.Status.Cause)
		}
		checkCollected(t, opts, res)
		if res.Stats.Invocations != 1 || res.Stats.FailedAttempts != 0 {
			t.Errorf("invocations %d, failed attempts %d; want 1, 0: a user error is not retried",
				res.Stats.Invocations, res.Stats.FailedAttempts)
		}
	})
	t.Run("map", func(t *testing.T) {
		opts := options(t, dir, "mapw", "neg", `{"items": [1, -2, 3]}`)
		res := run(t, opts)
		checkStatus(t, res, rt.Failed, "", "NegativeError")
		checkCollected(t, opts, res)
	})
}

func TestCrashRetried(t *testing.T) {
	opts := options(t, t.TempDir(), "flaky", "crash", `{"mode": "crash-once", "n": 4}`)
	res := run(t, opts)
	// The function ran again in the second attempt, which committed.
	checkStatus(t, res, rt.Succeeded, `{"n": 40, "attempt": 2}`, "")
	checkCollected(t, opts, res)
	if b := res.Stats.Nodes["b"]; b.Invocations != 2 || b.FailedAttempts != 1 {
		t.Errorf("b: invocations %d, failed %d; want 2, 1", b.Invocations, b.FailedAttempts)
	}
	logged, _ := os.ReadFile(res.Log)
	if !bytes.Contains(logged, []byte("b | b: crashing on purpose in attempt 1\n")) ||
		!bytes.Contains(logged, []byte("b: attempt 1 of 3 failed")) {
		t.Errorf("log:\n%s", logged)
	}
}

func TestCrashAfterCommit(t *testing.T) {
	opts := options(t, t.TempDir(), "flaky", "commit", `{"mode": "crash-after-commit", "n": 1}`)
	res := run(t, opts)
	// The retry found the checkpoint: the function's first result stands.
	checkStatus(t, res, rt.Succeeded, `{"n": 10, "attempt": 1}`, "")
	checkCollected(t, opts, res)
	if b := res.Stats.Nodes["b"]; b.Invocations != 2 || b.Creates != 2 || b.CreateConflicts != 0 {
		t.Errorf("b: %+v; want 2 invocations, 2 creates (checkpoint, status), no conflict", b)
	}
}

func TestCrashEveryAttempt(t *testing.T) {
	opts := options(t, t.TempDir(), "flaky", "doomed", `{"mode": "crash-always"}`)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := Run(ctx, opts)
	var ie *InstanceError
	if !errors.As(err, &ie) {
		t.Fatalf("Run = %v, want an *InstanceError", err)
	}
	if ie.Instance != "b" || ie.Attempts != 3 || !strings.Contains(ie.Err.Error(), "exit status 3") ||
		!strings.Contains(ie.Stderr, "crashing on purpose in attempt 3") {
		t.Errorf("error: %+v", ie)
	}
	if msg := err.Error(); !strings.Contains(msg, "node instance b failed 3 attempts") {
		t.Errorf("message: %s", msg)
	}
	if res == nil || res.Status != nil || res.Stats.Nodes["b"].FailedAttempts != 3 {
		t.Errorf("result %+v", res)
	}
}

func TestTimeoutRetried(t *testing.T) {
	opts := options(t, t.TempDir(), "flaky", "slow", `{"mode": "hang-once", "n": 2}`)
	opts.Timeout = time.Second
	res := run(t, opts)
	checkStatus(t, res, rt.Succeeded, `{"n": 20, "attempt": 2}`, "")
	checkCollected(t, opts, res)
}

// TestCancelResume stops a run while b is busy, then runs the execution
// again: the invocation left in the queue is delivered and the execution
// completes.
func TestCancelResume(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "hold")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	input, _ := json.Marshal(map[string]any{"mode": "wait-file", "file": file, "n": 3})
	opts := options(t, dir, "flaky", "resumed", string(input))

	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for ctx.Err() == nil {
			if b, _ := os.ReadFile(LogPath(dir, "resumed")); bytes.Contains(b, []byte("b | b: waiting")) {
				cancel()
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	res, err := Run(ctx, opts)
	cancel()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	if res.Stats.Nodes["b"] != nil && res.Stats.Nodes["b"].FailedAttempts != 0 {
		t.Errorf("a cancelled delivery counted as failed: %+v", res.Stats.Nodes["b"])
	}

	os.Remove(file)
	res = run(t, opts)
	checkStatus(t, res, rt.Succeeded, `{"n": 30, "attempt": 1}`, "")
	checkCollected(t, opts, res)
	if res.Stats.Nodes["a"] != nil {
		t.Errorf("the resumed run invoked a again: %+v", res.Stats.Nodes["a"])
	}
}

// TestRunnerKilled kills a runner with SIGKILL while b is busy, and runs
// the execution again with a new runner, which finds b's invocation in the
// state file's queue and delivers it.
func TestRunnerKilled(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "hold")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	input, _ := json.Marshal(map[string]any{"mode": "wait-file", "file": file, "n": 5})
	opts := options(t, dir, "flaky", "killed", string(input))
	spec, _ := json.Marshal(opts)
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), childEnv+"="+string(spec))
	var stderr bytes.Buffer
	child.Stderr = &stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		if b, _ := os.ReadFile(LogPath(dir, "killed")); bytes.Contains(b, []byte("b | b: waiting")) {
			break
		}
		if time.Now().After(deadline) {
			child.Process.Kill()
			child.Wait()
			t.Fatalf("b never started; runner's stderr:\n%s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	child.Process.Kill()
	child.Wait()

	// The orphaned b finishes once the file is gone, but it cannot reach a
	// runner any more, so its work is lost; the queue still owes it.
	os.Remove(file)
	res := run(t, opts)
	checkStatus(t, res, rt.Succeeded, `{"n": 50, "attempt": 1}`, "")
	checkCollected(t, opts, res)
	// The queue owes b. It may owe a too: a's delivery is marked done in
	// the file with the batch after it, which the kill may have beaten (see
	// Store). Then a is delivered again, finds its checkpoint — in the file
	// before b could run — and invokes b again without running its function.
	if a := res.Stats.Nodes["a"]; a != nil && (a.Writes != 0 || a.Invocations != 1) {
		t.Errorf("the resumed run ran a again: %+v", a)
	}
	if res.Stats.DivergentResults != 0 {
		t.Errorf("%d divergent results", res.Stats.DivergentResults)
	}
}

// TestStalled runs a node that commits and then drops its continuation: the
// runner reports the stall and what was left.
func TestStalled(t *testing.T) {
	opts := options(t, t.TempDir(), "flaky", "stall", `{"mode": "drop"}`)
	_, err := Run(context.Background(), opts)
	if !errors.Is(err, ErrStalled) || !strings.Contains(err.Error(), "left in the store: stall/c/a, stall/c/b") {
		t.Errorf("Run = %v, want a stall leaving the checkpoints of a and b", err)
	}
}

// TestOneProcess runs the parallel with room for one process, so that
// processes of other nodes are stopped to make room.
func TestOneProcess(t *testing.T) {
	opts := options(t, t.TempDir(), "par", "one", `1`)
	opts.MaxProcs = 1
	res := run(t, opts)
	checkStatus(t, res, rt.Succeeded, `[22, -1]`, "")
	checkCollected(t, opts, res)
}

func TestWrongBinary(t *testing.T) {
	opts := options(t, t.TempDir(), "chain", "wrong", `{"n": 1}`)
	opts.Binaries["a"] = opts.Binaries["b"]
	opts.Attempts = 1
	_, err := Run(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), `is node "b" of workflow "chain", not node "a"`) {
		t.Errorf("Run = %v", err)
	}
}

func TestRunByHand(t *testing.T) {
	cmd := exec.Command(filepath.Join(bins(t), "chain_a"))
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(string(out), "is run by `unumc run`") {
		t.Errorf("running a node by hand: %v\n%s", err, out)
	}
}
