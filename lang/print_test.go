package lang

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/unumc/unumc/internal/diag"
	"github.com/unumc/unumc/internal/ir"
)

// printInputs lists every .unum source of the repository that loads: the
// examples, the golden cases and the inputs of the testdata cases.
func printInputs(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, pattern := range []string{"../golden/testdata/*/*.unum", "../examples/*/*.unum"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			out[f] = src
		}
	}
	files, err := filepath.Glob("testdata/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		ar, err := txtar.ParseFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if in, ok := section(ar, "in.unum"); ok {
			out[f] = in
		}
	}
	return out
}

// TestPrintRoundTrip prints every workflow that loads and checks that the
// output loads back to the same workflow, no node synthetic, and is
// formatted.
func TestPrintRoundTrip(t *testing.T) {
	n := 0
	for name, src := range printInputs(t) {
		w, err := Load(filepath.Base(name), src)
		if err != nil {
			continue
		}
		n++
		t.Run(name, func(t *testing.T) { checkPrint(t, w) })
	}
	if n < 30 {
		t.Errorf("only %d workflows to print", n)
	}
}

// checkPrint prints w and checks the result.
func checkPrint(t *testing.T, w *ir.Workflow) []byte {
	t.Helper()
	out, err := Print(w)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Load("printed.unum", out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := strings.ReplaceAll(ir.Dump(w), " (synthetic)", "")
	if diff := cmp.Diff(want, ir.Dump(back)); diff != "" {
		t.Errorf("dump (-want +got):\n%s\nprinted:\n%s", diff, out)
	}
	f, err := Parse("printed.unum", out)
	if err != nil {
		t.Fatal(err)
	}
	if again := Format(f); string(again) != string(out) {
		t.Errorf("not formatted:\n%s", cmp.Diff(string(out), string(again)))
	}
	return out
}

// TestPrintHandBuilt prints a workflow built by hand as another front end
// might build it: names that are not plain names (spaces, dots, quotes,
// keywords, an arrow), synthetic pass nodes, every field of a flow, waits,
// the Lambda shape, shaped fan-outs, computed fails, typed comparisons and
// nested "and".
func TestPrintHandBuilt(t *testing.T) {
	w := handBuilt(t)
	if errs := ir.Check(w); len(errs) > 0 {
		t.Fatal(errs.Err())
	}
	out, err := Print(w)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Load("printed.unum", out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if diff := cmp.Diff(dumpFlat(w), ir.Dump(back)); diff != "" {
		t.Errorf("dump (-want +got):\n%s\nprinted:\n%s", diff, out)
	}
	for _, want := range []string{
		`workflow "odd names"`,
		`import "example.com/sns"`,
		`node "item \"quoted\"" = items.Do`,
		`catch States.ALL into .["odd key"][2] -> "map"`,
		`node "Send SNS" = lambda sns.Publish {`,
		`start -> "start" -> "Send SNS" -> "a.b c"`,
		`"a.b c" -> map .items limit 3 inputpath "$.order" itemselector {"value.$": "$$.Map.Item.Value"} { "item \"quoted\"" } -> "a.b c.join" -> parallel inputpath null parameters computed "$" {`,
		`when .n number < 10 and has .x and (.t is timestamp or .s matches "a*") -> "loop back" -> "a.b c"`,
		`"map" -> fail errorpath "States.Format('{} failed', $.name)" causepath "$.cause"`,
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("no %s in\n%s", want, out)
		}
	}
}

func handBuilt(t *testing.T) *ir.Workflow {
	jp := func(text string, ref bool) *ir.JSONPath {
		p, err := ir.ParseJSONPath(text, diag.Pos{}, ref)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	comp := func(text string) ir.Expr {
		e, err := ir.ParseComputed(text, diag.Pos{})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	lit := func(v any) ir.Expr { return &ir.Literal{Value: v} }
	obj := func(kv ...any) *ir.Object {
		o := &ir.Object{}
		for i := 0; i < len(kv); i += 2 {
			o.Fields = append(o.Fields, &ir.Field{Name: kv[i].(string), Value: kv[i+1].(ir.Expr)})
		}
		return o
	}
	path := func(fields ...string) ir.Path {
		var p ir.Path
		for _, f := range fields {
			p.Steps = append(p.Steps, ir.Step{Field: f})
		}
		return p
	}
	gt := func(name string) *ir.Goto { return &ir.Goto{Node: name} }
	ts := path("t")
	return &ir.Workflow{Name: "odd names", Start: "start", Nodes: []*ir.Node{
		{Name: "start", Synthetic: true, Next: gt("Send SNS")},
		{
			Name: "Send SNS",
			Func: &ir.Func{Import: "example.com/sns", Name: "Publish", Shape: ir.ShapeLambdaInvoke},
			Flow: &ir.Flow{
				InputPath: jp("$.msg", false),
				Parameters: obj("Message", comp("$.text"), "Subject", lit("hi"), "n", lit(json.Number("1.0")),
					"id", comp("States.UUID()"), "list", &ir.Array{Items: []ir.Expr{lit(true), lit(nil), obj("a.b", comp("$$.Execution.Id"))}}),
				ResultSelector: obj("status", comp("$.StatusCode")),
				ResultPath:     jp("$.sns", true),
				OutputPath:     &ir.JSONPath{Null: true},
			},
			Timeout: 10 * time.Second,
			Retry: []*ir.Retrier{
				{Errors: []string{"Lambda.ServiceException", "odd error name"}, Interval: 1500 * time.Millisecond, MaxAttempts: 0, Backoff: 1.5, MaxDelay: time.Minute, Jitter: true},
				{Errors: []string{ir.ErrorAll}, Interval: time.Second, MaxAttempts: 3, Backoff: 2},
			},
			Catch: []*ir.Catcher{{Errors: []string{ir.ErrorAll}, Into: &ir.Path{Steps: []ir.Step{{Field: "odd key"}, {Index: 2, IsIndex: true}}}, Next: gt("map")}},
			Next:  gt("a.b c"),
		},
		{
			Name: "map",
			Flow: &ir.Flow{Result: obj("a.$", lit("not computed"), "n", lit(json.Number("-0.5e3"))), ResultPath: &ir.JSONPath{Null: true}},
			Next: &ir.Fail{Error: "Failed", ErrorExpr: comp("States.Format('{} failed', $.name)"), CauseExpr: comp("$.cause")},
		},
		{
			Name: "a.b c",
			Wait: &ir.Wait{SecondsPath: jp("$.wait", false)},
			Next: &ir.FanOut{Kind: ir.Map, InputPath: jp("$.order", false), Items: path("items"),
				ItemSelector: obj("value", comp("$$.Map.Item.Value")), Limit: 3,
				Branches: []*ir.Branch{{Start: `item "quoted"`}}, Join: gt("a.b c.join")},
		},
		{Name: `item "quoted"`, Func: &ir.Func{Import: "example.com/items/v2", Name: "Do"}, Next: &ir.End{}},
		{
			Name: "a.b c.join", Synthetic: true,
			Flow: &ir.Flow{ResultSelector: obj("items", comp("$[*].id")), ResultPath: jp("$['odd key']", true)},
			Next: &ir.FanOut{Kind: ir.Parallel, InputPath: &ir.JSONPath{Null: true}, ItemSelector: comp("$"),
				Branches: []*ir.Branch{{Start: "node"}, {Start: "Wait Until"}}, Join: gt("P.join")},
		},
		{Name: "node", Wait: &ir.Wait{Timestamp: "2026-01-01T00:00:00Z"}, Next: &ir.Fail{Error: "States.Custom"}},
		{Name: "Wait Until", Wait: &ir.Wait{TimestampPath: jp("$.when", false)}, Next: gt("x->y")},
		{Name: "x->y", Wait: &ir.Wait{Seconds: 5}, Next: &ir.End{}},
		{Name: "P.join", Synthetic: true, Next: &ir.Choice{
			Cases: []*ir.Case{
				{Cond: &ir.And{Conds: []ir.Cond{
					&ir.And{Conds: []ir.Cond{
						&ir.Compare{Op: ir.Lt, Kind: ir.KindNumber, Left: path("n"), Right: ir.Operand{Literal: 10.0}},
						&ir.Has{Path: path("x")},
					}},
					&ir.Or{Conds: []ir.Cond{&ir.IsType{Path: path("t"), Type: ir.TypeTimestamp}, &ir.Matches{Path: path("s"), Pattern: "a*"}}},
				}}, Then: gt("loop back")},
				{Cond: &ir.Not{Cond: &ir.Or{Conds: []ir.Cond{
					&ir.Compare{Op: ir.Eq, Kind: ir.KindString, Left: path("s"), Right: ir.Operand{Literal: "x"}},
					&ir.Compare{Op: ir.Ge, Kind: ir.KindTimestamp, Left: path("t"), Right: ir.Operand{Path: &ts}},
					&ir.Or{Conds: []ir.Cond{&ir.Compare{Op: ir.Eq, Left: path("z"), Right: ir.Operand{Literal: nil}}}},
				}}}, Then: &ir.End{}},
				{Cond: &ir.Compare{Op: ir.Eq, Kind: ir.KindBool, Left: path("b"), Right: ir.Operand{Literal: true}}, Then: &ir.Fail{Error: "E", Cause: "c"}},
			},
			Default: gt("end"),
		}},
		{Name: "loop back", Next: gt("a.b c")},
		{Name: "end", Func: &ir.Func{Import: "example.com/end", Name: "End"}, Next: &ir.End{}},
	}}
}

// TestPrintCannot checks that Print reports what .unum cannot write.
func TestPrintCannot(t *testing.T) {
	fn := &ir.Func{Import: "example.com/f", Name: "F"}
	sel := &ir.Select{Path: ir.JSONPath{Text: "$.x"}}
	for _, tc := range []struct {
		node *ir.Node
		want string
	}{
		{&ir.Node{Func: fn, Wait: &ir.Wait{Seconds: 1}}, `calls example.com/f.F and waits`},
		{&ir.Node{Func: fn, Flow: &ir.Flow{Result: &ir.Object{}}}, `has a result and calls`},
		{&ir.Node{Flow: &ir.Flow{Result: &ir.Object{Fields: []*ir.Field{{Name: "a", Value: sel}}}}}, `computes field "a"`},
		{&ir.Node{Flow: &ir.Flow{Result: sel}}, `computes a value`},
		{&ir.Node{Flow: &ir.Flow{Parameters: &ir.Object{Fields: []*ir.Field{{Name: "a.$", Value: &ir.Literal{Value: "x"}}}}}}, `constant field named "a.$"`},
		{&ir.Node{Flow: &ir.Flow{Parameters: &ir.Literal{Value: 1.5i}}}, `not a JSON scalar`},
		{&ir.Node{Func: &ir.Func{Import: "example.com/f", Name: "not a name"}}, `not a Go function name`},
		{&ir.Node{Next: &ir.Choice{Cases: []*ir.Case{{Cond: &ir.Or{}, Then: &ir.End{}}}, Default: &ir.End{}}}, `empty "and" or "or"`},
	} {
		n := tc.node
		n.Name = "N"
		if n.Next == nil {
			n.Next = &ir.End{}
		}
		w := &ir.Workflow{Name: "w", Start: "N", Nodes: []*ir.Node{n}}
		if errs := ir.Check(w); len(errs) > 0 {
			t.Errorf("%s: %v", tc.want, errs.Err())
			continue
		}
		if _, err := Print(w); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Print: %v, want an error with %q", err, tc.want)
		}
	}
}
