package states

import (
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/unumc/unumc/rt"
)

// The store of Stefan Goessner's JSONPath article, which Jayway's README
// uses too, with a few additions: fields whose values are plain numbers and
// a large integer.
const store = `{
	"store": {
		"book": [
			{"category": "reference", "author": "Nigel Rees", "title": "Sayings of the Century", "price": 8.95},
			{"category": "fiction", "author": "Evelyn Waugh", "title": "Sword of Honour", "price": 12.99},
			{"category": "fiction", "author": "Herman Melville", "title": "Moby Dick", "isbn": "0-553-21311-3", "price": 8.99},
			{"category": "fiction", "author": "J. R. R. Tolkien", "title": "The Lord of the Rings", "isbn": "0-395-19395-8", "price": 22.99}
		],
		"bicycle": {"color": "red", "price": 19.95}
	},
	"expensive": 10,
	"id": 12345678901234567890123,
	"n": [1, 2.0, 3, 4e0, 5, 6]
}`

func TestCompile(t *testing.T) {
	for _, tc := range []struct {
		text     string
		definite bool
		err      string
	}{
		{text: "$", definite: true},
		{text: "$.a.b[0]", definite: true},
		{text: "$['a']['b c'][-1]", definite: true},
		{text: "$$.Execution.Input.x", definite: true},
		{text: "$$.Map.Item.Value", definite: true},
		{text: "$.a[*]"},
		{text: "$.a.*"},
		{text: "$..a"},
		{text: "$..*"},
		{text: "$.a[0:2]"},
		{text: "$.a[::2]"},
		{text: "$.a[1,2]"},
		{text: "$['a','b']"},
		{text: "$.a[?(@.price < 10)]"},
		{text: "$.a[?(@.isbn)].title"},
		{text: "$.a[?(@.price > $.expensive)]"},
		{text: "$.a[?(@.name =~ /^A.*/)]"},
		{text: "$$.Execution.Input.items[*].id"},
		{text: "", err: `invalid JSONPath "": a path begins with "$"`},
		{text: "a.b", err: `invalid JSONPath "a.b": a path begins with "$"`},
		{text: "$.a..", err: `".." must be followed`},
		{text: "$.a.length()", err: `invalid JSONPath "$.a.length()": functions such as length() are not supported`},
		{text: "$.a.sum()", err: `functions such as length() are not supported`},
		{text: "$..", err: `".." must be followed`},
		{text: "$.a[", err: `invalid JSONPath "$.a["`},
		{text: "$.a[?(@.b nin [1])]", err: `invalid JSONPath`},
	} {
		p, err := Compile(tc.text)
		if tc.err != "" {
			if errorName(t, err) != Runtime || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Compile(%q): error %v, want one containing %q", tc.text, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Compile(%q): %v", tc.text, err)
			continue
		}
		if p.String() != tc.text || p.Definite() != tc.definite {
			t.Errorf("Compile(%q): String %q, Definite %v, want %v", tc.text, p.String(), p.Definite(), tc.definite)
		}
	}
}

func TestMustCompile(t *testing.T) {
	if MustCompile("$.a").String() != "$.a" {
		t.Error("MustCompile lost the text")
	}
	defer func() {
		if recover() == nil {
			t.Error("MustCompile of a bad path did not panic")
		}
	}()
	MustCompile("a")
}

func TestSelect(t *testing.T) {
	for _, tc := range []struct {
		doc, path string
		want      string
	}{
		// "Paths": the reference paths, and a filter.
		{doc: fooBarCar, path: "$.foo", want: `123`},
		{doc: fooBarCar, path: "$.bar", want: `["a","b","c"]`},
		{doc: fooBarCar, path: "$.car.cdr", want: `true`},
		{doc: `{"jar": [{"a": 1}, {"a": 5}, {"a": 2}, {"a": 7}, {"a": 3}]}`, path: "$.jar[?(@.a >= 5)]", want: `[{"a":5},{"a":7}]`},
		// "Flattening an array of arrays" with ResultSelector "$[*][*]".
		{doc: `[[1,2,3],[4,5,6]]`, path: "$[*][*]", want: `[1,2,3,4,5,6]`},
		// Jayway's examples on the store.
		{doc: store, path: "$.store.book[*].author", want: `["Nigel Rees","Evelyn Waugh","Herman Melville","J. R. R. Tolkien"]`},
		{doc: store, path: "$..author", want: `["Nigel Rees","Evelyn Waugh","Herman Melville","J. R. R. Tolkien"]`},
		{doc: store, path: "$.store.*", want: `[{"color":"red","price":19.95},[` +
			`{"author":"Nigel Rees","category":"reference","price":8.95,"title":"Sayings of the Century"},` +
			`{"author":"Evelyn Waugh","category":"fiction","price":12.99,"title":"Sword of Honour"},` +
			`{"author":"Herman Melville","category":"fiction","isbn":"0-553-21311-3","price":8.99,"title":"Moby Dick"},` +
			`{"author":"J. R. R. Tolkien","category":"fiction","isbn":"0-395-19395-8","price":22.99,"title":"The Lord of the Rings"}]]`},
		// Pre-order, fields by name: bicycle before book.
		{doc: store, path: "$.store..price", want: `[19.95,8.95,12.99,8.99,22.99]`},
		{doc: store, path: "$..book[2].title", want: `["Moby Dick"]`},
		{doc: store, path: "$..book[-1].title", want: `["The Lord of the Rings"]`},
		{doc: store, path: "$..book[0,1].title", want: `["Sayings of the Century","Sword of Honour"]`},
		{doc: store, path: "$..book[:2].title", want: `["Sayings of the Century","Sword of Honour"]`},
		{doc: store, path: "$..book[1:2].title", want: `["Sword of Honour"]`},
		{doc: store, path: "$..book[-2:].title", want: `["Moby Dick","The Lord of the Rings"]`},
		{doc: store, path: "$..book[2:].title", want: `["Moby Dick","The Lord of the Rings"]`},
		{doc: store, path: "$..book[?(@.isbn)].title", want: `["Moby Dick","The Lord of the Rings"]`},
		{doc: store, path: "$.store.book[?(@.price < 10)].title", want: `["Sayings of the Century","Moby Dick"]`},
		{doc: store, path: "$..book[?(@.price <= $['expensive'])].title", want: `["Sayings of the Century","Moby Dick"]`},
		{doc: store, path: "$..book[?(@.price > $.expensive)].price", want: `[12.99,22.99]`},
		{doc: store, path: "$..book[?(@.author =~ /.*REES/)].title", want: `[]`},
		{doc: store, path: "$..book[?(@.author =~ /(?i).*REES/)].title", want: `["Sayings of the Century"]`},
		{doc: store, path: "$..book[?(@.category == 'fiction' && @.price < 10)].title", want: `["Moby Dick"]`},
		{doc: store, path: `$..book[?(@.category != "fiction" || @.price > 20)].title`, want: `["Sayings of the Century","The Lord of the Rings"]`},
		{doc: store, path: "$..book[?(@.price in [8.95, 22.99])].title", want: `["Sayings of the Century","The Lord of the Rings"]`},
		{doc: store, path: "$..book[?(!@.isbn)].title", want: `["Sayings of the Century","Sword of Honour"]`},
		{doc: store, path: "$.store.book[*]['author','title']", want: `["Nigel Rees","Sayings of the Century","Evelyn Waugh","Sword of Honour",` +
			`"Herman Melville","Moby Dick","J. R. R. Tolkien","The Lord of the Rings"]`},
		// Numbers keep their text, through selection and filters.
		{doc: store, path: "$.n[*]", want: `[1,2.0,3,4e0,5,6]`},
		{doc: store, path: "$.n[?(@ >= 2 && @ <= 4)]", want: `[2.0,3,4e0]`},
		{doc: store, path: "$.n[?(@ == 4)]", want: `[4e0]`},
		{doc: store, path: "$..id", want: `[12345678901234567890123]`},
		{doc: store, path: "$.id", want: `12345678901234567890123`},
		// Unions and slices in the order written.
		{doc: store, path: "$.n[5,0,5]", want: `[6,1,6]`},
		{doc: store, path: "$.n[::-2]", want: `[6,4e0,2.0]`},
		{doc: store, path: "$['expensive','id']", want: `[10,12345678901234567890123]`},
		// Wildcards visit fields in the order of their names.
		{doc: `{"c":3,"a":1,"b":2}`, path: "$.*", want: `[1,2,3]`},
		{doc: `{"z":{"v":1},"a":{"v":2}}`, path: "$[?(@.v > 0)].v", want: `[2,1]`},
		// Recursive descent: the node itself first, then its descendants.
		{doc: `{"a":{"a":{"a":1}}}`, path: "$..a", want: `[{"a":{"a":1}},{"a":1},1]`},
		{doc: `{"x":[{"y":1},{"z":{"y":2}}],"y":0}`, path: "$..y", want: `[0,1,2]`},
		{doc: `{"x":[[1,2],[3]]}`, path: "$..[0]", want: `[[1,2],1,3]`},
		{doc: `{"a":[1,{"b":null}]}`, path: "$..*", want: `[[1,{"b":null}],1,{"b":null},null]`},
		{doc: `{"a":{"b":{"c":1}},"b":{"c":2}}`, path: "$..b..c", want: `[2,1]`},
		// Indefinite paths that select nothing give an empty array.
		{doc: store, path: "$..nothing", want: `[]`},
		{doc: store, path: "$.store.book[?(@.price > 100)]", want: `[]`},
		{doc: store, path: "$.expensive[*]", want: `[]`},
		{doc: store, path: "$.expensive.*", want: `[]`},
		{doc: store, path: "$.n[10:]", want: `[]`},
		{doc: `null`, path: "$..a", want: `[]`},
		{doc: `"s"`, path: "$[*]", want: `[]`},
		// Definite paths give the value itself.
		{doc: store, path: "$", want: `{"expensive":10,"id":12345678901234567890123,"n":[1,2.0,3,4e0,5,6],"store":` +
			`{"bicycle":{"color":"red","price":19.95},"book":[` +
			`{"author":"Nigel Rees","category":"reference","price":8.95,"title":"Sayings of the Century"},` +
			`{"author":"Evelyn Waugh","category":"fiction","price":12.99,"title":"Sword of Honour"},` +
			`{"author":"Herman Melville","category":"fiction","isbn":"0-553-21311-3","price":8.99,"title":"Moby Dick"},` +
			`{"author":"J. R. R. Tolkien","category":"fiction","isbn":"0-395-19395-8","price":22.99,"title":"The Lord of the Rings"}]}}`},
		{doc: store, path: "$.store.book[-1].author", want: `"J. R. R. Tolkien"`},
		{doc: store, path: "$['store']['bicycle']['color']", want: `"red"`},
		{doc: `{"a b":{"it's":[true]}}`, path: `$['a b']['it\'s'][0]`, want: `true`},
	} {
		p, err := Compile(tc.path)
		if err != nil {
			t.Errorf("Compile(%q): %v", tc.path, err)
			continue
		}
		v := decode(t, tc.doc)
		before := encode(t, v)
		got, err := p.Select(v, "InputPath")
		unchanged(t, "the input of Select", before, v)
		if err != nil {
			t.Errorf("%s in %s: %v", tc.path, tc.doc, err)
			continue
		}
		if diff := cmp.Diff(decode(t, tc.want), got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.path, diff)
		}
	}
}

// Select gives back the very values of the document, not copies.
func TestSelectShares(t *testing.T) {
	v := decode(t, store)
	got, err := MustCompile("$..bicycle").Select(v, "")
	if err != nil {
		t.Fatal(err)
	}
	bike := v.(map[string]any)["store"].(map[string]any)["bicycle"].(map[string]any)
	bike["new"] = true
	if got.([]any)[0].(map[string]any)["new"] != true {
		t.Error("Select returned a copy")
	}
}

func TestSelectErrors(t *testing.T) {
	for _, tc := range []struct {
		path, name, err, msg string
	}{
		{path: "$.store.car", name: "InputPath", err: Runtime, msg: `InputPath "$.store.car": field "car" not found in an object with fields "bicycle", "book"`},
		{path: "$.store.book[9]", name: "OutputPath", err: Runtime, msg: `index 9 out of range of "$.store.book", an array of 4 elements`},
		{path: "$.nope", name: "Parameters", err: ParameterPathFailure, msg: `Parameters "$.nope"`},
		{path: "$.nope", name: "ResultSelector", err: ParameterPathFailure},
		{path: "$.nope", name: "ItemSelector", err: ParameterPathFailure},
		{path: "$.nope", name: "ItemsPath", err: Runtime},
	} {
		_, err := MustCompile(tc.path).Select(decode(t, store), tc.name)
		if name := errorName(t, err); name != tc.err || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: error %v (%s), want a %s containing %q", tc.path, err, name, tc.err, tc.msg)
		}
	}
	var nilPath *Path
	if _, err := nilPath.Select(nil, ""); errorName(t, err) != Runtime {
		t.Errorf("a nil Path: error %v", err)
	}
}

// Values that are not JSON do not make Select panic.
func TestSelectOddValues(t *testing.T) {
	type point struct{ X, Y int }
	for _, v := range []any{
		map[string]any{"a": point{1, 2}, "b": []int{1, 2}, "c": int8(3), "d": uint64(1 << 63), "e": float32(1.5)},
		[]any{make(chan int), func() {}, map[int]any{1: 2}},
	} {
		for _, path := range []string{"$..*", "$[*].X", "$..[?(@ > 1)]", "$.*[0]", "$..a[?(@.X == 1)]"} {
			if _, err := MustCompile(path).Select(v, ""); err != nil && errorName(t, err) != Runtime {
				t.Errorf("%s: %v", path, err)
			}
		}
	}
	got, err := MustCompile("$[?(@ > 2)]").Select(map[string]any{"a": 1, "b": float64(2.5), "c": int8(3), "d": uint16(4)}, "")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]any{float64(2.5), int8(3), uint16(4)}, got); diff != "" {
		t.Errorf("Go numbers (-want +got):\n%s", diff)
	}
}

// The result is the same on every run and on many goroutines at once.
func TestSelectDeterministic(t *testing.T) {
	v := decode(t, store)
	p := MustCompile("$..*")
	first, err := p.Select(v, "")
	if err != nil {
		t.Fatal(err)
	}
	want := encode(t, first)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				got, err := p.Select(v, "")
				if err != nil {
					t.Error(err)
					return
				}
				if j, _ := Encode(got); string(j) != want {
					t.Errorf("Select differs:\n%s\n%s", j, want)
					return
				}
			}
		}()
	}
	wg.Wait()
	unchanged(t, "the document", encode(t, decode(t, store)), v)
}

func TestSelectStaticMatchesGet(t *testing.T) {
	v := decode(t, store)
	for _, tc := range []struct {
		text string
		path rt.Path
	}{
		{"$.store.book[1].title", rt.Path{"store", "book", 1, "title"}},
		{"$['store'].bicycle", rt.Path{"store", "bicycle"}},
		{"$.n[-1]", rt.Path{"n", -1}},
	} {
		a, err1 := MustCompile(tc.text).Select(v, "InputPath")
		b, err2 := Get(v, tc.path, "InputPath")
		if err1 != nil || err2 != nil || !cmp.Equal(a, b) {
			t.Errorf("%s: Select %v, %v; Get %v, %v", tc.text, a, err1, b, err2)
		}
	}
}
