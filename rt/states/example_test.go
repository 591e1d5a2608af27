package states_test

import (
	"fmt"

	"github.com/unumc/unumc/rt"
	"github.com/unumc/unumc/rt/states"
)

// A Task state's data flow, as generated code runs it: InputPath, a
// payload template, ResultPath and OutputPath.
func Example() {
	raw, _ := states.Decode([]byte(`{"order": {"id": 12345678901234567890, "items": [{"sku": "a", "qty": 2}, {"sku": "b", "qty": 0}]}}`))

	order, _ := states.Get(raw, rt.Path{"order"}, "InputPath")
	id, _ := states.Get(order, rt.Path{"id"}, "Parameters")
	skus, _ := states.MustCompile("$.items[?(@.qty > 0)].sku").Select(order, "Parameters")
	label, _ := states.Format("order {}", id)
	params := map[string]any{"label": label, "skus": skus}

	// The task returns its input; ResultPath puts it into the raw input.
	out, _ := states.Set(raw, rt.Path{"order", "result"}, params)
	out, _ = states.Get(out, rt.Path{"order", "result"}, "OutputPath")
	doc, _ := states.Encode(out)
	fmt.Println(string(doc))
	// Output: {"label":"order 12345678901234567890","skus":["a"]}
}

// A reference path that selects nothing is a States.Runtime error, or a
// States.ParameterPathFailure inside a payload template.
func ExampleGet() {
	v, _ := states.Decode([]byte(`{"a": {"b": 1}}`))
	_, err := states.Get(v, rt.Path{"a", "c"}, "InputPath")
	fmt.Println(err.(*states.Error).Name, err)
	_, err = states.Get(v, rt.Path{"a", "c"}, "Parameters")
	fmt.Println(err.(*states.Error).Name)
	// Output:
	// States.Runtime InputPath "$.a.c": field "c" not found in an object with field "b"
	// States.ParameterPathFailure
}

// A definite path selects one value; any other selects an array.
func ExamplePath_Select() {
	v, _ := states.Decode([]byte(`{"a": [{"b": 1}, {"b": 2}], "c": {"b": 3}}`))
	for _, p := range []string{"$.a[1].b", "$.a[*].b", "$..b", "$.a[?(@.b > 1)]", "$.nothing[*]"} {
		got, _ := states.MustCompile(p).Select(v, "InputPath")
		doc, _ := states.Encode(got)
		fmt.Println(p, string(doc))
	}
	// Output:
	// $.a[1].b 2
	// $.a[*].b [1,2]
	// $..b [1,2,3]
	// $.a[?(@.b > 1)] [{"b":2}]
	// $.nothing[*] []
}
