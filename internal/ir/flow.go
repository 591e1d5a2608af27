package ir

import (
	"encoding/json"

	"github.com/unumc/unumc/internal/diag"
)

// Flow is a node's input and output processing, with the semantics of a
// Step Functions state in JSONPath mode. The steps run in this order, each
// on the value the one before produced; a nil step passes its value on:
//
//	raw input ─InputPath→ effective input ─Parameters→ function input
//	  ─(function, or Result, or nothing)→ result ─ResultSelector→ result
//	  ─ResultPath (into the raw input)→ value ─OutputPath→ output
//
// A node's output, which its checkpoint holds and its successors receive,
// is the output of the last step. For a join the "raw input" that
// ResultPath merges into is the output of the fan-out's origin, and the
// result is the list of branch results (or what the join's function made
// of it), as the output of a Parallel or Map state is built from the
// state's input.
type Flow struct {
	InputPath      *JSONPath // nil: "$"; Null: the effective input is {}
	Parameters     Expr      // nil: the function gets the effective input
	Result         Expr      // for a pass node: the result in place of the effective input
	ResultSelector Expr      // nil: the result as it is
	ResultPath     *JSONPath // nil: "$", the result is the value; Null: the raw input is; else a reference path into a copy of the raw input
	OutputPath     *JSONPath // nil: "$"; Null: the output is {}
}

// IsZero reports whether the flow changes nothing.
func (f *Flow) IsZero() bool {
	return f == nil || *f == Flow{}
}

// JSONPath is a path as Step Functions writes it: "$" for the whole value,
// "$.a.b[0]", "$['odd key']", or "$$.Map.Item.Value" for the context
// object; any JSONPath (wildcards, slices, filters) outside reference paths.
type JSONPath struct {
	Text    string // as written; "" when Null
	Null    bool   // the JSON null of InputPath, ResultPath, OutputPath
	Context bool   // Text begins with "$$": it selects from the context object
	Var     string // Text begins with "$name": it selects in the workflow variable name
	// Static holds the steps of a reference path (fields and indexes only),
	// which code generation turns into a literal; nil when the path needs a
	// JSONPath evaluator at run time. For a context path the steps are
	// relative to the context object; for a variable's, to its value (and
	// Static.Var is Var).
	Static *Path
	Pos    diag.Pos
}

func (p *JSONPath) String() string {
	if p == nil {
		return "$"
	}
	if p.Null {
		return "null"
	}
	return p.Text
}

// Expr is a payload template or a part of one: *Literal, *Object, *Array,
// *Select or *Intrinsic.
type Expr interface {
	Position() diag.Pos
	expr()
}

// Literal is a constant JSON scalar: nil (null), bool, string or
// json.Number (kept as written, so large integers stay exact).
type Literal struct {
	Value any
	Pos   diag.Pos
}

// Object builds a JSON object, fields in the order written.
type Object struct {
	Fields []*Field
	Pos    diag.Pos
}

// Field is one field of an Object. In Step Functions' syntax a field whose
// value is computed has a name ending in ".$"; Name is without it.
type Field struct {
	Name  string
	Value Expr
	Pos   diag.Pos
}

// Array builds a JSON array.
type Array struct {
	Items []Expr
	Pos   diag.Pos
}

// Select is the value a path selects, in the value the template is applied
// to ("$") or in the context object ("$$"). A path that selects nothing is a
// States.Runtime error.
type Select struct {
	Path JSONPath
	Pos  diag.Pos
}

// Intrinsic calls one of Step Functions' intrinsic functions, such as
// States.Format; arguments are literals, selects or intrinsics.
type Intrinsic struct {
	Name string // "States.Format"
	Args []Expr
	Pos  diag.Pos
}

func (e *Literal) Position() diag.Pos   { return e.Pos }
func (e *Object) Position() diag.Pos    { return e.Pos }
func (e *Array) Position() diag.Pos     { return e.Pos }
func (e *Select) Position() diag.Pos    { return e.Pos }
func (e *Intrinsic) Position() diag.Pos { return e.Pos }
func (*Literal) expr()                  {}
func (*Object) expr()                   {}
func (*Array) expr()                    {}
func (*Select) expr()                   {}
func (*Intrinsic) expr()                {}

// Intrinsics lists the intrinsic functions and how many arguments each
// takes: Min, and Max (-1 for any number).
var Intrinsics = map[string]struct{ Min, Max int }{
	"States.Format":         {1, -1},
	"States.StringToJson":   {1, 1},
	"States.JsonToString":   {1, 1},
	"States.Array":          {0, -1},
	"States.ArrayPartition": {2, 2},
	"States.ArrayContains":  {2, 2},
	"States.ArrayRange":     {3, 3},
	"States.ArrayGetItem":   {2, 2},
	"States.ArrayLength":    {1, 1},
	"States.ArrayUnique":    {1, 1},
	"States.Base64Encode":   {1, 1},
	"States.Base64Decode":   {1, 1},
	"States.Hash":           {2, 2},
	"States.JsonMerge":      {3, 3},
	"States.MathRandom":     {2, 3},
	"States.MathAdd":        {2, 2},
	"States.StringSplit":    {2, 2},
	"States.UUID":           {0, 0},
}

// ExprJSON renders an expression in Step Functions' template syntax: an
// object whose computed fields end in ".$", with paths and intrinsic calls
// as strings. Field order is kept.
func ExprJSON(e Expr) json.RawMessage {
	return json.RawMessage(exprJSON(e, false))
}

// Wait delays a pass node, as a Step Functions Wait state: for Seconds, for
// the number of seconds SecondsPath selects, until Timestamp, or until the
// RFC 3339 timestamp TimestampPath selects. Exactly one is set.
type Wait struct {
	Seconds       int
	SecondsPath   *JSONPath
	Timestamp     string
	TimestampPath *JSONPath
	Pos           diag.Pos
}

// FuncShape says how a function's result becomes the node's result.
type FuncShape int

const (
	// ShapePlain: the function's output is the result.
	ShapePlain FuncShape = iota
	// ShapeLambdaInvoke: the result is the function's output wrapped as
	// Step Functions' arn:aws:states:::lambda:invoke integration returns it:
	// {"ExecutedVersion", "Payload", "SdkHttpMetadata", "SdkResponseMetadata", "StatusCode"}.
	ShapeLambdaInvoke
)

func exprJSON(e Expr, field bool) string {
	switch e := e.(type) {
	case *Literal:
		if n, ok := e.Value.(json.Number); ok {
			return n.String()
		}
		return LiteralJSON(e.Value)
	case *Object:
		b := []byte{'{'}
		for i, f := range e.Fields {
			if i > 0 {
				b = append(b, ',')
			}
			name := f.Name
			if computed(f.Value) {
				name += ".$"
			}
			b = append(b, LiteralJSON(name)...)
			b = append(b, ':')
			b = append(b, exprJSON(f.Value, true)...)
		}
		return string(append(b, '}'))
	case *Array:
		b := []byte{'['}
		for i, it := range e.Items {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, exprJSON(it, false)...)
		}
		return string(append(b, ']'))
	case *Select:
		return LiteralJSON(e.Path.Text)
	case *Intrinsic:
		return LiteralJSON(IntrinsicString(e))
	}
	return "null"
}

// computed reports whether a template value is written as a string under a
// ".$" name.
func computed(e Expr) bool {
	switch e.(type) {
	case *Select, *Intrinsic:
		return true
	}
	return false
}

// IntrinsicString renders an intrinsic call as Step Functions writes it:
// States.Format('{} and {}', $.a, States.UUID()).
func IntrinsicString(e *Intrinsic) string {
	b := []byte(e.Name + "(")
	for i, a := range e.Args {
		if i > 0 {
			b = append(b, ", "...)
		}
		switch a := a.(type) {
		case *Select:
			b = append(b, a.Path.Text...)
		case *Intrinsic:
			b = append(b, IntrinsicString(a)...)
		case *Literal:
			if s, ok := a.Value.(string); ok && i == 0 && e.Name == "States.Format" {
				b = append(b, "'"+s+"'"...) // kept as written, escapes and all
			} else if s, ok := a.Value.(string); ok {
				b = append(b, quoteIntrinsic(s)...)
			} else {
				b = append(b, exprJSON(a, false)...)
			}
		default:
			b = append(b, exprJSON(a, false)...)
		}
	}
	return string(append(b, ')'))
}

// quoteIntrinsic quotes a string argument of an intrinsic: single quotes,
// with ' { } and \ escaped by a backslash.
func quoteIntrinsic(s string) string {
	b := []byte{'\''}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'', '{', '}', '\\':
			b = append(b, '\\', c)
		default:
			b = append(b, c)
		}
	}
	return string(append(b, '\''))
}
