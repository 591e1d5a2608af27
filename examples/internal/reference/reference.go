// Package reference helps the examples' tests run a workflow by hand (a
// "reference run"): call the user functions in the order the .unum file
// defines, hand each output to the next node as JSON, as the workflow does,
// and compare the final output with the example's want.json.
//
// Run the tests with -update to rewrite the want files from the reference
// runs; review the diff before keeping it.
package reference

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite want files from the reference runs")

// Load decodes a JSON file, such as an example's input.json.
func Load[T any](t testing.TB, path string) T {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return v
}

// Via hands a node's output to the next node as the workflow does: encoded
// as JSON and decoded into the next node's input type. Use it for joins too:
// pass the slice of branch results, in branch order.
func Via[T any](t testing.TB, out any) T {
	t.Helper()
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	var in T
	if err := json.Unmarshal(b, &in); err != nil {
		t.Fatalf("passing %s on: %v", b, err)
	}
	return in
}

// Generic returns a node's output as a generic JSON value (maps, slices,
// float64, string, bool, nil), which is what a choose condition looks at.
func Generic(t testing.TB, out any) any {
	t.Helper()
	return Via[any](t, out)
}

// Indent renders a final output as the workflow prints it: JSON indented by
// two spaces, with a trailing newline.
func Indent(t testing.TB, out any) []byte {
	t.Helper()
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// CheckWant compares a workflow's final output, rendered by Indent, with the
// file want (or rewrites the file with -update). It also checks that the
// output reads the same after a round trip through a generic JSON value, so
// it does not matter whether a runtime keeps or sorts object keys: result
// types list their fields in alphabetical order of their JSON names.
func CheckWant(t testing.TB, out any, want string) {
	t.Helper()
	got := Indent(t, out)
	if again := Indent(t, Generic(t, out)); !bytes.Equal(again, got) {
		t.Errorf("the output's object keys are not in sorted order:\n%s", got)
	}
	checkFile(t, got, want)
}

// CheckError compares a workflow's failure, rendered as "Error: cause", with
// the file want (or rewrites the file with -update). The file holds exactly
// that line, with no trailing newline.
func CheckError(t testing.TB, name, cause, want string) {
	t.Helper()
	checkFile(t, []byte(name+": "+cause), want)
}

func checkFile(t testing.TB, got []byte, want string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(want, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	w, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, w) {
		t.Errorf("output differs from %s:\ngot:\n%s\nwant:\n%s", want, got, w)
	}
}

// Unum reads the example's .unum file, for tests that check a string the
// reference run depends on (such as a fail cause) is really in it.
func Unum(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(string(b), "\r\n", "\n")
}

// Lookup selects a value in a generic JSON value by a .unum path such as
// ".a.b[0]" ("." is the whole value). The bool reports whether the path
// selects anything, as `has` does: JSON null counts as present.
func Lookup(v any, path string) (any, bool) {
	if path == "." {
		return v, true
	}
	for rest := path; rest != ""; {
		switch rest[0] {
		case '.':
			end := strings.IndexAny(rest[1:], ".[")
			if end < 0 {
				end = len(rest) - 1
			}
			obj, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			if v, ok = obj[rest[1:1+end]]; !ok {
				return nil, false
			}
			rest = rest[1+end:]
		case '[':
			end := strings.IndexByte(rest, ']')
			arr, ok := v.([]any)
			if end < 0 || !ok {
				return nil, false
			}
			i, err := strconv.Atoi(rest[1:end])
			if err != nil || i < 0 || i >= len(arr) {
				return nil, false
			}
			v, rest = arr[i], rest[end+1:]
		default:
			return nil, false
		}
	}
	return v, true
}

// Cmp compares two generic JSON values as a choose condition does: == and !=
// are deep equality; <, <=, > and >= order two numbers or two strings and
// are false for anything else.
func Cmp(x any, op string, y any) bool {
	switch op {
	case "==":
		return reflect.DeepEqual(x, y)
	case "!=":
		return !reflect.DeepEqual(x, y)
	}
	var c int
	switch a := x.(type) {
	case float64:
		b, ok := y.(float64)
		if !ok {
			return false
		}
		c = cmpOrdered(a, b)
	case string:
		b, ok := y.(string)
		if !ok {
			return false
		}
		c = strings.Compare(a, b)
	default:
		return false
	}
	switch op {
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	}
	panic("reference.Cmp: unknown operator " + op)
}

func cmpOrdered(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Elements returns the elements of the array at path in a node's output: what
// a `map path { ... }` after that node runs its branch on, once per element.
// A missing value or one that is not an array fails the test.
func Elements(t testing.TB, out any, path string) []any {
	t.Helper()
	v, ok := Lookup(Generic(t, out), path)
	arr, isArr := v.([]any)
	if !ok || !isArr {
		t.Fatalf("map %s: the value there is %#v, not an array", path, v)
	}
	return arr
}
