package cost

import (
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/unumc/unumc/asl"
	"github.com/unumc/unumc/internal/cost/meter"
	"github.com/unumc/unumc/internal/ir"
	"github.com/unumc/unumc/lang"
	"github.com/unumc/unumc/targets/local"
)

const header = "workflow w\n\nimport \"example.com/f\"\n\n"

func unum(t *testing.T, src string) *ir.Workflow {
	t.Helper()
	w, err := lang.Load("w.unum", []byte(header+src))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// ran builds the Stats of a run in which each named node ran the given
// number of instances, each delivery taking busy ms, and sent[name] lists
// the nodes a node invoked, once each.
func ran(t *testing.T, w *ir.Workflow, instances map[string]int, busy int64, sent map[string][]string) *local.Stats {
	t.Helper()
	s := &local.Stats{Nodes: map[string]*local.Counts{}, NodesMetered: map[string]*local.Metered{}}
	ident := func(name string) string {
		n := w.Node(name)
		if n == nil {
			t.Fatalf("no node %q", name)
		}
		return n.Ident
	}
	for name, k := range instances {
		s.Nodes[ident(name)] = &local.Counts{Invocations: k, BusyMS: busy * int64(k)}
	}
	for name, to := range sent {
		m := &local.Metered{Sent: map[string]int{}}
		for _, t := range to {
			m.Sent[ident(t)]++
		}
		s.NodesMetered[ident(name)] = m
	}
	return s
}

func TestTransitions(t *testing.T) {
	for _, tc := range []struct {
		name      string
		w         *ir.Workflow
		instances map[string]int
		sent      map[string][]string
		want      int // worked out in the comment
		fanIn     int
	}{
		// Three Task states.
		{"chain", unum(t, "node A = f.A\nnode B = f.B\nnode C = f.C\nstart -> A -> B -> C\n"),
			map[string]int{"A": 1, "B": 1, "C": 1}, nil, 3, 0},
		// A, the Choice state after it, B, C.
		{"choice taken", unum(t, "node A = f.A\nnode B = f.B\nnode C = f.C\nstart -> A -> choose {\n\twhen .x > 1 -> B -> C\n\telse -> succeed\n}\n"),
			map[string]int{"A": 1, "B": 1, "C": 1}, map[string][]string{"A": {"B"}, "B": {"C"}}, 4, 0},
		// A, the Choice state, and the Succeed state it chose: A invoked none
		// of the choice's targets.
		{"choice ends", unum(t, "node A = f.A\nnode B = f.B\nnode C = f.C\nstart -> A -> choose {\n\twhen .x > 1 -> B -> C\n\telse -> succeed\n}\n"),
			map[string]int{"A": 1}, nil, 3, 0},
		// S, the Map state, five iterations of C, J.
		{"map", unum(t, "node S = f.S\nnode C = f.C\nnode J = f.J\nstart -> S -> map .xs { C } -> J\n"),
			map[string]int{"S": 1, "C": 5, "J": 1}, nil, 8, 5},
		// The synthetic start node is no state: the Map state, three C, J.
		{"map first", unum(t, "node C = f.C\nnode J = f.J\nstart -> map .xs { C } -> J\n"),
			map[string]int{"start": 1, "C": 3, "J": 1}, nil, 5, 3},
		// R, the Parallel state, F and U in one branch, S in the other, P.
		{"parallel", unum(t, "node R = f.R\nnode F = f.F\nnode U = f.U\nnode S = f.S\nnode P = f.P\nstart -> R -> parallel {\n\tF -> U\n\tS\n} -> P\n"),
			map[string]int{"R": 1, "F": 1, "U": 1, "S": 1, "P": 1}, nil, 6, 2},
		// A and the Fail state.
		{"fail", unum(t, "node A = f.A\nstart -> A -> fail Bad \"no\"\n"),
			map[string]int{"A": 1}, nil, 2, 0},
		// A loop: three runs of Step, each followed by the Choice state; the
		// third takes the else branch to the Succeed state.
		{"loop", unum(t, "node Step = f.Step\nstart -> Step -> choose {\n\twhen .n < 3 -> Step\n\telse -> succeed\n}\n"),
			map[string]int{"Step": 3}, map[string][]string{"Step": {"Step", "Step"}}, 7, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sh := Measure(tc.w, ran(t, tc.w, tc.instances, 10, tc.sent), nil)
			if sh.Transitions != tc.want || sh.FanInBranches != tc.fanIn {
				t.Errorf("%d transitions, %d fan-in branches; want %d and %d\n%+v", sh.Transitions, sh.FanInBranches, tc.want, tc.fanIn, sh.Nodes)
			}
		})
	}
}

// TestTransitionsASL counts a Step Functions definition's states: A, the
// Parallel state P, Q and B in one branch, C in the other, the Choice state
// D and the Succeed state Done it goes to: 7. The importer's join node
// "P.join" is part of P and no state.
func TestTransitionsASL(t *testing.T) {
	const def = `{
  "StartAt": "A",
  "States": {
    "A": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:a", "Next": "P"},
    "P": {"Type": "Parallel", "Next": "D", "Branches": [
      {"StartAt": "Q", "States": {
        "Q": {"Type": "Pass", "Next": "B"},
        "B": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:b", "End": true}}},
      {"StartAt": "C", "States": {
        "C": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:c", "End": true}}}]},
    "D": {"Type": "Choice", "Choices": [{"Variable": "$[0]", "IsPresent": true, "Next": "Done"}], "Default": "Oops"},
    "Done": {"Type": "Succeed"},
    "Oops": {"Type": "Fail", "Error": "Oops"}
  }
}`
	w, err := asl.Load("w.asl.json", []byte(def), asl.Options{})
	if err != nil {
		t.Fatal(err)
	}
	all := map[string]int{}
	for _, n := range w.Nodes {
		all[n.Name] = 1
	}
	sh := Measure(w, ran(t, w, all, 10, nil), nil)
	if sh.Transitions != 7 || sh.Tasks != 3 || sh.Instances != len(w.Nodes) || sh.FanInBranches != 2 {
		t.Errorf("%d transitions, %d tasks, %d instances, %d fan-in branches; want 7, 3, %d, 2\n%+v",
			sh.Transitions, sh.Tasks, sh.Instances, sh.FanInBranches, len(w.Nodes), sh.Nodes)
	}
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b)) }

func costs(r *Report) map[string]float64 {
	out := map[string]float64{}
	for _, c := range r.Columns {
		out[c.Key] = c.PerExecution
	}
	return out
}

func checkCosts(t *testing.T, r *Report, want map[string]float64) {
	t.Helper()
	got := costs(r)
	if diff := cmp.Diff(want, got, cmp.Comparer(near)); diff != "" {
		t.Errorf("cost per execution (-want +got):\n%s", diff)
	}
}

// TestEstimateAWS prices a three-node chain worked out by hand.
func TestEstimateAWS(t *testing.T) {
	w := unum(t, "node A = f.A\nnode B = f.B\nnode C = f.C\nstart -> A -> B -> C\n")
	s := ran(t, w, map[string]int{"A": 1, "B": 1, "C": 1}, 10, nil)
	s.WallMS = 120
	s.Bytes = 1000
	s.Metered.DynamoDB = meter.DynamoDB{Requests: 11, ReadUnits: 8, WriteUnits: 8}
	r, err := Estimate(Run{Workflow: w, Stats: s}, Options{Target: TargetAWS})
	if err != nil {
		t.Fatal(err)
	}
	// Lambda: 3 requests at $0.20 per million, 6e-7; 3 deliveries of 10 ms
	// billed 11 ms each (a 10.x ms delivery adds 10 to BusyMS), 0.033 s at
	// 256 MB, 0.00825 GB-s at $0.0000133334 (arm64), 1.1000055e-7.
	lambda := 6e-7 + 0.00825*0.0000133334
	// unumc: 8 read units at $0.125 and 8 write units at $0.625 per million.
	unumc := lambda + 8*0.125e-6 + 8*0.625e-6
	// Unum's pattern: 3 reads and 6 writes (a write and a delete per node),
	// at today's and at 2023's prices ($0.25, $1.25).
	unumToday := lambda + 3*0.125e-6 + 6*0.625e-6
	unum2023 := lambda + 3*0.25e-6 + 6*1.25e-6
	// Standard: 3 transitions at $0.025 per thousand, and the same Lambda
	// tasks.
	standard := lambda + 3*0.000025
	// Express: one request at $1 per million; 120 ms billed as 200 ms, at
	// 64 MB (50 MB and three states fit): 0.0125 GB-s at $0.00001667.
	express := lambda + 1e-6 + 0.2*0.0625*0.00001667
	checkCosts(t, r, map[string]float64{ColumnUnumc: unumc, ColumnUnum: unumToday, ColumnUnum2023: unum2023,
		ColumnStandard: standard, ColumnExpress: express})
	if r.Shape.LambdaMS != 33 || r.Shape.Transitions != 3 || r.Columns[0].PerExecutions != unumc*DefaultExecutions {
		t.Errorf("shape %+v, per million %v", r.Shape, r.Columns[0].PerExecutions)
	}
	if !near(r.Columns[3].Relative, standard/unumc) {
		t.Errorf("Standard relative to unumc: %v, want %v", r.Columns[3].Relative, standard/unumc)
	}
	if len(r.Notes) != 0 {
		t.Errorf("notes: %q", r.Notes)
	}

	// A request that carried 300,000 bytes: more than Step Functions'
	// 262,144 a state. And 20 MB of messages take Express's memory past
	// 64 MB, to 128 MB: twice the GB-s.
	s.Metered.Largest = 300_000
	s.Metered.PubSub.Bytes = 20 << 20
	r, err = Estimate(Run{Workflow: w, Stats: s}, Options{Target: TargetAWS})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "300,000 bytes") {
		t.Errorf("notes: %q", r.Notes)
	}
	if got, want := r.Columns[4].PerExecution, lambda+1e-6+0.2*0.125*0.00001667; !near(got, want) {
		t.Errorf("Express with 20 MB of messages: %v, want %v", got, want)
	}
	s.Metered.Largest, s.Metered.PubSub.Bytes = 0, 0

	// x86_64 at 1,024 MB: 0.033 GB-s at $0.0000166667.
	r, err = Estimate(Run{Workflow: w, Stats: s}, Options{Target: TargetAWS, MemoryMB: 1024, Arch: "x86_64", Executions: 10})
	if err != nil {
		t.Fatal(err)
	}
	want := 6e-7 + 0.033*0.0000166667 + 8*0.125e-6 + 8*0.625e-6
	if got := r.Columns[0]; !near(got.PerExecution, want) || !near(got.PerExecutions, 10*want) {
		t.Errorf("x86_64, 1 GB: %v per execution, %v per 10; want %v", got.PerExecution, got.PerExecutions, want)
	}
}

// TestEstimateGCP prices the same chain on Google Cloud.
func TestEstimateGCP(t *testing.T) {
	w := unum(t, "node A = f.A\nnode B = f.B\nnode C = f.C\nstart -> A -> B -> C\n")
	s := ran(t, w, map[string]int{"A": 1, "B": 1, "C": 1}, 10, nil)
	s.WallMS = 120
	s.Metered.Firestore = meter.Firestore{Requests: 10, Reads: 9, Writes: 5, Deletes: 3}
	s.Metered.PubSub = meter.PubSub{Messages: 2, Bytes: 2000}
	start := &Run{Workflow: w, Stats: s}
	r, err := Estimate(*start, Options{Target: TargetGCP})
	if err != nil {
		t.Fatal(err)
	}
	// Cloud Run: 3 requests at $0.40 per million; 30 ms of deliveries
	// billed as at most 30 + 3 x 100 = 330 ms of 1 vCPU at $0.000024 and
	// 0.5 GiB at $0.0000025.
	run := 3*0.4e-6 + 0.33*0.000024 + 0.33*0.5*0.0000025
	// Firestore: 9 reads at $0.03, 5 writes at $0.09, 3 deletes at $0.01
	// per 100,000.
	fs := 9*0.3e-6 + 5*0.9e-6 + 3*0.1e-6
	// Pub/Sub: the two invokes' 2,000 bytes, published and pushed, at $40
	// per TiB (no start message given).
	ps := 4000 * 40 / math.Pow(2, 40)
	// Unum's pattern: 3 reads, 3 writes and 3 deletes.
	unumFS := 3*0.3e-6 + 3*0.9e-6 + 3*0.1e-6
	lambda := 6e-7 + 0.00825*0.0000133334
	checkCosts(t, r, map[string]float64{ColumnUnumc: run + fs + ps, ColumnUnum: run + unumFS + ps,
		ColumnStandard: lambda + 3*0.000025, ColumnExpress: lambda + 1e-6 + 0.2*0.0625*0.00001667})

	// With each delivery's duration known, each is rounded up on its own:
	// A took 0.5 ms and 120 ms (a failed and a retried delivery), B and C
	// 10 ms: Lambda bills 1 + 120 + 10 + 10 ms, Cloud Run 100 + 200 + 100
	// + 100 ms.
	ms := time.Millisecond
	s.Nodes[w.Node("A").Ident] = &local.Counts{Invocations: 2, FailedAttempts: 1, BusyMS: 120}
	sh := Measure(w, s, map[string][]time.Duration{"a": {ms / 2, 120 * ms}, "b": {10 * ms}, "c": {10 * ms}})
	if sh.LambdaMS != 141 || sh.CloudRunMS != 500 || sh.Invocations != 4 || sh.Instances != 3 || !sh.DurationsExact {
		t.Errorf("shape with durations: %+v", sh)
	}
}

func TestOptions(t *testing.T) {
	w := unum(t, "node A = f.A\nstart -> A\n")
	s := ran(t, w, map[string]int{"A": 1}, 1, nil)
	for _, o := range []Options{{Target: "azure"}, {Target: TargetAWS, Arch: "mips"}, {Target: TargetAWS, Executions: -1}} {
		if _, err := Estimate(Run{Workflow: w, Stats: s}, o); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
}

// TestPrices checks the table and that docs/cost.md lists every price
// with its figure.
func TestPrices(t *testing.T) {
	doc, err := os.ReadFile("../../docs/cost.md")
	if err != nil {
		t.Fatal(err)
	}
	date := regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	seen := map[string]bool{}
	for _, p := range Prices {
		switch {
		case seen[p.Name]:
			t.Errorf("%s: listed twice", p.Name)
		case p.Unit == "" || p.USD <= 0 || p.Per <= 0:
			t.Errorf("%s: %+v", p.Name, p)
		case !date.MatchString(p.Date) || p.Since != "" && !date.MatchString(p.Since):
			t.Errorf("%s: dates %q, %q", p.Name, p.Date, p.Since)
		case !strings.HasPrefix(p.Source, "https://"):
			t.Errorf("%s: source %q", p.Name, p.Source)
		}
		seen[p.Name] = true
		figure := "$" + strconv.FormatFloat(p.USD, 'f', -1, 64)
		if !strings.Contains(string(doc), "`"+p.Name+"`") || !strings.Contains(string(doc), figure) {
			t.Errorf("docs/cost.md does not list %s at %s", p.Name, figure)
		}
	}
	for _, name := range []string{LambdaRequests, LambdaGBsX86, LambdaGBsArm, DynamoDBWrites, DynamoDBReads,
		DynamoDBWrites2023, DynamoDBReads2023, StandardTransitions, ExpressRequests, ExpressGBs, CloudRunRequests,
		CloudRunVCPUs, CloudRunGiBs, FirestoreReads, FirestoreWrites, FirestoreDeletes, PubSubThroughput} {
		price(name) // panics if missing
	}
}

func TestFormats(t *testing.T) {
	got := []string{USD(12.346), USD(0.0000161), USD(0), Quantity(3), Quantity(0.03925), Count(1234567), Count(12)}
	want := []string{"$12.35", "$0.0000161", "$0", "3", "0.0393", "1,234,567", "12"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("formats (-want +got):\n%s", diff)
	}
}
