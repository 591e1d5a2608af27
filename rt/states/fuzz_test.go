package states

import (
	"encoding/json"
	"testing"

	"github.com/unumc/unumc/rt"
)

// FuzzSelect checks that no path on no document makes Compile or Select
// panic, that Select leaves the document as it was, and that definite paths
// agree with Get.
func FuzzSelect(f *testing.F) {
	for _, seed := range []struct{ path, doc string }{
		{"$..price", store},
		{"$.store.book[?(@.price < $.expensive)].title", store},
		{"$.n[::-1]", store},
		{"$['a','b'][0:2]", `{"a":[1,2,3],"b":{"c":null}}`},
		{"$..*[?(@ == null)]", `[null,[null],{"a":null}]`},
		{"$$.a", `{"a":1}`},
		{"$.a[-1]", `{"a":[]}`},
		{"$[?(@.a =~ /x+/)]", `[{"a":"xx"},{"a":1}]`},
	} {
		f.Add(seed.path, seed.doc)
	}
	f.Fuzz(func(t *testing.T, path, doc string) {
		p, err := Compile(path)
		if err != nil {
			return
		}
		v, err := Decode(json.RawMessage(doc))
		if err != nil {
			return
		}
		before, _ := Encode(v)
		got, err := p.Select(v, "InputPath")
		if after, _ := Encode(v); string(after) != string(before) {
			t.Fatalf("Select(%q) mutated %s into %s", path, before, after)
		}
		if err == nil && !p.Definite() {
			if _, ok := got.([]any); !ok {
				t.Fatalf("Select(%q) = %#v, not an array", path, got)
			}
		}
		if p.Definite() {
			want, werr := get(v, p.static, "InputPath", "$")
			if (err == nil) != (werr == nil) || err == nil && !equal(got, want) {
				t.Fatalf("Select(%q) = %v, %v; get = %v, %v", path, got, err, want, werr)
			}
		}
	})
}

// FuzzFunctions checks that no JSON value makes a function of the package
// panic or mutate its arguments.
func FuzzFunctions(f *testing.F) {
	for _, seed := range []struct{ a, b, c string }{
		{`[1,2,3]`, `2`, `false`},
		{`"a,b"`, `","`, `1`},
		{`{"a":1}`, `{"b":[2]}`, `false`},
		{`"{} {}"`, `null`, `[1,{"x":"y"}]`},
		{`1.5`, `-2147483648`, `1e300`},
		{`"RGF0YQ=="`, `"SHA-256"`, `true`},
	} {
		f.Add(seed.a, seed.b, seed.c)
	}
	f.Fuzz(func(t *testing.T, a, b, c string) {
		var args [3]any
		for i, s := range []string{a, b, c} {
			v, err := Decode(json.RawMessage(s))
			if err != nil {
				return
			}
			args[i] = v
		}
		before, _ := Encode(args[:])
		x, y, z := args[0], args[1], args[2]
		calls := []func() (any, error){
			func() (any, error) { return Format(x, y, z) },
			func() (any, error) { return Format(x, y) },
			func() (any, error) { return StringToJson(x) },
			func() (any, error) { return JsonToString(x) },
			func() (any, error) { return Array(x, y, z) },
			func() (any, error) { return ArrayPartition(x, y) },
			func() (any, error) { return ArrayContains(x, y) },
			func() (any, error) { return ArrayRange(x, y, z) },
			func() (any, error) { return ArrayGetItem(x, y) },
			func() (any, error) { return ArrayLength(x) },
			func() (any, error) { return ArrayUnique(x) },
			func() (any, error) { return Base64Encode(x) },
			func() (any, error) { return Base64Decode(x) },
			func() (any, error) { return Hash(x, y) },
			func() (any, error) { return JsonMerge(x, y, z) },
			func() (any, error) { return MathRandom(x, y) },
			func() (any, error) { return MathRandom(x, y, z) },
			func() (any, error) { return MathAdd(x, y) },
			func() (any, error) { return StringSplit(x, y) },
			func() (any, error) { d, err := WaitSeconds(x); return int64(d), err },
			func() (any, error) { t, err := WaitUntil(x); return t.String(), err },
			func() (any, error) { return Set(x, rt.Path{"a", 0, "b"}, y) },
			func() (any, error) { return Get(x, rt.Path{"a", 0, "b"}, "InputPath") },
			func() (any, error) { return LambdaInvokeResult(x, "id"), nil },
			func() (any, error) { return Copy(x), nil },
			func() (any, error) { return Text(x), nil },
		}
		for i, call := range calls {
			if _, err := call(); err != nil && errorName(t, err) == "" {
				t.Fatalf("call %d: an error without a name: %v", i, err)
			}
		}
		if after, _ := Encode(args[:]); string(after) != string(before) {
			t.Fatalf("arguments mutated: %s into %s", before, after)
		}
	})
}
