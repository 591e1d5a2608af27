package rt

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"
)

// Path selects a value in a JSON document: each element is a field name
// (string) or an array index (int). The empty path selects the document.
type Path []any

func (p Path) String() string {
	if len(p) == 0 {
		return "."
	}
	var b strings.Builder
	for _, s := range p {
		switch s := s.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", s)
		default:
			fmt.Fprintf(&b, ".%v", s)
		}
	}
	return b.String()
}

// Decode decodes a JSON document into plain Go values (map[string]any,
// []any, string, float64, bool, nil) for conditions to inspect.
func Decode(doc json.RawMessage) (any, error) {
	if len(bytes.TrimSpace(doc)) == 0 {
		return nil, nil
	}
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		return nil, err
	}
	return v, nil
}

// Lookup returns the value p selects in v, and whether it exists.
func Lookup(v any, p Path) (any, bool) {
	for _, s := range p {
		switch s := s.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			if v, ok = m[s]; !ok {
				return nil, false
			}
		case int:
			a, ok := v.([]any)
			if !ok || s < 0 || s >= len(a) {
				return nil, false
			}
			v = a[s]
		default:
			return nil, false
		}
	}
	return v, true
}

// Op is a comparison operator of a choice.
type Op int

// The comparison operators.
const (
	Eq Op = iota
	Ne
	Lt
	Le
	Gt
	Ge
)

// Kind restricts a comparison to values of one type.
type Kind int

// The kinds of comparison; see CompareKind.
const (
	AnyKind Kind = iota
	NumberKind
	StringKind
	BoolKind
	TimestampKind
)

// Compare compares the value at left with right, which is a literal (nil,
// bool, float64, string) or a Path into the same document. A comparison with
// a missing value is false. == and != are JSON equality; the ordering
// operators compare two numbers or two strings and are false otherwise.
func Compare(v any, left Path, op Op, right any) bool {
	return CompareKind(AnyKind, v, left, op, right)
}

// CompareKind is Compare restricted to one kind of value, as Step Functions'
// NumericEquals, StringLessThan, TimestampGreaterThan and so on are: the
// comparison is false unless both values have that kind.
func CompareKind(kind Kind, v any, left Path, op Op, right any) bool {
	a, ok := Lookup(v, left)
	if !ok {
		return false
	}
	b := right
	if p, isPath := right.(Path); isPath {
		if b, ok = Lookup(v, p); !ok {
			return false
		}
	}
	switch kind {
	case NumberKind:
		x, ok1 := a.(float64)
		y, ok2 := b.(float64)
		return ok1 && ok2 && order(op, cmpFloat(x, y))
	case StringKind:
		x, ok1 := a.(string)
		y, ok2 := b.(string)
		return ok1 && ok2 && order(op, strings.Compare(x, y))
	case BoolKind:
		x, ok1 := a.(bool)
		y, ok2 := b.(bool)
		return ok1 && ok2 && (op == Eq && x == y || op == Ne && x != y)
	case TimestampKind:
		x, ok1 := timestamp(a)
		y, ok2 := timestamp(b)
		return ok1 && ok2 && order(op, x.Compare(y))
	}
	switch op {
	case Eq:
		return equal(a, b)
	case Ne:
		return !equal(a, b)
	}
	switch x := a.(type) {
	case float64:
		if y, ok := b.(float64); ok {
			return order(op, cmpFloat(x, y))
		}
	case string:
		if y, ok := b.(string); ok {
			return order(op, strings.Compare(x, y))
		}
	}
	return false
}

func equal(a, b any) bool {
	if x, ok := a.(float64); ok {
		y, ok := b.(float64)
		return ok && x == y
	}
	return reflect.DeepEqual(a, b)
}

func cmpFloat(x, y float64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	case x == y:
		return 0
	}
	return 2 // NaN: unordered, fails every test below
}

func order(op Op, c int) bool {
	switch op {
	case Eq:
		return c == 0
	case Ne:
		return c != 0 && c != 2
	case Lt:
		return c == -1
	case Le:
		return c == -1 || c == 0
	case Gt:
		return c == 1
	case Ge:
		return c == 1 || c == 0
	}
	return false
}

func timestamp(v any) (time.Time, bool) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}

// Has reports whether p selects a value; JSON null counts as present.
func Has(v any, p Path) bool {
	_, ok := Lookup(v, p)
	return ok
}

// The JSON types for IsType.
const (
	NullType = iota
	StringType
	NumberType
	BoolType
	ArrayType
	ObjectType
	TimestampType
)

// IsType reports whether p selects a value of the given type.
func IsType(v any, p Path, typ int) bool {
	x, ok := Lookup(v, p)
	if !ok {
		return false
	}
	switch typ {
	case NullType:
		return x == nil
	case StringType:
		_, ok = x.(string)
	case NumberType:
		_, ok = x.(float64)
	case BoolType:
		_, ok = x.(bool)
	case ArrayType:
		_, ok = x.([]any)
	case ObjectType:
		_, ok = x.(map[string]any)
	case TimestampType:
		_, ok = timestamp(x)
	default:
		return false
	}
	return ok
}

// Matches reports whether p selects a string matching pattern, in which '*'
// matches any run of characters and a backslash escapes '*' or '\'.
func Matches(v any, p Path, pattern string) bool {
	x, ok := Lookup(v, p)
	if !ok {
		return false
	}
	s, ok := x.(string)
	return ok && glob(pattern, s)
}

func glob(pattern, s string) bool {
	// Split the pattern into literal pieces separated by unescaped stars.
	var pieces []string
	var cur strings.Builder
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; {
		case c == '\\' && i+1 < len(pattern):
			i++
			cur.WriteByte(pattern[i])
		case c == '*':
			pieces = append(pieces, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	pieces = append(pieces, cur.String())
	if len(pieces) == 1 {
		return s == pieces[0]
	}
	if !strings.HasPrefix(s, pieces[0]) {
		return false
	}
	s = s[len(pieces[0]):]
	last := pieces[len(pieces)-1]
	for _, piece := range pieces[1 : len(pieces)-1] {
		i := strings.Index(s, piece)
		if i < 0 {
			return false
		}
		s = s[i+len(piece):]
	}
	return len(s) >= len(last) && strings.HasSuffix(s, last)
}

// Items returns the elements of the array p selects in doc, as raw JSON.
func Items(doc json.RawMessage, p Path) ([]json.RawMessage, error) {
	v := doc
	for _, s := range p {
		switch s := s.(type) {
		case string:
			var m map[string]json.RawMessage
			if err := json.Unmarshal(v, &m); err != nil {
				return nil, fmt.Errorf("%s is not an object", p)
			}
			var ok bool
			if v, ok = m[s]; !ok {
				return nil, fmt.Errorf("%s does not exist", p)
			}
		case int:
			var a []json.RawMessage
			if err := json.Unmarshal(v, &a); err != nil || s < 0 || s >= len(a) {
				return nil, fmt.Errorf("%s does not exist", p)
			}
			v = a[s]
		}
	}
	var items []json.RawMessage
	if err := json.Unmarshal(v, &items); err != nil || items == nil && !bytes.Equal(bytes.TrimSpace(v), []byte("[]")) {
		return nil, fmt.Errorf("%s is not an array", p)
	}
	return items, nil
}

// SetPath returns doc with the value at p set to v, as a Step Functions
// ResultPath sets a result into a state's input: missing fields are added
// (with objects for missing intermediate fields), present ones replaced in
// place, keeping the order of the other fields and their text. The empty
// path replaces the document. A field of something that is not an object,
// or an index of something that is not an array or past its end, is an
// error.
func SetPath(doc json.RawMessage, p Path, v json.RawMessage) (json.RawMessage, error) {
	return setPath(doc, p, 0, v)
}

// setPath sets the value at p[i:] in doc, which is at p[:i].
func setPath(doc json.RawMessage, p Path, i int, v json.RawMessage) (json.RawMessage, error) {
	if i == len(p) {
		return v, nil
	}
	switch s := p[i].(type) {
	case string:
		fields, err := objectFields(doc)
		if err != nil {
			return nil, fmt.Errorf("%s is not an object", Path(p[:i]))
		}
		for k := range fields {
			if fields[k].key == s {
				if fields[k].value, err = setPath(fields[k].value, p, i+1, v); err != nil {
					return nil, err
				}
				return encodeObject(fields)
			}
		}
		val, err := setPath(json.RawMessage("{}"), p, i+1, v)
		if err != nil {
			return nil, err
		}
		return encodeObject(append(fields, jsonField{s, val}))
	case int:
		var elems []json.RawMessage
		if d := bytes.TrimSpace(doc); len(d) == 0 || d[0] != '[' || json.Unmarshal(d, &elems) != nil {
			return nil, fmt.Errorf("%s is not an array", Path(p[:i]))
		}
		if s < 0 || s >= len(elems) {
			return nil, fmt.Errorf("%s has %d elements, no [%d]", Path(p[:i]), len(elems), s)
		}
		var err error
		if elems[s], err = setPath(elems[s], p, i+1, v); err != nil {
			return nil, err
		}
		return json.Marshal(elems)
	}
	return nil, fmt.Errorf("bad path step %v", p[i])
}

// jsonField is one field of a JSON object, its value as written.
type jsonField struct {
	key   string
	value json.RawMessage
}

// objectFields reads the fields of a JSON object in order.
func objectFields(doc json.RawMessage) ([]jsonField, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("not an object")
	}
	var fields []jsonField
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		f := jsonField{}
		f.key, _ = t.(string)
		if err := dec.Decode(&f.value); err != nil {
			return nil, err
		}
		fields = append(fields, f)
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	return fields, nil
}

func encodeObject(fields []jsonField) (json.RawMessage, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(f.key)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(f.value)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
