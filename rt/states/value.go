package states

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/unumc/unumc/rt"
)

// Decode decodes a JSON document into plain Go values, numbers as
// json.Number. An empty document (or only white space) is the nil value;
// anything that is not exactly one JSON value is a States.Runtime error.
func Decode(raw json.RawMessage) (any, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, newError(Runtime, "invalid JSON: "+err.Error())
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, newError(Runtime, "invalid JSON: data after the value")
	}
	return v, nil
}

// Encode encodes v as compact JSON: object keys sorted, json.Number written
// as it is, and <, > and & left as they are.
func Encode(v any) (json.RawMessage, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, newError(Runtime, "cannot encode the value as JSON: "+err.Error())
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// Copy returns a deep copy of v: new maps and slices all the way down, the
// scalars as they are.
func Copy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[k] = Copy(x)
		}
		return m
	case []any:
		a := make([]any, len(v))
		for i, x := range v {
			a[i] = Copy(x)
		}
		return a
	}
	return v
}

// Get returns the value that the reference path p selects in v. name is
// the field that holds the path ("InputPath", "Parameters", ...): it starts
// the message of the error when p selects nothing and decides the error's
// name (see ParameterPathFailure). A negative index counts from the end of
// the array, as in Jayway's JsonPath.
func Get(v any, p rt.Path, name string) (any, error) {
	return get(v, p, name, "$")
}

func get(v any, p rt.Path, name, root string) (any, error) {
	for i, step := range p {
		switch s := step.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil, pathError(name, root, p, "%s is %s, not an object", quote(pathText(root, p[:i])), describe(v))
			}
			if v, ok = m[s]; !ok {
				return nil, pathError(name, root, p, "field %s not found in %s", strconv.Quote(s), describeFields(m))
			}
		case int:
			a, ok := v.([]any)
			if !ok {
				return nil, pathError(name, root, p, "%s is %s, not an array", quote(pathText(root, p[:i])), describe(v))
			}
			j := s
			if j < 0 {
				j += len(a)
			}
			if j < 0 || j >= len(a) {
				return nil, pathError(name, root, p, "index %d out of range of %s, an array of %s", s, quote(pathText(root, p[:i])), plural(len(a), "element"))
			}
			v = a[j]
		default:
			return nil, pathError(name, root, p, "step %d is %T, not a field name or an index", i, step)
		}
	}
	return v, nil
}

// Set returns a copy of v with result at p, as a ResultPath puts a state's
// result into its input: a field that exists is replaced, one that does not
// is added, with objects for missing intermediate fields. The empty path
// gives result itself; a nil v with a non-empty path starts from an empty
// object. A field of something other than an object, or an index of
// something other than an array or past its end, is a
// States.ResultPathMatchFailure. Only the objects and arrays on the path are
// copied; the rest is shared with v and result.
func Set(v any, p rt.Path, result any) (any, error) {
	if len(p) == 0 {
		return result, nil
	}
	if v == nil {
		v = map[string]any{}
	}
	return set(v, p, 0, result)
}

// set sets p[i:] in v, which p[:i] selects.
func set(v any, p rt.Path, i int, result any) (any, error) {
	if i == len(p) {
		return result, nil
	}
	fail := func(format string, args ...any) error {
		e := pathError("ResultPath", "$", p, format, args...)
		e.Name = ResultPathMatchFailure
		return e
	}
	switch s := p[i].(type) {
	case string:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fail("%s is %s, not an object", quote(pathText("$", p[:i])), describe(v))
		}
		child, ok := m[s]
		if !ok {
			child = map[string]any{}
		}
		x, err := set(child, p, i+1, result)
		if err != nil {
			return nil, err
		}
		c := make(map[string]any, len(m)+1)
		for k, y := range m {
			c[k] = y
		}
		c[s] = x
		return c, nil
	case int:
		a, ok := v.([]any)
		if !ok {
			return nil, fail("%s is %s, not an array", quote(pathText("$", p[:i])), describe(v))
		}
		if s < 0 || s >= len(a) {
			return nil, fail("index %d out of range of %s, an array of %s", s, quote(pathText("$", p[:i])), plural(len(a), "element"))
		}
		x, err := set(a[s], p, i+1, result)
		if err != nil {
			return nil, err
		}
		c := make([]any, len(a))
		copy(c, a)
		c[s] = x
		return c, nil
	}
	return nil, fail("step %d is %T, not a field name or an index", i, p[i])
}

// pathError reports that path p, written in field name, fails.
func pathError(name, root string, p rt.Path, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	if name == "" {
		name = "path"
	}
	return newError(pathErrorName(name), fmt.Sprintf("%s %s: %s", name, quote(pathText(root, p)), msg))
}

// pathText writes p as a JSONPath after root ("$" or "$$"): fields whose
// names are identifiers after a dot, others in brackets.
func pathText(root string, p rt.Path) string {
	var b strings.Builder
	b.WriteString(root)
	for _, s := range p {
		switch s := s.(type) {
		case string:
			if isIdent(s) {
				b.WriteByte('.')
				b.WriteString(s)
				continue
			}
			b.WriteString("['")
			for _, r := range s {
				if r == '\'' || r == '\\' {
					b.WriteByte('\\')
				}
				b.WriteRune(r)
			}
			b.WriteString("']")
		case int:
			fmt.Fprintf(&b, "[%d]", s)
		default:
			fmt.Fprintf(&b, "[%v]", s)
		}
	}
	return b.String()
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z':
		case '0' <= r && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// quote quotes a path for a message. Paths are written in double quotes,
// like other names users wrote.
func quote(s string) string { return strconv.Quote(s) }

// describe names the JSON type of v with an article: "an object", "null".
func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	}
	if _, ok := toFloat(v); ok {
		return "a number"
	}
	return fmt.Sprintf("a %T", v)
}

// describeFields describes an object by its fields, sorted, at most ten.
func describeFields(m map[string]any) string {
	if len(m) == 0 {
		return "an empty object"
	}
	keys := sortedKeys(m)
	const most = 10
	var b strings.Builder
	b.WriteString("an object with ")
	if len(keys) == 1 {
		b.WriteString("field ")
	} else {
		b.WriteString("fields ")
	}
	for i, k := range keys {
		if i == most {
			fmt.Fprintf(&b, " and %d more", len(keys)-most)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(k))
	}
	return b.String()
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

// errorOf converts an error from a lazy lookup into an *Error, keeping one
// that already is.
func errorOf(err error, name, context string) error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return newError(name, context+": "+err.Error())
}
