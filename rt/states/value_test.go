package states

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/unumc/unumc/rt"
)

// decode decodes a JSON document for a test.
func decode(t *testing.T, doc string) any {
	t.Helper()
	v, err := Decode(json.RawMessage(doc))
	if err != nil {
		t.Fatalf("Decode(%s): %v", doc, err)
	}
	return v
}

// encode encodes a value for a test.
func encode(t *testing.T, v any) string {
	t.Helper()
	j, err := Encode(v)
	if err != nil {
		t.Fatalf("Encode(%#v): %v", v, err)
	}
	return string(j)
}

// errorName returns the name of an *Error, "" for nil, and fails the test
// for other errors.
func errorName(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *Error", err, err)
	}
	if e.ErrorName() != e.Name || e.Error() != e.Cause {
		t.Fatalf("ErrorName/Error of %#v do not return Name/Cause", e)
	}
	return e.Name
}

// unchanged fails the test if v no longer encodes as before.
func unchanged(t *testing.T, what, before string, v any) {
	t.Helper()
	if after := encode(t, v); after != before {
		t.Errorf("%s was mutated:\nbefore %s\nafter  %s", what, before, after)
	}
}

func TestDecodeEncode(t *testing.T) {
	for _, tc := range []struct {
		in, want string // want "" for the nil value
		err      bool
	}{
		{in: ``, want: `null`},
		{in: " \n\t", want: `null`},
		{in: `null`, want: `null`},
		{in: `{"b":1,"a":[true,null,"x"]}`, want: `{"a":[true,null,"x"],"b":1}`},
		// Large and precise numbers survive as written.
		{in: `{"id":12345678901234567890123,"f":1.10,"e":1e400,"n":-0}`, want: `{"e":1e400,"f":1.10,"id":12345678901234567890123,"n":-0}`},
		// No HTML escaping.
		{in: `"<a href=\"x\">&</a>"`, want: `"<a href=\"x\">&</a>"`},
		{in: `{`, err: true},
		{in: `{"a":1} {"b":2}`, err: true},
		{in: `{"a":1}x`, err: true},
		{in: `nul`, err: true},
	} {
		v, err := Decode(json.RawMessage(tc.in))
		if tc.err {
			if got := errorName(t, err); got != Runtime {
				t.Errorf("Decode(%q): error %v, want a %s", tc.in, err, Runtime)
			}
			continue
		}
		if err != nil {
			t.Errorf("Decode(%q): %v", tc.in, err)
			continue
		}
		if got := encode(t, v); got != tc.want {
			t.Errorf("Encode(Decode(%q)) = %s, want %s", tc.in, got, tc.want)
		}
	}
	if _, err := Decode(json.RawMessage(`1`)); err != nil {
		t.Fatal(err)
	}
	if v, _ := Decode(json.RawMessage(`1`)); v != json.Number("1") {
		t.Errorf("Decode(1) = %#v, want json.Number", v)
	}
	for _, bad := range []any{json.Number("x1"), make(chan int), map[string]any{"f": func() {}}} {
		if _, err := Encode(bad); errorName(t, err) != Runtime {
			t.Errorf("Encode(%#v): error %v, want a %s", bad, err, Runtime)
		}
	}
}

func TestCopy(t *testing.T) {
	v := decode(t, `{"a":[1,{"b":"c"}],"d":null}`)
	c := Copy(v)
	if diff := cmp.Diff(v, c); diff != "" {
		t.Fatalf("Copy differs (-orig +copy):\n%s", diff)
	}
	c.(map[string]any)["a"].([]any)[1].(map[string]any)["b"] = "changed"
	c.(map[string]any)["d"] = 1
	unchanged(t, "the original", `{"a":[1,{"b":"c"}],"d":null}`, v)
	if Copy(nil) != nil || Copy("s") != "s" {
		t.Error("Copy changed a scalar")
	}
}

// The input of the examples in the Step Functions Developer Guide's
// "Filtering state output using OutputPath" and "InputPath" sections.
const datasets = `{
	"comment": "Example for InputPath.",
	"dataset1": {"val1": 1, "val2": 2, "val3": 3},
	"dataset2": {"val1": "a", "val2": "b", "val3": "c"}
}`

// The input of the "Paths" page's examples of reference paths.
const fooBarCar = `{"foo": 123, "bar": ["a", "b", "c"], "car": {"cdr": true}}`

func TestGet(t *testing.T) {
	for _, tc := range []struct {
		doc  string
		path rt.Path
		name string
		want string // JSON, or the error's name and a part of its message
		err  string
		msg  string
	}{
		// "Paths": reference paths.
		{doc: fooBarCar, path: rt.Path{"foo"}, want: `123`},
		{doc: fooBarCar, path: rt.Path{"bar"}, want: `["a","b","c"]`},
		{doc: fooBarCar, path: rt.Path{"car", "cdr"}, want: `true`},
		{doc: fooBarCar, path: rt.Path{"bar", 1}, want: `"b"`},
		{doc: fooBarCar, path: rt.Path{"bar", -1}, want: `"c"`},
		{doc: fooBarCar, path: nil, want: `{"bar":["a","b","c"],"car":{"cdr":true},"foo":123}`},
		// InputPath "$.dataset2".
		{doc: datasets, path: rt.Path{"dataset2"}, name: "InputPath", want: `{"val1":"a","val2":"b","val3":"c"}`},
		{doc: `{"odd key": {"it's": null}}`, path: rt.Path{"odd key", "it's"}, want: `null`},
		// Errors are named after the field holding the path.
		{doc: datasets, path: rt.Path{"dataset3"}, name: "InputPath", err: Runtime,
			msg: `InputPath "$.dataset3": field "dataset3" not found in an object with fields "comment", "dataset1", "dataset2"`},
		{doc: datasets, path: rt.Path{"dataset1", "val4"}, name: "OutputPath", err: Runtime,
			msg: `OutputPath "$.dataset1.val4": field "val4" not found in an object with fields "val1", "val2", "val3"`},
		{doc: datasets, path: rt.Path{"x"}, name: "Parameters", err: ParameterPathFailure, msg: `Parameters "$.x"`},
		{doc: datasets, path: rt.Path{"x"}, name: "ResultSelector", err: ParameterPathFailure},
		{doc: datasets, path: rt.Path{"x"}, name: "ItemSelector", err: ParameterPathFailure},
		{doc: datasets, path: rt.Path{"x"}, name: "ItemsPath", err: Runtime},
		{doc: datasets, path: rt.Path{"x"}, name: "", err: Runtime, msg: `path "$.x"`},
		{doc: `{}`, path: rt.Path{"x"}, err: Runtime, msg: `not found in an empty object`},
		{doc: `{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10,"k":11,"l":12}`, path: rt.Path{"z"}, err: Runtime,
			msg: `"a", "b", "c", "d", "e", "f", "g", "h", "i", "j" and 2 more`},
		{doc: fooBarCar, path: rt.Path{"foo", "x"}, name: "InputPath", err: Runtime, msg: `InputPath "$.foo.x": "$.foo" is a number, not an object`},
		{doc: fooBarCar, path: rt.Path{"car", 0}, name: "InputPath", err: Runtime, msg: `"$.car" is an object, not an array`},
		{doc: fooBarCar, path: rt.Path{"bar", 3}, name: "InputPath", err: Runtime, msg: `InputPath "$.bar[3]": index 3 out of range of "$.bar", an array of 3 elements`},
		{doc: fooBarCar, path: rt.Path{"bar", -4}, err: Runtime, msg: `index -4 out of range`},
		{doc: `null`, path: rt.Path{"a"}, err: Runtime, msg: `"$" is null, not an object`},
		{doc: `{"a b":{"c":1}}`, path: rt.Path{"a b", "d"}, err: Runtime, msg: `"$['a b'].d"`},
		{doc: fooBarCar, path: rt.Path{1.5}, err: Runtime, msg: `step 0 is float64`},
	} {
		v := decode(t, tc.doc)
		before := encode(t, v)
		got, err := Get(v, tc.path, tc.name)
		unchanged(t, "the input of Get", before, v)
		if tc.err != "" {
			if name := errorName(t, err); name != tc.err || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("Get(%s, %v, %q): error %v (%s), want a %s containing %q", tc.doc, tc.path, tc.name, err, name, tc.err, tc.msg)
			}
			continue
		}
		if err != nil {
			t.Errorf("Get(%s, %v): %v", tc.doc, tc.path, err)
			continue
		}
		if diff := cmp.Diff(decode(t, tc.want), got); diff != "" {
			t.Errorf("Get(%s, %v) (-want +got):\n%s", tc.doc, tc.path, diff)
		}
	}
}

// The input of the examples on the Developer Guide's ResultPath page, and
// the result of its Lambda function.
const (
	helloInput = `{
		"comment": "This is a test of the input and output of a Task state.",
		"details": "Default example",
		"who": "AWS Step Functions"
	}`
	helloResult = `"Hello, AWS Step Functions!"`
)

func TestSet(t *testing.T) {
	for _, tc := range []struct {
		name   string
		doc    string
		path   rt.Path
		result string
		want   string
		err    string // a part of the ResultPathMatchFailure's message
	}{
		{name: "ResultPath $ replaces the input", doc: helloInput, path: nil, result: helloResult, want: helloResult},
		{name: "ResultPath $.taskresult adds the result to the input", doc: helloInput, path: rt.Path{"taskresult"}, result: helloResult,
			want: `{"comment":"This is a test of the input and output of a Task state.","details":"Default example","who":"AWS Step Functions","taskresult":"Hello, AWS Step Functions!"}`},
		{name: "ResultPath $.data.lambdaresult updates a node of the input",
			doc:    `{"comment":"An input comment.","data":{"val1":23,"val2":17},"extra":"foo","lambda":{"who":"AWS Step Functions"}}`,
			path:   rt.Path{"data", "lambdaresult"},
			result: `"Hello, AWS Step Functions!"`,
			want:   `{"comment":"An input comment.","data":{"val1":23,"val2":17,"lambdaresult":"Hello, AWS Step Functions!"},"extra":"foo","lambda":{"who":"AWS Step Functions"}}`},
		{name: "ResultPath replaces a field that exists", doc: `{"a":{"b":[1,2]},"c":3}`, path: rt.Path{"a", "b"}, result: `{"x":1}`,
			want: `{"a":{"b":{"x":1}},"c":3}`},
		{name: "missing intermediate objects are created", doc: helloInput, path: rt.Path{"results", "lambda", "greeting"}, result: helloResult,
			want: `{"comment":"This is a test of the input and output of a Task state.","details":"Default example","who":"AWS Step Functions","results":{"lambda":{"greeting":"Hello, AWS Step Functions!"}}}`},
		{name: "a Catch's error output", doc: `{"foo":"bar"}`, path: rt.Path{"error"}, result: `{"Error":"States.TaskFailed","Cause":"boom"}`,
			want: `{"foo":"bar","error":{"Error":"States.TaskFailed","Cause":"boom"}}`},
		{name: "an index in range", doc: `{"a":[{"x":1},{"x":2}]}`, path: rt.Path{"a", 1, "y"}, result: `true`, want: `{"a":[{"x":1},{"x":2,"y":true}]}`},
		{name: "a null result", doc: `{"a":1}`, path: rt.Path{"b"}, result: `null`, want: `{"a":1,"b":null}`},
		{name: "no input starts from an empty object", doc: ``, path: rt.Path{"r"}, result: `1`, want: `{"r":1}`},
		{name: "no input, ResultPath $", doc: ``, path: nil, result: `1`, want: `1`},
		{name: "a field of a string", doc: `{"a":"s"}`, path: rt.Path{"a", "b"}, result: `1`, err: `ResultPath "$.a.b": "$.a" is a string, not an object`},
		{name: "a field of an array", doc: `[1]`, path: rt.Path{"a"}, result: `1`, err: `"$" is an array, not an object`},
		{name: "a field of null", doc: `{"a":null}`, path: rt.Path{"a", "b"}, result: `1`, err: `"$.a" is null, not an object`},
		{name: "an index past the end", doc: `{"a":[1]}`, path: rt.Path{"a", 1}, result: `1`, err: `ResultPath "$.a[1]": index 1 out of range of "$.a", an array of 1 element`},
		{name: "a negative index", doc: `{"a":[1]}`, path: rt.Path{"a", -1}, result: `1`, err: `index -1 out of range`},
		{name: "an index of an object", doc: `{"a":{}}`, path: rt.Path{"a", 0}, result: `1`, err: `"$.a" is an object, not an array`},
		{name: "an index of a missing field", doc: `{}`, path: rt.Path{"a", 0}, result: `1`, err: `"$.a" is an object, not an array`},
		{name: "a bad step", doc: `{}`, path: rt.Path{true}, result: `1`, err: `step 0 is bool`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := decode(t, tc.doc)
			result := decode(t, tc.result)
			before, beforeResult := encode(t, v), encode(t, result)
			got, err := Set(v, tc.path, result)
			unchanged(t, "the input", before, v)
			unchanged(t, "the result", beforeResult, result)
			if tc.err != "" {
				if name := errorName(t, err); name != ResultPathMatchFailure || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("error %v (%s), want a %s containing %q", err, name, ResultPathMatchFailure, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(decode(t, tc.want), got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// A state's whole data flow, InputPath to OutputPath, as in the Developer
// Guide's example of a Task state that uses them all.
func TestDataFlow(t *testing.T) {
	raw := decode(t, `{
		"comment": "Example for InputPath, Parameters, ResultSelector, ResultPath and OutputPath",
		"dataset1": {"val1": 1, "val2": 2, "val3": 3},
		"dataset2": {"val1": "a", "val2": "b", "val3": "c"}
	}`)
	before := encode(t, raw)
	effective, err := Get(raw, rt.Path{"dataset2"}, "InputPath")
	if err != nil {
		t.Fatal(err)
	}
	val1, err := Get(effective, rt.Path{"val1"}, "Parameters")
	if err != nil {
		t.Fatal(err)
	}
	params := map[string]any{"myValue": val1, "fixed": "constant"}
	// The function echoes its input; the Lambda integration wraps it.
	result := LambdaInvokeResult(params, "req-1")
	payload, err := Get(result, rt.Path{"Payload"}, "ResultSelector")
	if err != nil {
		t.Fatal(err)
	}
	selected := map[string]any{"payload": payload}
	merged, err := Set(raw, rt.Path{"result"}, selected)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Get(merged, rt.Path{"result", "payload"}, "OutputPath")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := encode(t, out), `{"fixed":"constant","myValue":"a"}`; got != want {
		t.Errorf("output %s, want %s", got, want)
	}
	unchanged(t, "the raw input", before, raw)
}
