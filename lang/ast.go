package lang

import (
	"strings"
	"time"

	"github.com/alecthomas/participle/v2/lexer"
)

// The syntax tree doubles as the grammar: the struct tags are participle
// rules, and the untagged fields (comments, blank lines) are filled in by
// Parse after the grammar has matched. Pos is where a node begins; EndPos,
// where present, is just after its last token.

// File is a parsed .unum file.
type File struct {
	Name   string     // the file name given to Parse
	Decls  []Decl     `parser:"@@*"`
	Footer []*Comment // comments after the last declaration
}

// Comment is a // or /* */ comment, attached to the line it documents or ends.
type Comment struct {
	Pos         lexer.Position
	Text        string // with its delimiters; a // comment without trailing spaces
	BlankBefore bool   // a whole-line comment preceded by an empty line
}

// Text is the value of a name or a string literal, unquoted. The lexer keeps
// string literals quoted, so that a string such as "start" or "{" never
// matches a keyword or a punctuation mark of the grammar; Capture unquotes.
type Text string

// Capture implements participle.Capture: a string literal is unquoted, and
// the tokens of a dotted name (States.ALL) are joined. scan has checked the
// literals.
func (t *Text) Capture(values []string) error {
	s := strings.Join(values, "")
	if strings.HasPrefix(s, `"`) {
		u, err := unquote(s)
		if err != nil {
			return err
		}
		s = u
	}
	*t = Text(s)
	return nil
}

// Decl is a top-level declaration: *WorkflowDecl, *ImportDecl, *NodeDecl or
// *ChainDecl.
type Decl interface{ decl() }

// WorkflowDecl names the workflow: workflow wordcount, or workflow "order-flow".
type WorkflowDecl struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Name   Text `parser:"'workflow' @( Ident | String )"`

	Doc         []*Comment
	Comment     []*Comment
	BlankBefore bool
}

// ImportDecl imports a Go package, optionally under an alias:
// import fx "github.com/acme/effects/v2".
type ImportDecl struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Alias  string `parser:"'import' @Ident?"`
	Path   Text   `parser:"@String"`

	Doc         []*Comment
	Comment     []*Comment
	BlankBefore bool
}

// NodeDecl declares a node: a call of a Go function (node Split =
// wordcount.Split, or node Get = lambda api.Get for a result wrapped as
// Step Functions' Lambda integration wraps it), a pass node (node P = pass)
// or a wait (node W = wait 10s). A block of options may follow:
//
//	node Charge = pay.Charge {
//		inputpath "$.order"
//		parameters {"id.$": "$.id", "amount": 10}
//		resultpath "$.charge"
//		timeout 30s
//		retry OutOfStock every 2s max 5
//		catch States.ALL into .error -> Fallback
//	}
//
// Exactly one of Func, Lambda, Pass and Wait is set. The options are kept by
// kind, each kind in source order; Format prints them in canonical order
// (see Options).
type NodeDecl struct {
	Pos       lexer.Position
	EndPos    lexer.Position
	Name      *Name             `parser:"'node' @@ '='"`
	Func      *FuncRef          `parser:"( (?= Ident Field) @@"`
	Lambda    *FuncRef          `parser:"| 'lambda' @@"`
	Pass      *Pass             `parser:"| @@"`
	Wait      *Wait             `parser:"| @@ )"`
	Timeouts  []*Timeout        `parser:"( '{' ( @@"`
	Retries   []*Retry          `parser:"      | @@"`
	Catches   []*Catch          `parser:"      | @@"`
	Paths     []*PathOption     `parser:"      | @@"`
	Templates []*TemplateOption `parser:"      | @@"`
	Afters    []*After          `parser:"      | @@"`
	Unknown   []*Unknown        `parser:"      | @@ )* '}' )?"`

	Doc         []*Comment
	Comment     []*Comment // at the end of the first line
	BlankBefore bool
	Block       bool       // the option block is printed: it has options or comments
	Footer      []*Comment // whole-line comments before the block's closing brace
	EndComment  []*Comment // after the closing brace
}

// Pass is the kind of a pass node, which calls no function: node P = pass.
type Pass struct {
	Pos     lexer.Position
	EndPos  lexer.Position
	Keyword struct{} `parser:"'pass'"` // only there to hold the grammar
}

// Wait is the kind of a wait node, a pass node that waits before it goes
// on: wait 10s, wait seconds "$.delay", wait until "2026-01-01T00:00:00Z",
// wait until "$.when".
type Wait struct {
	Pos         lexer.Position
	EndPos      lexer.Position
	Seconds     *Duration `parser:"'wait' ( @@"`
	SecondsPath *String   `parser:"      | 'seconds' @@"`
	Until       *String   `parser:"      | 'until' @@ )"`
}

// Option is one line of a node's option block: *After, *PathOption,
// *TemplateOption, *Timeout, *Retry or *Catch.
type Option interface{ option() }

// PathOption is one of the path options of a node's data flow:
// inputpath "$.order", resultpath "$.result", outputpath null.
type PathOption struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Kind   string     `parser:"@( 'inputpath' | 'resultpath' | 'outputpath' )"`
	Value  *PathValue `parser:"@@"`

	Doc         []*Comment
	Comment     []*Comment
	BlankBefore bool
}

// TemplateOption is one of the JSON options of a node's data flow:
// parameters {"id.$": "$.id"}, result {"ok": true}, resultselector {...},
// or the variables it assigns: assign {"total.$": "$.sum"}.
type TemplateOption struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Kind   string `parser:"@( 'parameters' | 'result' | 'resultselector' | 'assign' )"`
	Value  *JSON  `parser:"@@"`

	Doc         []*Comment
	Comment     []*Comment
	BlankBefore bool
}

// PathValue is a Step Functions path, such as "$.a.b", or null.
type PathValue struct {
	Pos  lexer.Position
	Path *Text `parser:"  @String"`
	Null bool  `parser:"| @'null'"`
}

// String is a string literal with its position.
type String struct {
	Pos   lexer.Position
	Value Text `parser:"@String"`
}

// JSON is a JSON value, written as JSON: exactly one field is set. Strings
// are Go or JSON string literals; numbers are kept as written. Where JSON
// has no computed field to hold it, a value computed from a path or an
// intrinsic call is written computed "$.x": a whole template, or an element
// of an array.
type JSON struct {
	Pos      lexer.Position
	EndPos   lexer.Position
	Object   *JSONObject `parser:"  @@"`
	Array    *JSONArray  `parser:"| @@"`
	String   *Text       `parser:"| @String"`
	Number   *string     `parser:"| @Number"`
	Bool     *Boolean    `parser:"| @( 'true' | 'false' )"`
	Null     bool        `parser:"| @'null'"`
	Computed *String     `parser:"| 'computed' @@"`

	// As an element of an array printed over several lines.
	Doc         []*Comment
	Comment     []*Comment // at the end of its (last) line
	BlankBefore bool
}

// JSONObject is a JSON object, its members in the order written.
type JSONObject struct {
	Pos     lexer.Position
	Members []*JSONMember `parser:"'{' ( '}' | @@ ( ',' @@ )* '}' )"`

	Comment []*Comment // after the opening brace, when printed over several lines
	Footer  []*Comment // whole-line comments before the closing brace
}

// JSONMember is one name and value of a JSON object.
type JSONMember struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Name   Text  `parser:"@String ':'"`
	Value  *JSON `parser:"@@"`

	// In an object printed over several lines.
	Doc         []*Comment
	Comment     []*Comment // at the end of its (last) line
	BlankBefore bool
}

// JSONArray is a JSON array.
type JSONArray struct {
	Pos   lexer.Position
	Items []*JSON `parser:"'[' ( ']' | @@ ( ',' @@ )* ']' )"`

	Comment []*Comment // after the opening bracket, when printed over several lines
	Footer  []*Comment // whole-line comments before the closing bracket
}

// After makes a node of a map's branch wait for the previous element:
// after previous.
type After struct {
	Pos     lexer.Position
	EndPos  lexer.Position
	Keyword struct{} `parser:"'after' 'previous'"` // only there to hold the grammar

	Doc         []*Comment
	Comment     []*Comment
	BlankBefore bool
}

// Timeout bounds each run of the node's function: timeout 30s.
type Timeout struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Value  *Duration `parser:"'timeout' @@"`

	Doc         []*Comment
	Comment     []*Comment
	BlankBefore bool
}

// Retry retries the node's function after the errors it names:
// retry OutOfStock, States.Timeout every 2s max 5 backoff 1.5 maxdelay 20s jitter.
// Its clauses may come in any order; each is kept by kind.
type Retry struct {
	Pos      lexer.Position
	EndPos   lexer.Position
	Errors   []*ErrorName     `parser:"'retry' @@ ( ',' @@ )*"`
	Every    []*Duration      `parser:"( 'every' @@"`
	Max      []*Number        `parser:"| 'max' @@"`
	Backoff  []*Number        `parser:"| 'backoff' @@"`
	MaxDelay []*Duration      `parser:"| 'maxdelay' @@"`
	Jitter   []*Jitter        `parser:"| @@"`
	Unknown  []*UnknownClause `parser:"| @@ )*"`

	Doc         []*Comment
	Comment     []*Comment
	BlankBefore bool
}

// Catch continues with a handler after the errors it names:
// catch States.ALL into .error assign {"failed": true} -> Fallback.
type Catch struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Errors []*ErrorName `parser:"'catch' @@ ( ',' @@ )*"`
	Into   *Path        `parser:"( 'into' @@ )?"`
	Assign *JSON        `parser:"( 'assign' @@ )?"`
	Next   *Name        `parser:"'->' @@"`

	Doc         []*Comment
	Comment     []*Comment
	BlankBefore bool
}

func (*PathOption) option()     {}
func (*TemplateOption) option() {}
func (*Timeout) option()        {}
func (*After) option()          {}
func (*Retry) option()          {}
func (*Catch) option()          {}

// ErrorName is an error name, dotted or not, or any other as a string:
// OutOfStock, States.Timeout, "Order failed".
type ErrorName struct {
	Pos  lexer.Position
	Name Text `parser:"@( Ident Field* | String )"`
}

// Jitter is the jitter clause of a retry.
type Jitter struct {
	Pos     lexer.Position
	Keyword struct{} `parser:"'jitter'"` // only there to hold the grammar
}

// Duration is a duration literal: 500ms, 2s, 1m30s.
type Duration struct {
	Pos   lexer.Position
	Value DurationValue `parser:"@Duration"`
}

// DurationValue is a captured duration.
type DurationValue time.Duration

// Capture implements participle.Capture. scan has checked the literal.
func (d *DurationValue) Capture(values []string) error {
	v, err := time.ParseDuration(values[0])
	*d = DurationValue(v)
	return err
}

// Unknown is a word in an option block that starts no option, with the
// tokens after it up to the next option: Parse reports it.
type Unknown struct {
	Pos  lexer.Position
	Name string     `parser:"(?! 'after' | 'timeout' | 'retry' | 'catch' | 'inputpath' | 'parameters' | 'result' | 'resultselector' | 'resultpath' | 'outputpath' | 'assign' ) @Ident"`
	Rest []*skipped `parser:"@@*"`
}

// UnknownClause is a word in a retry that starts no clause, with the tokens
// after it up to the next clause or option: Parse reports it.
type UnknownClause struct {
	Pos  lexer.Position
	Name string     `parser:"(?! 'after' | 'timeout' | 'retry' | 'catch' | 'inputpath' | 'parameters' | 'result' | 'resultselector' | 'resultpath' | 'outputpath' | 'assign' | 'every' | 'max' | 'backoff' | 'maxdelay' | 'jitter' ) @Ident"`
	Rest []*skipped `parser:"@@*"`
}

// skipped is what follows an unknown option up to the next option or the
// end of the block: a token, or a bracketed group skipped whole.
type skipped struct {
	Group []*skipped `parser:"  ( '{' | '[' ) @@* ( '}' | ']' )"`
	Token string     `parser:"| @!( '{' | '}' | '[' | ']' | 'timeout' | 'retry' | 'catch' | 'inputpath' | 'parameters' | 'result' | 'resultselector' | 'resultpath' | 'outputpath' | 'assign' | 'every' | 'max' | 'backoff' | 'maxdelay' | 'jitter' | 'into' | 'after' | 'node' | 'start' | 'import' | 'workflow' )"`
}

// Name is a node name with its position: a plain name, or a string for any
// other ("Send SNS").
type Name struct {
	Pos  lexer.Position
	Name Text `parser:"@( Ident | String )"`
}

// FuncRef names an exported function of an imported package: wordcount.Split.
type FuncRef struct {
	Pos     lexer.Position
	EndPos  lexer.Position
	Package string `parser:"@Ident"`
	Name    string `parser:"@Field"` // without the dot
}

// ChainDecl is a chain of steps at the top level, the workflow's entry when
// Start is set (start -> ...). Its comments are those of its Chain.
type ChainDecl struct {
	Pos   lexer.Position
	Start bool   `parser:"( @'start' '->' )?"`
	Chain *Chain `parser:"@@"`
}

func (*WorkflowDecl) decl() {}
func (*ImportDecl) decl()   {}
func (*NodeDecl) decl()     {}
func (*ChainDecl) decl()    {}

// Chain is a sequence of steps joined by "->". Doc, BlankBefore and Comment
// belong to the line the chain starts (Doc) and the line it ends (Comment);
// for a top-level chain that is its declaration, for a branch its own lines.
type Chain struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Steps  []Step `parser:"@@ ( '->' @@ )*"`

	Doc         []*Comment
	Comment     []*Comment
	BlankBefore bool
}

// Step is one step of a chain: *Ref, *Parallel, *Map, *Choose, *Succeed or
// *Fail.
type Step interface{ step() }

// Ref mentions a node: it runs the node, or jumps to it when nothing follows.
type Ref struct {
	Pos  lexer.Position
	Name Text `parser:"@( Ident | String )"`
}

// Parallel runs its branches concurrently on the same input, or on the
// input its clauses shape: parallel inputpath "$.x" parameters {...} { ... }.
type Parallel struct {
	Pos        lexer.Position
	EndPos     lexer.Position
	InputPath  []*PathValue `parser:"'parallel' ( 'inputpath' @@"`
	Parameters []*JSON      `parser:"           | 'parameters' @@ )*"`
	Branches   []*Chain     `parser:"'{' @@* '}'"`

	Comment []*Comment // after the opening brace
	Footer  []*Comment // whole-line comments before the closing brace
}

// Map runs Body once for each element of the array at Items, at most Limit
// at a time; InputPath and ItemSelector shape what the branches receive. Its
// clauses may come in any order; each is kept by kind.
type Map struct {
	Pos          lexer.Position
	EndPos       lexer.Position
	Items        *Path        `parser:"'map' @@"`
	Limit        []*Number    `parser:"( 'limit' @@"`
	InputPath    []*PathValue `parser:"| 'inputpath' @@"`
	ItemSelector []*JSON      `parser:"| 'itemselector' @@ )*"`
	Body         *Chain       `parser:"'{' @@ '}'"`

	Comment []*Comment // after the opening brace
	Footer  []*Comment // whole-line comments before the closing brace
}

// Choose continues with the first case whose condition holds, or Else;
// Assign sets variables whichever way it goes.
type Choose struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Assign *JSON   `parser:"'choose' ( 'assign' @@ )?"`
	Cases  []*Case `parser:"'{' @@*"`
	Else   *Else   `parser:"@@? '}'"`

	Comment []*Comment // after the opening brace
	Footer  []*Comment // whole-line comments before the closing brace
}

// Case is one "when Cond -> Chain" of a choose, or "when Cond assign {...}
// -> Chain", which also sets variables when it is taken.
type Case struct {
	Pos    lexer.Position
	Cond   *Cond  `parser:"'when' @@"`
	Assign *JSON  `parser:"( 'assign' @@ )? '->'"`
	Chain  *Chain `parser:"@@"`

	Doc         []*Comment
	BlankBefore bool
}

// Else is the "else -> Chain" of a choose.
type Else struct {
	Pos   lexer.Position
	Chain *Chain `parser:"'else' '->' @@"`

	Doc         []*Comment
	BlankBefore bool
}

// Succeed ends the chain's scope with the output of the step before it.
type Succeed struct {
	Pos     lexer.Position
	Keyword struct{} `parser:"'succeed'"` // only there to hold the grammar
}

// Fail ends the chain's scope with an error name and an optional cause, each
// given, or computed from the input by a path or an intrinsic function:
// fail BadMode "mode x", fail errorpath "$.error" causepath "$.cause".
// A string after the error is the cause unless "->" follows it: then it
// begins the next chain.
type Fail struct {
	Pos       lexer.Position
	ErrorPath *String    `parser:"'fail' ( (?= 'errorpath' String) 'errorpath' @@"`
	Error     *ErrorName `parser:"       | @@ )"`
	CausePath *String    `parser:"( (?= 'causepath' String) 'causepath' @@"`
	Cause     *String    `parser:"| (?! String '->') @@ )?"`
}

func (*Ref) step()      {}
func (*Parallel) step() {}
func (*Map) step()      {}
func (*Choose) step()   {}
func (*Succeed) step()  {}
func (*Fail) step()     {}

// Cond is a condition: conjunctions joined by "or". Parse removes
// parentheses that do not change the meaning and flattens nested "and" and
// "or", so a Group only remains where it is needed.
type Cond struct {
	Pos lexer.Position
	Or  []*Conj `parser:"@@ ( 'or' @@ )*"`
}

// Conj is terms joined by "and".
type Conj struct {
	Pos lexer.Position
	And []*Term `parser:"@@ ( 'and' @@ )*"`
}

// Term is one operand of "and": exactly one field is set.
type Term struct {
	Pos   lexer.Position
	Not   *Term `parser:"  'not' @@"`
	Group *Cond `parser:"| '(' @@ ')'"`
	Has   *Path `parser:"| 'has' @@"`
	Test  *Test `parser:"| @@"`
}

// Test is a test of the value at Path: a comparison (Op and Value, or
// Typed), a type test (is Type) or a glob match (matches Pattern).
type Test struct {
	Pos     lexer.Position
	Path    *Path         `parser:"@@"`
	Op      string        `parser:"( @Op"`
	Value   *Operand      `parser:"  @@"`
	Typed   *TypedCompare `parser:"| @@"`
	Type    string        `parser:"| 'is' @( 'null' | 'string' | 'number' | 'bool' | 'array' | 'object' | 'timestamp' )"`
	Pattern *Text         `parser:"| 'matches' @String )"`
}

// TypedCompare is a comparison that names a type, as in .n number < 10: it
// is false unless both sides have that type, as Step Functions'
// NumericLessThan, StringEquals, BooleanEquals and TimestampLessThan are.
type TypedCompare struct {
	Pos   lexer.Position
	Kind  string   `parser:"@( 'number' | 'string' | 'bool' | 'timestamp' )"`
	Op    string   `parser:"@Op"`
	Value *Operand `parser:"@@"`
}

// Operand is the right side of a comparison: a path or a JSON literal.
// Exactly one field is set.
type Operand struct {
	Pos    lexer.Position
	Path   *Path    `parser:"  @@"`
	Number *float64 `parser:"| @Number"`
	String *Text    `parser:"| @String"`
	Bool   *Boolean `parser:"| @( 'true' | 'false' )"`
	Null   bool     `parser:"| @'null'"`
}

// Boolean is a captured true or false.
type Boolean bool

// Capture implements participle.Capture.
func (b *Boolean) Capture(values []string) error {
	*b = values[0] == "true"
	return nil
}

// Number is a number literal with its position.
type Number struct {
	Pos   lexer.Position
	Value float64 `parser:"@Number"`
}

// Path selects a value in a JSON document: "." is the whole document,
// .a.b[2] a field of a field's element, .["odd key"] a field by its name.
// A path that begins with a variable, $total or $total.n, selects in the
// value of that workflow variable instead.
type Path struct {
	Pos   lexer.Position
	Var   string      `parser:"( @Var"`
	Steps []*PathStep `parser:"  @@* | @@+ | '.' (?! Field) @@* )"`
}

// PathStep is one step of a path: exactly one of .Field, ["Key"] and [Index].
type PathStep struct {
	Pos   lexer.Position
	Field string   `parser:"  @Field"` // without the dot
	Key   *Text    `parser:"| '[' ( @String"`
	Index *float64 `parser:"    | @Number ) ']'"`
}
