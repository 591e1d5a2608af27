package states

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ohler55/ojg/jp"

	"github.com/unumc/unumc/rt"
)

// Path is a compiled JSONPath: any path Step Functions accepts, in the
// syntax of Jayway's JsonPath ("$.a[*].b", "$..x", "$.a[0:2]",
// "$['a','b']", "$.a[?(@.price < 10)]"), or the same after "$$" for the
// context object.
type Path struct {
	text    string
	context bool
	// static holds the steps of a definite path, one made of field names
	// and indexes only; definite is false for any other path.
	static   rt.Path
	definite bool
	// segs holds an indefinite path cut at each recursive descent "..":
	// the fragments before the first, then those after each.
	segs []jp.Expr
}

// Compile parses a JSONPath. The error says what is wrong in words a
// workflow's author understands; the compiler reports it at compile time.
func Compile(text string) (*Path, error) {
	fail := func(format string, args ...any) (*Path, error) {
		return nil, newError(Runtime, fmt.Sprintf("invalid JSONPath %q: ", text)+fmt.Sprintf(format, args...))
	}
	src := text
	p := &Path{text: text}
	switch {
	case strings.HasPrefix(src, "$$"):
		p.context = true
		src = src[1:]
	case !strings.HasPrefix(src, "$"):
		return fail("a path begins with \"$\"")
	}
	x, err := jp.ParseString(src)
	if err != nil {
		if strings.Contains(src, "()") {
			// As in Step Functions, which documents it.
			return fail("functions such as length() are not supported")
		}
		return fail("%s", strings.TrimSuffix(err.Error(), " in "+src))
	}
	if len(x) == 0 {
		return fail("empty path")
	}
	if _, ok := x[0].(jp.Root); !ok {
		return fail("a path begins with \"$\"")
	}
	p.definite = true
	seg := jp.Expr{}
	for _, f := range x[1:] {
		switch f := f.(type) {
		case jp.Bracket:
			continue // only how ojg prints the path
		case jp.Child:
			p.static = append(p.static, string(f))
		case jp.Nth:
			p.static = append(p.static, int(f))
		case jp.Descent:
			p.definite = false
			p.segs = append(p.segs, seg)
			seg = jp.Expr{}
			continue
		default:
			p.definite = false
		}
		seg = append(seg, f)
	}
	p.segs = append(p.segs, seg)
	for _, s := range p.segs[1:] {
		if len(s) == 0 {
			return fail("\"..\" must be followed by a field name, a wildcard or a bracket")
		}
	}
	if p.definite {
		p.segs = nil
	} else {
		p.static = nil
	}
	return p, nil
}

// MustCompile is Compile for package-level variables of generated code,
// whose paths the compiler has already checked: it panics on an error.
func MustCompile(text string) *Path {
	p, err := Compile(text)
	if err != nil {
		panic(err)
	}
	return p
}

// String returns the path as written.
func (p *Path) String() string { return p.text }

// Definite reports whether the path selects at most one value: it has no
// wildcard, recursive descent, slice, union or filter.
func (p *Path) Definite() bool { return p.definite }

// Select evaluates the path in v (for a "$$" path, v is the context object:
// see Context.Select) with Step Functions' semantics. A definite path gives
// the value it selects, or an error named by name as Get's is when it
// selects nothing; any other path gives a JSON array of every value it
// selects, in document order, which is empty when nothing matches. Objects
// have no order in this runtime: their fields are visited in the order of
// their names.
func (p *Path) Select(v any, name string) (any, error) {
	if p == nil {
		return nil, newError(Runtime, "nil JSONPath")
	}
	root := "$"
	if p.context {
		root = "$$"
	}
	if p.definite {
		return get(v, p.static, name, root)
	}
	return p.selectAll(v)
}

// selectAll evaluates an indefinite path with ojg. ojg sees a shadow of v in
// which every object and array knows where it is and what it shadows, and
// every number is a pointer to an int64 or float64 (ojg compares those by
// value in filters) that leads back to the json.Number it came from. So the
// values selected are v's own, numbers as written.
//
// ojg's own recursive descent visits children before their parent's other
// children, so ".." is done here, in pre-order as Jayway does: the segment
// after a descent is applied to each node and then to each of its
// descendants, by evaluating "$", the node's location and the segment, so
// that "$" inside filters still means the document.
func (p *Path) selectAll(v any) (out []any, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, newError(Runtime, fmt.Sprintf("JSONPath %q failed: %v", p.text, r))
		}
	}()
	sh := &shadower{nums: map[any]any{}}
	root := sh.wrap(v, nil)
	nodes := []any{root}
	for i, seg := range p.segs {
		if i > 0 {
			nodes = preorder(nodes)
		}
		if len(seg) == 0 {
			continue
		}
		var next []any
		for _, n := range nodes {
			loc, ok := location(n)
			if !ok {
				continue // a scalar has nothing to select from
			}
			x := make(jp.Expr, 0, 1+len(loc)+len(seg))
			x = append(x, jp.Root('$'))
			for _, s := range loc {
				switch s := s.(type) {
				case string:
					x = append(x, jp.Child(s))
				case int:
					x = append(x, jp.Nth(s))
				}
			}
			x = append(x, seg...)
			next = append(next, x.Get(root)...)
		}
		nodes = next
	}
	out = make([]any, len(nodes))
	for i, n := range nodes {
		out[i] = sh.unwrap(n)
	}
	return out, nil
}

// shadower builds the shadow of a value for ojg (see Path.selectAll).
type shadower struct {
	nums map[any]any // *int64 or *float64 → the number it shadows
}

// shadowObject is an object for ojg, which it reads through jp.Keyed.
type shadowObject struct {
	loc    rt.Path
	orig   map[string]any
	keys   []string
	fields map[string]any
}

func (o *shadowObject) ValueForKey(key string) (any, bool) {
	v, ok := o.fields[key]
	return v, ok
}

// Keys returns a copy: ojg may sort what it gets.
func (o *shadowObject) Keys() []string { return slices.Clone(o.keys) }

// SetValueForKey and RemoveValueForKey complete jp.Keyed; Select only reads.
func (o *shadowObject) SetValueForKey(string, any) {}
func (o *shadowObject) RemoveValueForKey(string)   {}

// shadowArray is an array for ojg, which it reads through jp.Indexed.
type shadowArray struct {
	loc   rt.Path
	orig  []any
	items []any
}

func (a *shadowArray) ValueAtIndex(i int) any {
	if i < 0 || i >= len(a.items) {
		return nil
	}
	return a.items[i]
}

func (a *shadowArray) Size() int { return len(a.items) }

// SetValueAtIndex completes jp.Indexed; Select only reads.
func (a *shadowArray) SetValueAtIndex(int, any) {}

func (sh *shadower) wrap(v any, loc rt.Path) any {
	switch x := v.(type) {
	case map[string]any:
		o := &shadowObject{loc: loc, orig: x, keys: sortedKeys(x), fields: make(map[string]any, len(x))}
		for _, k := range o.keys {
			o.fields[k] = sh.wrap(x[k], append(slices.Clip(loc), k))
		}
		return o
	case []any:
		a := &shadowArray{loc: loc, orig: x, items: make([]any, len(x))}
		for i, e := range x {
			a.items[i] = sh.wrap(e, append(slices.Clip(loc), i))
		}
		return a
	case nil, string, bool:
		return v
	}
	if i, ok := toInt64(v); ok {
		p := &i
		sh.nums[p] = v
		return p
	}
	if f, ok := toFloat(v); ok {
		p := &f
		sh.nums[p] = v
		return p
	}
	return v
}

func (sh *shadower) unwrap(v any) any {
	switch x := v.(type) {
	case *shadowObject:
		return x.orig
	case *shadowArray:
		return x.orig
	case *int64, *float64:
		if n, ok := sh.nums[x]; ok {
			return n
		}
		if i, ok := x.(*int64); ok {
			return number(*i)
		}
		return json.Number(strconv.FormatFloat(*x.(*float64), 'g', -1, 64))
	}
	return v
}

// location returns where a shadow object or array is.
func location(v any) (rt.Path, bool) {
	switch x := v.(type) {
	case *shadowObject:
		return x.loc, true
	case *shadowArray:
		return x.loc, true
	}
	return nil, false
}

// preorder returns the nodes each followed by its descendants that are
// objects or arrays, parents before children, fields in order of name.
func preorder(nodes []any) []any {
	var out []any
	var visit func(any)
	visit = func(n any) {
		switch x := n.(type) {
		case *shadowObject:
			out = append(out, x)
			for _, k := range x.keys {
				visit(x.fields[k])
			}
		case *shadowArray:
			out = append(out, x)
			for _, e := range x.items {
				visit(e)
			}
		}
	}
	for _, n := range nodes {
		visit(n)
	}
	return out
}
