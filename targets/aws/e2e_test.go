package aws_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/unumc/unumc/internal/build"
	"github.com/unumc/unumc/internal/ir"
	"github.com/unumc/unumc/internal/runtest"
	"github.com/unumc/unumc/rt"
	"github.com/unumc/unumc/targets/aws"
	"github.com/unumc/unumc/targets/aws/awstest"
	"github.com/unumc/unumc/targets/aws/ddb"
	"github.com/unumc/unumc/targets/aws/lambda"
	"github.com/unumc/unumc/targets/aws/testdata/big"
)

// workflows are every example and golden case, which the local target's
// tests run with the same bundled inputs and outputs.
func workflows(t *testing.T) []string {
	var out []string
	for _, pat := range []string{"../../examples/*/*.unum", "../../golden/testdata/*/*.unum", "../../golden/testdata/*/*.asl.json"} {
		m, _ := filepath.Glob(pat)
		out = append(out, m...)
	}
	if len(out) == 0 {
		t.Fatal("no workflows")
	}
	return out
}

// deployment is a workflow's functions running on the protocol peers.
type deployment struct {
	w      *ir.Workflow
	stack  string
	table  string
	db     *dynamodb.Client
	lambda *awstest.Lambda
	invoke *awslambda.Client
}

// deploy compiles w's bootstraps for this machine and starts them on a
// Lambda peer, with a fresh table on the dynalite at endpoint, each
// function's environment as the SAM template gives it.
func deploy(t *testing.T, wf, endpoint string, opts awstest.Options, env ...string) *deployment {
	t.Helper()
	ctx := context.Background()
	w, err := build.Load(wf, "")
	if err != nil {
		t.Fatal(err)
	}
	mod, err := build.FindModule(filepath.Dir(wf))
	if err != nil {
		t.Fatal(err)
	}
	bins, err := aws.Compile(ctx, w, mod, "x86_64", runtest.CacheDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	d := &deployment{w: w, stack: "t" + regexp.MustCompile(`[^a-zA-Z0-9]`).ReplaceAllString(t.Name(), "-"), db: awstest.Client(endpoint)}
	d.table = aws.TableName(d.stack)
	if err := awstest.CreateTable(ctx, d.db, d.table); err != nil {
		t.Fatal(err)
	}
	succ := aws.Successors(w)
	var funcs []awstest.Function
	for _, n := range w.Nodes {
		names := map[string]string{}
		for _, s := range succ[n.Ident] {
			names[s] = aws.FunctionName(d.stack, s)
		}
		js, _ := json.Marshal(names)
		funcs = append(funcs, awstest.Function{
			Name: aws.FunctionName(d.stack, n.Ident), Bootstrap: bins.Paths[n.Ident],
			Env: append([]string{"UNUMC_TABLE=" + d.table, "UNUMC_FUNCTIONS=" + string(js)}, env...),
		})
	}
	opts.DynamoDB = endpoint
	if d.lambda, err = awstest.NewLambda(funcs, opts); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.lambda.Close)
	d.invoke = awslambda.New(awslambda.Options{
		Region: awstest.Region, BaseEndpoint: sdkaws.String(d.lambda.URL),
		Credentials: sdkaws.CredentialsProviderFunc(func(context.Context) (sdkaws.Credentials, error) {
			return sdkaws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		}),
	})
	return d
}

// run starts an execution as unumc start does, waits for its status record
// and for every invocation to finish, and returns the status and what is
// left of the execution in the table, checking that all of it expires.
func (d *deployment) run(t *testing.T, name string, input json.RawMessage) (*rt.Status, []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := aws.Start(ctx, d.invoke, d.stack, d.w.Node(d.w.Start).Ident, name, input); err != nil {
		t.Fatal(err)
	}
	store := ddb.New(d.db, d.table)
	var st *rt.Status
	for {
		var err error
		if st, err = aws.Status(ctx, store, name); err != nil {
			t.Fatal(err)
		}
		if st.State != rt.Running {
			break
		}
		if d.lambda.Dropped() > 0 || ctx.Err() != nil {
			t.Fatalf("execution %s did not end (%v); functions' logs:\n%s", name, ctx.Err(), d.lambda.Logs())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := d.lambda.Wait(ctx); err != nil {
		t.Fatalf("invocations still running after the end: %v", err)
	}
	keys, never, err := awstest.Expiring(ctx, d.db, d.table)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range never {
		if strings.HasPrefix(k, name+"/") {
			t.Errorf("record %s has no expiry", k)
		}
	}
	var left []string
	for _, k := range keys {
		if strings.HasPrefix(k, name+"/") {
			left = append(left, k)
		}
	}
	sort.Strings(left)
	return st, left
}

// checkLeft checks what an execution left in the table: only its status
// when the functions delete records, and at least its status when they
// leave them to their expiry (which run checks they all have).
func checkLeft(t *testing.T, collect, exec string, left []string) {
	t.Helper()
	status := rt.StatusKey(exec)
	if collect == lambda.CollectByDelete {
		if !equal(left, []string{status}) {
			t.Errorf("left in the table: %q, want only %q", left, status)
		}
		return
	}
	if !slices.Contains(left, status) {
		t.Errorf("left in the table: %q, without the status %q", left, status)
	}
}

// TestWorkflows runs every example and golden case with each bundled input
// through the real bootstraps on the Lambda and DynamoDB protocol peers,
// collecting records by expiry as deployed functions do by default, and
// checks the outputs the local target gives, that every record left
// expires, and that no invocation was dropped.
func TestWorkflows(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs Lambda bootstraps")
	}
	endpoint := awstest.Dynalite(t)
	for _, wf := range workflows(t) {
		t.Run(filepath.Base(filepath.Dir(wf)), func(t *testing.T) {
			cases, err := runtest.Load(wf)
			if err != nil {
				t.Fatal(err)
			}
			d := deploy(t, wf, endpoint, awstest.Options{})
			for _, c := range cases {
				t.Run(c.Name, func(t *testing.T) {
					name := "e2e-" + c.Name
					st, left := d.run(t, name, c.Input)
					runtest.Check(t, c, st)
					checkLeft(t, lambda.CollectByExpiry, name, left)
					if n := d.lambda.Dropped(); n > 0 {
						t.Errorf("%d invocations dropped:\n%s", n, d.lambda.Logs())
					}
					s := d.lambda.Stats(name)
					js, _ := json.Marshal(s.Counts)
					t.Logf("requests: %s", js)
				})
			}
		})
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestChainRequests checks the cost of a chain on the happy path, in both
// ways of collecting records. By expiry (the default): per node one
// conditional write (the checkpoint) and per transition one invoke, with no
// reads and no deletes, and at the end the status write. By delete: besides
// those, per node one batched read (the pre-check), per transition one
// delete (the predecessor's checkpoint), at the end the deletes of the last
// and the entry checkpoints, and one write marking the entry consumed.
func TestChainRequests(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs Lambda bootstraps")
	}
	endpoint := awstest.Dynalite(t)
	const nodes = 3
	for _, tc := range []struct {
		collect string
		want    ddb.Counts
		adds    int // writes besides the conditional creates
	}{
		{lambda.CollectByExpiry, ddb.Counts{Invocations: nodes, Invokes: nodes - 1, Creates: nodes + 1}, 0},
		{lambda.CollectByDelete, ddb.Counts{
			Invocations: nodes, Invokes: nodes - 1, Reads: nodes,
			Creates: nodes + 1, Deletes: nodes, ItemsDeleted: nodes,
		}, 1},
	} {
		t.Run(tc.collect, func(t *testing.T) {
			d := deploy(t, "../../examples/hello/hello.unum", endpoint, awstest.Options{}, lambda.EnvCollect+"="+tc.collect)
			st, left := d.run(t, "chain", json.RawMessage(`{"name":"Ada"}`))
			if st.State != rt.Succeeded {
				t.Fatalf("execution %s", st.State)
			}
			checkLeft(t, tc.collect, "chain", left)
			s := d.lambda.Stats("chain")
			got := s.Counts
			got.Bytes, got.BusyMS, got.ItemsRead, got.Writes = 0, 0, 0, 0
			if got != tc.want {
				t.Errorf("requests of a %d-node chain:\n got %+v\nwant %+v", nodes, got, tc.want)
			}
			if adds := s.Writes - s.Creates; adds != tc.adds {
				t.Errorf("%d writes besides the conditional creates, want %d", adds, tc.adds)
			}
			t.Logf("requests: %+v", s.Counts)
			for name, c := range s.Nodes {
				ident := strings.TrimPrefix(name, d.stack+"-")
				if c.Creates != 1+b2i(ident == "sign") || c.Invokes != 1-b2i(ident == "sign") {
					t.Errorf("node %s: %d conditional writes and %d invokes", ident, c.Creates, c.Invokes)
				}
			}
		})
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestLargePayload moves a 10 MB result along a chain: far over Lambda's
// 256 KB limit on asynchronous events and DynamoDB's 400 KB limit on
// items, it travels by reference to the sender's checkpoint, stored in
// chunks, and the chunks are collected with their checkpoints.
func TestLargePayload(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs Lambda bootstraps")
	}
	d := deploy(t, "testdata/big/big.unum", awstest.Dynalite(t), awstest.Options{})
	const size = 10 << 20
	st, left := d.run(t, "big", json.RawMessage(fmt.Sprintf(`{"bytes":%d}`, size)))
	if st.State != rt.Succeeded {
		t.Fatalf("execution %s: %s: %s\n%s", st.State, st.Error, st.Cause, d.lambda.Logs())
	}
	sum := sha256.Sum256([]byte(big.Content(size)))
	want := fmt.Sprintf(`{"bytes":%d,"sha256":"%s"}`, size, hex.EncodeToString(sum[:]))
	if string(st.Output) != want {
		t.Errorf("output %s, want %s", st.Output, want)
	}
	checkLeft(t, lambda.CollectByExpiry, "big", left)
	s := d.lambda.Stats("big")
	if s.Bytes < 2*size {
		t.Errorf("%d bytes moved: the 10 MB value must be written once and read once", s.Bytes)
	}
	t.Logf("requests: %+v", s.Counts)
}

// TestChaos runs golden cases under the chaos suite's faults on the
// protocol peers: bootstrap processes that SIGKILL themselves at the
// protocol's fault points (on first attempts; Lambda's retries then
// deliver again), and asynchronous events delivered twice. Each run must
// give the fault-free output; odd seeds collect records by delete and must
// leave only the status record, even ones by expiry.
func TestChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs Lambda bootstraps")
	}
	endpoint := awstest.Dynalite(t)
	runs := 3
	if v := os.Getenv("UNUMC_AWS_CHAOS_RUNS"); v != "" {
		fmt.Sscan(v, &runs)
	}
	for _, name := range []string{"chain", "branches", "mapping", "loop", "nested"} {
		wf, _ := filepath.Glob("../../golden/testdata/" + name + "/*.unum")
		if len(wf) != 1 {
			t.Fatalf("golden case %s not found", name)
		}
		cases, err := runtest.Load(wf[0])
		if err != nil {
			t.Fatal(err)
		}
		t.Run(name, func(t *testing.T) {
			for seed := range uint64(runs) {
				t.Run(fmt.Sprint(seed), func(t *testing.T) {
					collect := lambda.CollectByExpiry
					if seed%2 == 1 {
						collect = lambda.CollectByDelete
					}
					d := deploy(t, wf[0], endpoint, awstest.Options{ChaosKill: 0.15, Duplicate: 0.3, Seed: seed, Backoff: 20 * time.Millisecond},
						lambda.EnvCollect+"="+collect)
					exec := fmt.Sprintf("chaos-%d", seed)
					st, left := d.run(t, exec, cases[0].Input)
					runtest.Check(t, cases[0], st)
					checkLeft(t, collect, exec, left)
					s := d.lambda.Stats(exec)
					t.Logf("%d processes killed, %d events duplicated, %d failed attempts", s.Killed, s.Duplicates, s.FailedAttempts)
				})
			}
		})
	}
}
