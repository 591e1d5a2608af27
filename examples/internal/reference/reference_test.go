package reference

import (
	"encoding/json"
	"testing"
)

func TestLookup(t *testing.T) {
	var doc any
	if err := json.Unmarshal([]byte(`{"a":{"b":[10,{"c":null}]},"s":"x"}`), &doc); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path string
		want any
		ok   bool
	}{
		{".s", "x", true},
		{".a.b[0]", 10.0, true},
		{".a.b[1].c", nil, true},
		{".a.b[2]", nil, false},
		{".a.x", nil, false},
		{".s.t", nil, false},
	} {
		got, ok := Lookup(doc, tc.path)
		if ok != tc.ok || got != tc.want {
			t.Errorf("Lookup(%s) = %v, %v; want %v, %v", tc.path, got, ok, tc.want, tc.ok)
		}
	}
	if got, ok := Lookup(doc, "."); !ok || got == nil {
		t.Errorf("Lookup(.) = %v, %v", got, ok)
	}
}

func TestCmp(t *testing.T) {
	for _, tc := range []struct {
		x    any
		op   string
		y    any
		want bool
	}{
		{3.0, "<", 4.0, true},
		{4.0, "<=", 4.0, true},
		{4.0, ">", 4.0, false},
		{"b", ">=", "a", true},
		{"b", ">", 1.0, false},
		{nil, "<", 1.0, false},
		{"x", "==", "x", true},
		{true, "==", true, true},
		{map[string]any{"a": []any{1.0}}, "==", map[string]any{"a": []any{1.0}}, true},
		{1.0, "!=", "1", true},
	} {
		if got := Cmp(tc.x, tc.op, tc.y); got != tc.want {
			t.Errorf("Cmp(%v %s %v) = %v, want %v", tc.x, tc.op, tc.y, got, tc.want)
		}
	}
}

func TestElements(t *testing.T) {
	type out struct {
		Items []int `json:"items"`
	}
	if got := Elements(t, out{Items: []int{}}, ".items"); got == nil || len(got) != 0 {
		t.Errorf("Elements of an empty array = %#v", got)
	}
	if got := Elements(t, out{Items: []int{4, 5}}, ".items"); len(got) != 2 || got[1] != 5.0 {
		t.Errorf("Elements = %#v", got)
	}
}
