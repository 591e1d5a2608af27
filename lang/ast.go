package lang

import (
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

// Decl is a top-level declaration: *WorkflowDecl, *ImportDecl, *NodeDecl or
// *ChainDecl.
type Decl interface{ decl() }

// WorkflowDecl names the workflow: workflow wordcount.
type WorkflowDecl struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Name   string `parser:"'workflow' @Ident"`

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
	Path   string `parser:"@String"`

	Doc         []*Comment
	Comment     []*Comment
	BlankBefore bool
}

// NodeDecl binds a node to a Go function: node Split = wordcount.Split,
// optionally followed by a block of error handling options:
//
//	node Charge = pay.Charge {
//		timeout 30s
//		retry OutOfStock every 2s max 5
//		catch States.ALL into .error -> Fallback
//	}
//
// The options are kept by kind, each kind in source order; Format prints
// them in that canonical order.
type NodeDecl struct {
	Pos      lexer.Position
	EndPos   lexer.Position
	Name     *Ident     `parser:"'node' @@ '='"`
	Func     *FuncRef   `parser:"@@"`
	Timeouts []*Timeout `parser:"( '{' ( @@"`
	Retries  []*Retry   `parser:"      | @@"`
	Catches  []*Catch   `parser:"      | @@"`
	Unknown  []*Unknown `parser:"      | @@ )* '}' )?"`

	Doc         []*Comment
	Comment     []*Comment // at the end of the first line
	BlankBefore bool
	Block       bool       // the option block is printed: it has options or comments
	Footer      []*Comment // whole-line comments before the block's closing brace
	EndComment  []*Comment // after the closing brace
}

// Option is one line of a node's option block: *Timeout, *Retry or *Catch.
type Option interface{ option() }

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
// catch States.ALL into .error -> Fallback.
type Catch struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Errors []*ErrorName `parser:"'catch' @@ ( ',' @@ )*"`
	Into   *Path        `parser:"( 'into' @@ )?"`
	Next   *Ident       `parser:"'->' @@"`

	Doc         []*Comment
	Comment     []*Comment
	BlankBefore bool
}

func (*Timeout) option() {}
func (*Retry) option()   {}
func (*Catch) option()   {}

// ErrorName is an error name, dotted or not: OutOfStock, States.Timeout.
type ErrorName struct {
	Pos  lexer.Position
	Name string `parser:"@( Ident Field* )"`
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
	Name string `parser:"(?! 'timeout' | 'retry' | 'catch' ) @Ident ( !( '}' | 'timeout' | 'retry' | 'catch' | 'every' | 'max' | 'backoff' | 'maxdelay' | 'jitter' | 'into' | 'node' | 'start' | 'import' | 'workflow' ) )*"`
}

// UnknownClause is a word in a retry that starts no clause, with the tokens
// after it up to the next clause or option: Parse reports it.
type UnknownClause struct {
	Pos  lexer.Position
	Name string `parser:"(?! 'timeout' | 'retry' | 'catch' | 'every' | 'max' | 'backoff' | 'maxdelay' | 'jitter' ) @Ident ( !( '}' | 'timeout' | 'retry' | 'catch' | 'every' | 'max' | 'backoff' | 'maxdelay' | 'jitter' | 'into' | 'node' | 'start' | 'import' | 'workflow' ) )*"`
}

// Ident is a name with its position.
type Ident struct {
	Pos  lexer.Position
	Name string `parser:"@Ident"`
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
	Name string `parser:"@Ident"`
}

// Parallel runs its branches concurrently on the same input.
type Parallel struct {
	Pos      lexer.Position
	EndPos   lexer.Position
	Branches []*Chain `parser:"'parallel' '{' @@* '}'"`

	Comment []*Comment // after the opening brace
	Footer  []*Comment // whole-line comments before the closing brace
}

// Map runs Body once for each element of the array at Items, at most Limit
// at a time.
type Map struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Items  *Path   `parser:"'map' @@"`
	Limit  *Number `parser:"( 'limit' @@ )?"`
	Body   *Chain  `parser:"'{' @@ '}'"`

	Comment []*Comment // after the opening brace
	Footer  []*Comment // whole-line comments before the closing brace
}

// Choose continues with the first case whose condition holds, or Else.
type Choose struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Cases  []*Case `parser:"'choose' '{' @@*"`
	Else   *Else   `parser:"@@? '}'"`

	Comment []*Comment // after the opening brace
	Footer  []*Comment // whole-line comments before the closing brace
}

// Case is one "when Cond -> Chain" of a choose.
type Case struct {
	Pos   lexer.Position
	Cond  *Cond  `parser:"'when' @@ '->'"`
	Chain *Chain `parser:"@@"`

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

// Fail ends the chain's scope with an error name and an optional cause.
type Fail struct {
	Pos   lexer.Position
	Error string `parser:"'fail' @( Ident Field* )"`
	Cause string `parser:"@String?"`
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

// Test is a test of the value at Path: a comparison (Op and Value), a type
// test (is Type) or a glob match (matches Pattern).
type Test struct {
	Pos     lexer.Position
	Path    *Path    `parser:"@@"`
	Op      string   `parser:"( @Op"`
	Value   *Operand `parser:"  @@"`
	Type    string   `parser:"| 'is' @( 'null' | 'string' | 'number' | 'bool' | 'array' | 'object' | 'timestamp' )"`
	Pattern *string  `parser:"| 'matches' @String )"`
}

// Operand is the right side of a comparison: a path or a JSON literal.
// Exactly one field is set.
type Operand struct {
	Pos    lexer.Position
	Path   *Path    `parser:"  @@"`
	Number *float64 `parser:"| @Number"`
	String *string  `parser:"| @String"`
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
type Path struct {
	Pos   lexer.Position
	Steps []*PathStep `parser:"( @@+ | '.' (?! Field) @@* )"`
}

// PathStep is one step of a path: exactly one of .Field, ["Key"] and [Index].
type PathStep struct {
	Pos   lexer.Position
	Field string   `parser:"  @Field"` // without the dot
	Key   *string  `parser:"| '[' ( @String"`
	Index *float64 `parser:"    | @Number ) ']'"`
}
