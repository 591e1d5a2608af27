package asl

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/unumc/unumc/internal/diag"
)

// kind is the JSON type of a value.
type kind int

const (
	kNull kind = iota
	kBool
	kNumber
	kString
	kArray
	kObject
)

var kindNames = [...]string{kNull: "null", kBool: "a boolean", kNumber: "a number", kString: "a string", kArray: "an array", kObject: "an object"}

func (k kind) String() string { return kindNames[k] }

// value is a decoded JSON value that remembers where it was written and, for
// an object, the order of its members and where each key is.
type value struct {
	kind kind
	pos  diag.Pos // the first character of the value
	b    bool
	num  json.Number
	str  string
	arr  []*value
	obj  []*member
}

// member is one key and value of an object.
type member struct {
	key string
	pos diag.Pos // the opening quote of the key
	val *value
}

// get returns the member called key, or nil.
func (v *value) get(key string) *member {
	if v == nil || v.kind != kObject {
		return nil
	}
	for _, m := range v.obj {
		if m.key == key {
			return m
		}
	}
	return nil
}

// lines maps byte offsets of a source to positions.
type lines struct {
	file  string
	src   []byte
	start []int // the offset at which each line begins
}

func newLines(file string, src []byte) *lines {
	l := &lines{file: file, src: src, start: []int{0}}
	for i, c := range src {
		if c == '\n' {
			l.start = append(l.start, i+1)
		}
	}
	return l
}

// pos returns the position of the byte at off; the column counts bytes from 1.
func (l *lines) pos(off int) diag.Pos {
	off = max(0, min(off, len(l.src)))
	i := sort.Search(len(l.start), func(i int) bool { return l.start[i] > off }) - 1
	return diag.Pos{File: l.file, Line: i + 1, Col: off - l.start[i] + 1}
}

// skip returns the offset of the next token at or after off, past white
// space and the separators ',' and ':' that Decoder.Token does not report.
func (l *lines) skip(off int) int {
	for off < len(l.src) {
		switch l.src[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
		default:
			return off
		}
	}
	return off
}

// decoder walks the tokens of a JSON text into a tree of values.
type decoder struct {
	dec     *json.Decoder
	lines   *lines
	errs    diag.List
	dropped int // duplicate keys past maxErrors
}

// maxDepth bounds the nesting of arrays and objects. Real state machines
// nest a few dozen levels at most.
const maxDepth = 256

// maxErrors bounds the diagnostics of one definition.
const maxErrors = 200

// decode parses src, which must hold exactly one JSON value. It reports
// malformed JSON as one positioned diagnostic, and every duplicate key.
func decode(file string, src []byte) (*value, diag.List) {
	d := &decoder{dec: json.NewDecoder(bytes.NewReader(src)), lines: newLines(file, src)}
	d.dec.UseNumber()
	v, err := d.value(nil, 0)
	if err == nil {
		off := d.lines.skip(int(d.dec.InputOffset()))
		if _, err = d.dec.Token(); err == nil {
			d.errs.Add(d.lines.pos(off), "unexpected data after the top-level value")
			return nil, d.errs
		} else if err == io.EOF {
			err = nil
		}
	}
	if err != nil {
		d.syntax(err)
		return nil, d.errs
	}
	if d.dropped > 0 {
		d.errs.Add(d.lines.pos(len(d.lines.src)), "%d more duplicate keys", d.dropped)
	}
	return v, d.errs
}

// depthError is nesting deeper than maxDepth.
type depthError struct{ off int }

func (e *depthError) Error() string {
	return fmt.Sprintf("arrays and objects nested more than %d deep", maxDepth)
}

// syntax reports a decoding error at the byte where it was found.
func (d *decoder) syntax(err error) {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		// Offset counts the bytes read, including the offending one.
		d.errs.Add(d.lines.pos(int(se.Offset)-1), "%s", strings.TrimPrefix(se.Error(), "json: "))
	case errors.As(err, new(*depthError)):
		var de *depthError
		errors.As(err, &de)
		d.errs.Add(d.lines.pos(de.off), "%s", err)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		d.errs.Add(d.lines.pos(len(d.lines.src)), "unexpected end of JSON input")
	default:
		d.errs.Add(d.lines.pos(int(d.dec.InputOffset())), "%s", strings.TrimPrefix(err.Error(), "json: "))
	}
}

// value decodes the next value; loc is its location for diagnostics.
func (d *decoder) value(loc *where, depth int) (*value, error) {
	start := d.lines.skip(int(d.dec.InputOffset()))
	if depth > maxDepth {
		return nil, &depthError{off: start}
	}
	tok, err := d.dec.Token()
	if err != nil {
		return nil, err
	}
	v := &value{pos: d.lines.pos(start)}
	switch t := tok.(type) {
	case nil:
		v.kind = kNull
	case bool:
		v.kind, v.b = kBool, t
	case json.Number:
		v.kind, v.num = kNumber, t
	case string:
		v.kind, v.str = kString, t
	case json.Delim:
		switch t {
		case '[':
			v.kind = kArray
			for d.dec.More() {
				x, err := d.value(loc.at(len(v.arr)), depth+1)
				if err != nil {
					return nil, err
				}
				v.arr = append(v.arr, x)
			}
			if _, err := d.dec.Token(); err != nil {
				return nil, err
			}
		case '{':
			v.kind = kObject
			seen := map[string]*member{}
			for d.dec.More() {
				kstart := d.lines.skip(int(d.dec.InputOffset()))
				ktok, err := d.dec.Token()
				if err != nil {
					return nil, err
				}
				key, ok := ktok.(string)
				if !ok {
					return nil, fmt.Errorf("object key is not a string")
				}
				m := &member{key: key, pos: d.lines.pos(kstart)}
				if m.val, err = d.value(loc.field(key), depth+1); err != nil {
					return nil, err
				}
				if prev, dup := seen[key]; dup {
					if len(d.errs) >= maxErrors {
						d.dropped++
						continue
					}
					d.errs.Add(m.pos, "%s: duplicate key %q, first at %d:%d", loc.field(key), key, prev.pos.Line, prev.pos.Col)
					continue
				}
				seen[key] = m
				v.obj = append(v.obj, m)
			}
			if _, err := d.dec.Token(); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("unexpected %q", rune(t))
		}
	}
	return v, nil
}

// where is a location in the JSON text, for diagnostics: a chain of field
// names and indexes from the root, rendered only when a diagnostic needs it,
// such as "States.Charge.Retry[0].ErrorEquals". The root is nil.
type where struct {
	parent *where
	key    string
	index  int // -1 for a field
}

// field is the location of a field of the value at w.
func (w *where) field(key string) *where { return &where{parent: w, key: key, index: -1} }

// at is the location of an element of the array at w.
func (w *where) at(i int) *where { return &where{parent: w, index: i} }

// top is the location of a field of the root.
func top(key string) *where { return (*where)(nil).field(key) }

// maxLocKey bounds how much of a long field name a location shows.
const maxLocKey = 120

func (w *where) String() string {
	var parts []*where
	for x := w; x != nil; x = x.parent {
		parts = append(parts, x)
	}
	var b strings.Builder
	for i := len(parts) - 1; i >= 0; i-- {
		x := parts[i]
		if x.index >= 0 {
			fmt.Fprintf(&b, "[%d]", x.index)
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		if len(x.key) > maxLocKey {
			b.WriteString(x.key[:maxLocKey] + "…")
		} else {
			b.WriteString(x.key)
		}
	}
	return b.String()
}
