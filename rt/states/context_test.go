package states

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/unumc/unumc/rt"
	"github.com/unumc/unumc/rt/unumctx"
)

// entered is the EnteredTime of the Developer Guide's example context
// object.
var entered = time.Date(2019, 3, 26, 20, 14, 13, 192_000_000, time.UTC)

// testContext returns a context object whose lazy parts count their calls.
func testContext(starts, inputs *int) *Context {
	return &Context{
		Execution:    "exec-1",
		StateMachine: "orders",
		State:        "Charge",
		Entered:      entered.In(time.FixedZone("CET", 3600)),
		RetryCount:   2,
		Start: func() (time.Time, error) {
			*starts++
			return time.Date(2019, 3, 26, 20, 14, 10, 5_000_000, time.UTC), nil
		},
		Input: func() (any, error) {
			*inputs++
			return map[string]any{"orderId": "o-1", "items": []any{"a", "b"}}, nil
		},
	}
}

func TestContextValue(t *testing.T) {
	var starts, inputs int
	c := testContext(&starts, &inputs)
	got, err := c.Value()
	if err != nil {
		t.Fatal(err)
	}
	want := `{
		"Execution": {"Id": "arn:unum:execution:orders:exec-1", "Name": "exec-1",
			"StartTime": "2019-03-26T20:14:10.005Z", "Input": {"orderId": "o-1", "items": ["a", "b"]}},
		"State": {"Name": "Charge", "EnteredTime": "2019-03-26T20:14:13.192Z", "RetryCount": 2},
		"StateMachine": {"Id": "arn:unum:stateMachine:orders", "Name": "orders"}
	}`
	if diff := cmp.Diff(decode(t, want), got); diff != "" {
		t.Errorf("Value (-want +got):\n%s", diff)
	}
	if starts != 1 || inputs != 1 {
		t.Errorf("Value called Start %d and Input %d times, want once each", starts, inputs)
	}

	// Inside an ItemSelector, and without the lazy parts.
	m := &Context{Execution: "e", StateMachine: "s", State: "Map", Entered: entered, MapItem: true, MapIndex: 3, MapValue: map[string]any{"who": "bob"}}
	got, err = m.Value()
	if err != nil {
		t.Fatal(err)
	}
	want = `{
		"Execution": {"Id": "arn:unum:execution:s:e", "Name": "e"},
		"State": {"Name": "Map", "EnteredTime": "2019-03-26T20:14:13.192Z", "RetryCount": 0},
		"StateMachine": {"Id": "arn:unum:stateMachine:s", "Name": "s"},
		"Map": {"Item": {"Index": 3, "Value": {"who": "bob"}}}
	}`
	if diff := cmp.Diff(decode(t, want), got); diff != "" {
		t.Errorf("Value in a Map (-want +got):\n%s", diff)
	}
}

func TestContextGet(t *testing.T) {
	for _, tc := range []struct {
		path           rt.Path
		want           string
		starts, inputs int
	}{
		{rt.Path{"Execution", "Id"}, `"arn:unum:execution:orders:exec-1"`, 0, 0},
		{rt.Path{"Execution", "Name"}, `"exec-1"`, 0, 0},
		{rt.Path{"StateMachine", "Name"}, `"orders"`, 0, 0},
		{rt.Path{"StateMachine", "Id"}, `"arn:unum:stateMachine:orders"`, 0, 0},
		{rt.Path{"State", "Name"}, `"Charge"`, 0, 0},
		{rt.Path{"State", "EnteredTime"}, `"2019-03-26T20:14:13.192Z"`, 0, 0},
		{rt.Path{"State", "RetryCount"}, `2`, 0, 0},
		{rt.Path{"State"}, `{"Name":"Charge","EnteredTime":"2019-03-26T20:14:13.192Z","RetryCount":2}`, 0, 0},
		{rt.Path{"Execution", "StartTime"}, `"2019-03-26T20:14:10.005Z"`, 1, 0},
		{rt.Path{"Execution", "Input", "orderId"}, `"o-1"`, 0, 1},
		{rt.Path{"Execution", "Input", "items", 1}, `"b"`, 0, 1},
		{rt.Path{"Execution"}, `{"Id":"arn:unum:execution:orders:exec-1","Name":"exec-1","StartTime":"2019-03-26T20:14:10.005Z","Input":{"orderId":"o-1","items":["a","b"]}}`, 1, 1},
	} {
		var starts, inputs int
		got, err := testContext(&starts, &inputs).Get(tc.path, "Parameters")
		if err != nil {
			t.Errorf("Get(%v): %v", tc.path, err)
			continue
		}
		if diff := cmp.Diff(decode(t, tc.want), got); diff != "" {
			t.Errorf("Get(%v) (-want +got):\n%s", tc.path, diff)
		}
		if starts != tc.starts || inputs != tc.inputs {
			t.Errorf("Get(%v) called Start %d and Input %d times, want %d and %d", tc.path, starts, inputs, tc.starts, tc.inputs)
		}
	}
	var n int
	whole, err := testContext(&n, &n).Get(nil, "")
	if err != nil || n != 2 || whole.(map[string]any)["StateMachine"] == nil {
		t.Errorf("Get of $$: %v, %v after %d lookups", whole, err, n)
	}
}

func TestContextGetErrors(t *testing.T) {
	bare := &Context{Execution: "e", StateMachine: "s", State: "Pass", Entered: entered}
	failing := &Context{
		Start: func() (time.Time, error) { return time.Time{}, errors.New("store down") },
		Input: func() (any, error) { return nil, &Error{Name: "Custom.Error", Cause: "kept"} },
	}
	for _, tc := range []struct {
		c          *Context
		path       rt.Path
		name       string
		err, cause string
	}{
		{bare, rt.Path{"Map", "Item", "Index"}, "Parameters", ParameterPathFailure, `Parameters "$$.Map.Item.Index": field "Map" not found in an object with fields "Execution", "State", "StateMachine"`},
		{bare, rt.Path{"State", "Nope"}, "InputPath", Runtime, `InputPath "$$.State.Nope": field "Nope" not found`},
		{bare, rt.Path{"Task", "Token"}, "ItemSelector", ParameterPathFailure, `"$$.Task.Token"`},
		{bare, rt.Path{"Execution", "StartTime"}, "Parameters", Runtime, `Parameters "$$.Execution.StartTime": the start time of the execution is not available here`},
		{bare, rt.Path{"Execution", "Input", "x"}, "Parameters", Runtime, `the input of the execution is not available here`},
		{failing, rt.Path{"Execution", "StartTime"}, "Parameters", Runtime, `$$.Execution.StartTime: store down`},
		{failing, rt.Path{"Execution", "Input"}, "Parameters", "Custom.Error", `kept`},
		{failing, rt.Path{"Execution"}, "Parameters", Runtime, `store down`},
	} {
		_, err := tc.c.Get(tc.path, tc.name)
		if name := errorName(t, err); name != tc.err || !strings.Contains(err.Error(), tc.cause) {
			t.Errorf("Get(%v, %q): error %v (%s), want a %s containing %q", tc.path, tc.name, err, name, tc.err, tc.cause)
		}
	}
	if _, err := failing.Value(); errorName(t, err) != Runtime {
		t.Errorf("Value with a failing Start: %v", err)
	}
}

func TestContextSelect(t *testing.T) {
	var starts, inputs int
	c := testContext(&starts, &inputs)
	got, err := c.Select(MustCompile("$$.Execution.Input.items[*]"), "Parameters")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]any{"a", "b"}, got); diff != "" {
		t.Errorf("indefinite (-want +got):\n%s", diff)
	}
	got, err = c.Select(MustCompile("$$.State.Name"), "Parameters")
	if err != nil || got != "Charge" {
		t.Errorf("definite: %v, %v", got, err)
	}
	if starts != 1 || inputs != 1 {
		t.Errorf("Start %d, Input %d calls, want 1 and 1", starts, inputs)
	}
	if _, err := c.Select(MustCompile("$$.State.Nope"), "Parameters"); errorName(t, err) != ParameterPathFailure ||
		!strings.Contains(err.Error(), `"$$.State.Nope"`) {
		t.Errorf("missing: %v", err)
	}
	if _, err := c.Select(nil, ""); errorName(t, err) != Runtime {
		t.Errorf("nil path: %v", err)
	}
}

func TestFromContext(t *testing.T) {
	before := time.Now()
	ctx := unumctx.With(context.Background(), unumctx.Info{Workflow: "orders", Execution: "exec-9", Node: "Charge", Instance: "Charge", Attempt: 2, Retry: 1})
	c := FromContext(ctx)
	if c.Execution != "exec-9" || c.StateMachine != "orders" || c.State != "Charge" || c.RetryCount != 1 {
		t.Errorf("FromContext = %+v", c)
	}
	if c.Entered.Before(before) || c.Entered.After(time.Now()) {
		t.Errorf("Entered %v is not now", c.Entered)
	}
	if c.Start != nil || c.Input != nil || c.MapItem {
		t.Errorf("FromContext set more than it knows: %+v", c)
	}
	if c := FromContext(context.Background()); c == nil || c.Execution != "" {
		t.Errorf("outside unumc: %+v", c)
	}
}

func TestTimestamp(t *testing.T) {
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{entered, "2019-03-26T20:14:13.192Z"},
		{time.Date(2019, 3, 26, 21, 14, 13, 0, time.FixedZone("CET", 3600)), "2019-03-26T20:14:13.000Z"},
		{time.Date(2024, 1, 2, 3, 4, 5, 999_999_999, time.UTC), "2024-01-02T03:04:05.999Z"},
	} {
		if got := Timestamp(tc.t); got != tc.want {
			t.Errorf("Timestamp(%v) = %s, want %s", tc.t, got, tc.want)
		}
	}
}
