package main

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/unumc/unumc/internal/cost"
)

// costReport runs unumc cost with args and --json, and returns the report.
func costReport(t *testing.T, args ...string) *cost.Report {
	t.Helper()
	code, out, errs := unumc(t, "", append([]string{"cost", "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("cost %v: exit %d: %s", args, code, errs)
	}
	var r cost.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("cost --json printed no JSON report: %v\n%s", err, out)
	}
	for _, c := range r.Columns {
		sum := 0.0
		for _, l := range c.Lines {
			sum += l.USD
		}
		if math.Abs(sum-c.PerExecution) > 1e-12 || math.Abs(c.PerExecutions-c.PerExecution*float64(r.Executions)) > 1e-9 {
			t.Errorf("column %s: lines sum to %v, per execution %v, per %d %v", c.Key, sum, c.PerExecution, r.Executions, c.PerExecutions)
		}
	}
	return &r
}

// quantities lists a report's quantities by column and item.
func quantities(r *cost.Report) map[string]map[string]float64 {
	out := map[string]map[string]float64{}
	for _, c := range r.Columns {
		out[c.Key] = map[string]float64{}
		for _, l := range c.Lines {
			out[c.Key][l.Item] = l.Quantity
		}
	}
	return out
}

// tableRow returns the cells of the row of a text table that starts with
// label.
func tableRow(t *testing.T, table, label string) []string {
	t.Helper()
	for _, line := range strings.Split(table, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), label+"  "); ok {
			return strings.Fields(rest)
		}
	}
	t.Fatalf("no row %q in:\n%s", label, table)
	return nil
}

// TestCostHello prices the three-node chain, whose counts follow from its
// shape and the protocol as the AWS target runs it (records collected by
// expiry; docs/protocol.md): three invocations, each a Lambda task and a
// Task state; no reads; three checkpoints and the status, one write unit
// each (every item is under 1 KB): 4. Unum's pattern is a read, a write and
// a delete per node: 3 and 6.
func TestCostHello(t *testing.T) {
	testEnv(t)
	t.Chdir(repoRoot(t))
	r := costReport(t, "examples/hello/hello.unum", "--input", "@examples/hello/input.json")
	if r.Workflow != "hello" || r.Target != "aws" || r.MemoryMB != 256 || r.Arch != "arm64" || r.Executions != 1_000_000 {
		t.Errorf("report of %s on %s, %d MB %s, %d executions", r.Workflow, r.Target, r.MemoryMB, r.Arch, r.Executions)
	}
	sh := r.Shape
	if sh.Invocations != 3 || sh.Instances != 3 || sh.Tasks != 3 || sh.Transitions != 3 || sh.FanInBranches != 0 {
		t.Errorf("shape %+v: want 3 invocations, instances, tasks and transitions", sh)
	}
	q := quantities(r)
	want := map[string]map[string]float64{
		"unumc":        {"lambda_requests": 3, "dynamodb_read_units": 0, "dynamodb_write_units": 4},
		"unum":         {"lambda_requests": 3, "dynamodb_read_units": 3, "dynamodb_write_units": 6},
		"sfn-standard": {"lambda_requests": 3, "state_transitions": 3},
		"sfn-express":  {"lambda_requests": 3, "express_requests": 1},
	}
	for col, items := range want {
		for item, n := range items {
			if q[col][item] != n {
				t.Errorf("%s %s: %v, want %v", col, item, q[col][item], n)
			}
		}
	}
	// Standard bills 3 transitions at $0.025 per thousand: $75 per million
	// executions, on top of the Lambda tasks.
	if c := r.Columns[3]; c.Key != "sfn-standard" || c.PerExecutions < 75 || c.Relative <= 1 {
		t.Errorf("Standard: %+v", c)
	}

	// The table of another run agrees with the JSON wherever the figures
	// do not depend on measured durations.
	code, table, errs := unumc(t, "", "cost", "examples/hello/hello.unum", "--input", "@examples/hello/input.json")
	if code != 0 {
		t.Fatalf("cost: exit %d: %s", code, errs)
	}
	for label, item := range map[string]string{"Lambda requests": "lambda_requests", "DynamoDB requests": "dynamodb_requests",
		"DynamoDB read units": "dynamodb_read_units", "DynamoDB write units": "dynamodb_write_units",
		"state transitions": "state_transitions", "Express requests": "express_requests"} {
		var fromJSON []string
		for _, c := range r.Columns {
			n, ok := q[c.Key][item]
			if !ok {
				fromJSON = append(fromJSON, "-")
				continue
			}
			fromJSON = append(fromJSON, cost.Quantity(n))
		}
		if diff := cmp.Diff(fromJSON, tableRow(t, table, label)); diff != "" {
			t.Errorf("row %q (-json +table):\n%s", label, diff)
		}
	}
	dynamo := tableRow(t, table, "DynamoDB")
	for i, c := range r.Columns[:3] {
		var usd float64
		for _, l := range c.Lines {
			if strings.HasPrefix(l.Item, "dynamodb_") {
				usd += l.USD
			}
		}
		if got := cost.USD(usd * 1e6); dynamo[i] != got {
			t.Errorf("DynamoDB per million in %s: table %s, JSON %s", c.Name, dynamo[i], got)
		}
	}
	if !strings.Contains(table, "per 1,000,000 executions") || !strings.HasPrefix(table, "workflow hello on aws: Lambda arm64 256 MB") {
		t.Errorf("table:\n%s", table)
	}
}

// TestCostTextproc prices the parallel of two unequal branches: Receive,
// FindMentions, ResolveUsers, ShortenURLs, CreatePost and Publish run once
// each; Step Functions enters those six Task states and the Parallel state;
// two branches end in the fan-in, which Unum's pattern bills two writes
// each on top of a read, a write and a delete per node.
func TestCostTextproc(t *testing.T) {
	testEnv(t)
	t.Chdir(repoRoot(t))
	args := []string{"examples/textproc/textproc.unum", "--input", "@examples/textproc/input.json"}
	aws := costReport(t, append(args, "--memory", "1024", "--arch", "x86_64", "--executions", "1000")...)
	sh := aws.Shape
	if sh.Invocations != 6 || sh.Tasks != 6 || sh.Transitions != 7 || sh.FanInBranches != 2 {
		t.Errorf("shape %+v: want 6 invocations and tasks, 7 transitions, 2 fan-in branches", sh)
	}
	q := quantities(aws)
	if q["unum"]["dynamodb_read_units"] != 6 || q["unum"]["dynamodb_write_units"] != 2*6+2*2 || q["sfn-standard"]["state_transitions"] != 7 {
		t.Errorf("Unum's pattern and Standard: %v, %v", q["unum"], q["sfn-standard"])
	}
	// Six checkpoints, the fan-in set, two additions to it and the status
	// are written; only the join reads: its set and the two results.
	if u := q["unumc"]; u["dynamodb_write_units"] < 10 || u["dynamodb_read_units"] != 3 {
		t.Errorf("unumc: %v", u)
	}
	if aws.MemoryMB != 1024 || aws.Arch != "x86_64" || aws.Executions != 1000 {
		t.Errorf("options: %d MB %s, %d executions", aws.MemoryMB, aws.Arch, aws.Executions)
	}

	gcp := costReport(t, append(args, "-t", "gcp")...)
	q = quantities(gcp)
	// Six invocations are six Pub/Sub messages (five invokes and the
	// start), each under 1,000 bytes and so billed as 1,000, published and
	// pushed.
	if u := q["unumc"]; u["cloud_run_requests"] != 6 || u["pubsub_bytes"] != 12_000 {
		t.Errorf("unumc on gcp: %v", u)
	}
	if u := q["unum"]; u["firestore_reads"] != 6 || u["firestore_writes"] != 6+2*2 || u["firestore_deletes"] != 6 {
		t.Errorf("Unum's pattern on gcp: %v", u)
	}
	if gcp.MemoryMB != 512 || len(gcp.Columns) != 4 {
		t.Errorf("gcp report: %d MiB, %d columns", gcp.MemoryMB, len(gcp.Columns))
	}
}

func TestCostUsage(t *testing.T) {
	for _, args := range [][]string{
		{"cost", "-t", "azure", "x.unum"},
		{"cost", "--arch", "mips", "x.unum"},
		{"cost", "--memory", "64", "x.unum"},
		{"cost", "--executions", "0", "x.unum"},
		{"cost"},
	} {
		if code, _, errs := unumc(t, "", args...); code != 2 {
			t.Errorf("%v: exit %d (%s), want 2", args, code, errs)
		}
	}
}
