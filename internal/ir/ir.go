package ir

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/unumc/unumc/internal/diag"
)

// Workflow is a whole workflow.
type Workflow struct {
	Name     string   // the workflow's name; also the default execution namespace
	Source   string   // the file it was read from, as given to the front end
	Pos      diag.Pos // where the workflow is declared
	Start    string   // the node that receives the workflow's input
	StartPos diag.Pos
	Nodes    []*Node // in source order

	// Set by Check.
	Root *Scope // the top-level scope
}

// Node returns the node called name, or nil.
func (w *Workflow) Node(name string) *Node {
	for _, n := range w.Nodes {
		if n.Name == name {
			return n
		}
	}
	return nil
}

// Node is one step of the workflow: a call of a user function, or a pass node
// (Func == nil) whose output is its input.
type Node struct {
	Name      string
	Pos       diag.Pos
	Func      *Func
	Synthetic bool // made up by a front end, not written by the user
	Next      Transition

	// Error handling, as a Task state's TimeoutSeconds, Retry and Catch in
	// Step Functions. Timeout and Retry apply to the user function; Catch
	// to the node's failure, including the failure of a branch that a join
	// receives, but not to a Fail in Next. A join that calls no function
	// may have a Retry: it runs the whole fan-out again after a failure it
	// matches, as a Retry on a Parallel or Map state does.
	Timeout    time.Duration // 0: none
	TimeoutPos diag.Pos
	Retry      []*Retrier // in order: the first whose Errors match a failure decides
	Catch      []*Catcher // in order: the first whose Errors match a failure catches it

	// Flow processes the node's input and output around its function, as a
	// Step Functions state does; nil for none. Errors in it are
	// States.Runtime (States.ResultPathMatchFailure for ResultPath), which
	// retriers do not retry but catchers may catch as Step Functions does.
	Flow *Flow
	// Wait delays a pass node before its output is committed; nil for none.
	Wait *Wait
	// Assign sets workflow variables when the node succeeds, as a state's
	// Assign in Step Functions: each field a variable, computed from the
	// node's result (after ResultSelector; a pass node's after Parameters
	// or Result) and from the variables as the node received them. nil for
	// none. See Variables.
	Assign *Object
	// AfterPrevious makes a node of a map's branch wait for the previous
	// element: its instance for element i runs once element i-1 has ended,
	// on {"input": its input, "previous": element i-1's result}, with
	// "previous" null for the first element. When element i-1 failed, the
	// instance fails with that failure without calling its function, and
	// its catchers apply. Starting the branch, it makes a fold over the
	// elements; after another node A, a partial fan-in (A[i] and the end of
	// element i-1). See Check for where it may be.
	AfterPrevious    bool
	AfterPreviousPos diag.Pos

	// Set by Check.
	Ident string // a Go identifier and directory name unique in the workflow
	Scope *Scope // the scope the node runs in
	Join  *Scope // for a join node, the fan-out whose results it receives (its first branch scope)
}

// Func names an exported Go function func(context.Context, In) (Out, error).
type Func struct {
	Import string // the Go import path of its package
	Name   string // the function's name
	Shape  FuncShape
	Pos    diag.Pos
}

func (f *Func) String() string { return f.Import + "." + f.Name }

// Retrier retries the user function after an error that one of Errors
// matches, as a Step Functions retrier: the retry n (from 0) waits Interval ×
// Backoffⁿ, at most MaxDelay, drawn uniformly from [0, that] with Jitter.
// Front ends fill in the defaults (Interval 1s, MaxAttempts 3, Backoff 2).
type Retrier struct {
	Errors      []string      // error names; States.ALL alone and only in the last retrier
	Interval    time.Duration // before the first retry
	MaxAttempts int           // retries at most; 0 never retries
	Backoff     float64       // the factor between intervals, at least 1
	MaxDelay    time.Duration // the longest interval; 0 for no bound
	Jitter      bool          // FULL jitter
	Pos         diag.Pos
}

// Catcher continues with Next when one of Errors matches the node's failure.
// The handler's input is the error object {"Error": name, "Cause": cause},
// or with Into the node's input with the error object set at that path
// (Step Functions' Catch ResultPath).
type Catcher struct {
	Errors []string
	Into   *Path   // nil: the error object replaces the input
	Assign *Object // variables computed from the error object; nil for none
	Next   *Goto
	Pos    diag.Pos
}

// The predefined error names a Retrier or Catcher may match, as in Step
// Functions. States.ALL and States.TaskFailed are wildcards; States.Runtime
// and States.DataLimitExceeded are terminal: nothing matches them.
const (
	ErrorAll               = "States.ALL"
	ErrorTaskFailed        = "States.TaskFailed"
	ErrorTimeout           = "States.Timeout"
	ErrorRuntime           = "States.Runtime"
	ErrorDataLimitExceeded = "States.DataLimitExceeded"
	ErrorNoChoiceMatched   = "States.NoChoiceMatched"
	ErrorResultPathMatch   = "States.ResultPathMatchFailure"
)

// PredefinedErrors lists the States.* names unumc can report, in the order
// docs/language.md gives them.
var PredefinedErrors = []string{
	ErrorAll, ErrorTaskFailed, ErrorTimeout, ErrorNoChoiceMatched, ErrorResultPathMatch, ErrorRuntime, ErrorDataLimitExceeded,
}

// DurationString renders a duration as the shortest Go duration literal:
// "500ms", "2s", "1m30s", "1h".
func DurationString(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// Transition is what follows a node: *Goto, *End, *Fail, *Choice or *FanOut.
type Transition interface {
	Position() diag.Pos
	transition()
}

// Goto continues with another node, passing the node's output.
type Goto struct {
	Node string
	Pos  diag.Pos
	Back bool // set by Check: the edge closes a loop, so the target runs as a new iteration
}

// End ends the node's scope successfully with the node's output: the whole
// workflow at the top level, or the branch inside a fan-out.
type End struct{ Pos diag.Pos }

// Fail ends the node's scope with an error. ErrorExpr and CauseExpr, when
// set, compute the name and cause from the node's output (Step Functions'
// ErrorPath and CausePath: a *Select or an *Intrinsic) instead of Error and
// Cause; Error is then empty.
type Fail struct {
	Error     string
	Cause     string
	ErrorExpr Expr
	CauseExpr Expr
	Pos       diag.Pos
}

// Choice takes the first case whose condition holds on the node's output, or
// Default. A Choice with no Default fails with States.NoChoiceMatched when no
// case holds. Case targets and Default are *Goto, *End or *Fail.
//
// Conditions read the variables as the node left them. Assign, and then the
// taken case's Assign, computed from the output and those same variables,
// set variables for the target (a Choice state's Assign and its rule's).
type Choice struct {
	Cases   []*Case
	Default Transition
	Assign  *Object // whichever way the choice goes; nil for none
	Pos     diag.Pos
}

// Case is one guarded branch of a Choice.
type Case struct {
	Cond   Cond
	Then   Transition
	Assign *Object // nil for none
	Pos    diag.Pos
}

// FanKind tells a parallel from a map.
type FanKind int

const (
	Parallel FanKind = iota // a fixed set of different branches, each given the node's output
	Map                     // one branch per element of an array in the node's output
)

func (k FanKind) String() string {
	if k == Map {
		return "map"
	}
	return "parallel"
}

// FanOut starts branches concurrently and joins their results: the join node
// receives a JSON array with one result per branch, in branch (or element)
// order.
//
// InputPath and ItemSelector shape what the branches receive, as a Parallel
// or Map state's InputPath and Parameters (ItemSelector) do, while the
// origin's output stays whole for the join's ResultPath to merge into.
type FanOut struct {
	Kind      FanKind
	InputPath *JSONPath // selects the fan-out's effective input in the node's output; nil: all of it
	Items     Path      // Map: the array to iterate, in the effective input
	// ItemSelector builds each branch's input from the effective input
	// ("$"): for a Map once per element, with the element and its index in
	// the context object as $$.Map.Item.Value and $$.Map.Item.Index; for a
	// Parallel once, for every branch. nil: the element, or the effective
	// input.
	ItemSelector Expr
	Limit        int       // Map: at most this many branches run at once; 0 means no bound
	Branches     []*Branch // Parallel: one or more; Map: exactly one, run once per element
	Join         *Goto     // the node that receives the results
	Pos          diag.Pos
}

// Branch is the entry of one branch of a fan-out.
type Branch struct {
	Start string
	Pos   diag.Pos
}

func (t *Goto) Position() diag.Pos   { return t.Pos }
func (t *End) Position() diag.Pos    { return t.Pos }
func (t *Fail) Position() diag.Pos   { return t.Pos }
func (t *Choice) Position() diag.Pos { return t.Pos }
func (t *FanOut) Position() diag.Pos { return t.Pos }
func (*Goto) transition()            {}
func (*End) transition()             {}
func (*Fail) transition()            {}
func (*Choice) transition()          {}
func (*FanOut) transition()          {}

// Path selects a value inside a JSON document: a sequence of object fields
// and array indexes. The empty path selects the whole document. With Var,
// the document is the value of that workflow variable (see Assign) instead
// of the node's output.
type Path struct {
	Var   string
	Steps []Step
	Pos   diag.Pos
}

// Step is one field name or array index of a Path.
type Step struct {
	Field   string
	Index   int
	IsIndex bool
}

// String renders the path in .unum syntax: ".", ".a.b[2]", `.["odd key"]`,
// "$total", "$total.n".
func (p Path) String() string {
	var b strings.Builder
	if p.Var != "" {
		b.WriteString("$" + p.Var)
	} else if len(p.Steps) == 0 {
		return "."
	}
	if len(p.Steps) == 0 {
		return b.String()
	}
	if first := p.Steps[0]; p.Var == "" && (first.IsIndex || !isIdent(first.Field)) {
		b.WriteByte('.') // ".[0]", `.["odd key"]`: a path always starts with a dot
	}
	for _, s := range p.Steps {
		switch {
		case s.IsIndex:
			fmt.Fprintf(&b, "[%d]", s.Index)
		case isIdent(s.Field):
			b.WriteString("." + s.Field)
		default:
			b.WriteString("[" + strconv.Quote(s.Field) + "]")
		}
	}
	return b.String()
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9' {
			continue
		}
		return false
	}
	return true
}

// Cond is a condition on a node's output: *Compare, *Has, *IsType, *Matches,
// *And, *Or or *Not.
type Cond interface {
	Position() diag.Pos
	cond()
}

// Op is a comparison operator.
type Op int

const (
	Eq Op = iota
	Ne
	Lt
	Le
	Gt
	Ge
)

var opNames = [...]string{Eq: "==", Ne: "!=", Lt: "<", Le: "<=", Gt: ">", Ge: ">="}

func (o Op) String() string { return opNames[o] }

// Kind restricts a comparison to one JSON type. With KindAny, == and != are
// deep JSON equality and ordering compares two numbers or two strings; with
// any other kind, the comparison is false unless both sides have that kind
// (Step Functions' NumericEquals, StringLessThan, TimestampEquals, ...).
type Kind int

const (
	KindAny Kind = iota
	KindNumber
	KindString
	KindBool
	KindTimestamp
)

var kindNames = [...]string{KindAny: "any", KindNumber: "number", KindString: "string", KindBool: "bool", KindTimestamp: "timestamp"}

func (k Kind) String() string { return kindNames[k] }

// Compare compares a value in the output with a literal or another value.
type Compare struct {
	Op    Op
	Kind  Kind
	Left  Path
	Right Operand
	Pos   diag.Pos
}

// Operand is the right side of a comparison: a path, or a JSON literal.
type Operand struct {
	Path    *Path
	Literal any // when Path is nil: nil (JSON null), bool, float64 or string
}

// Has holds when the path selects a value (JSON null counts as present).
type Has struct {
	Path Path
	Pos  diag.Pos
}

// Type is a JSON type for IsType.
type Type int

const (
	TypeNull Type = iota
	TypeString
	TypeNumber
	TypeBool
	TypeArray
	TypeObject
	TypeTimestamp // a string in RFC 3339 form
)

var typeNames = [...]string{"null", "string", "number", "bool", "array", "object", "timestamp"}

func (t Type) String() string { return typeNames[t] }

// IsType holds when the path selects a value of the given type.
type IsType struct {
	Path Path
	Type Type
	Pos  diag.Pos
}

// Matches holds when the path selects a string matching Pattern, where '*'
// matches any run of characters and '\*' and '\\' are literal.
type Matches struct {
	Path    Path
	Pattern string
	Pos     diag.Pos
}

// And holds when every condition holds.
type And struct {
	Conds []Cond
	Pos   diag.Pos
}

// Or holds when any condition holds.
type Or struct {
	Conds []Cond
	Pos   diag.Pos
}

// Not negates a condition.
type Not struct {
	Cond Cond
	Pos  diag.Pos
}

func (c *Compare) Position() diag.Pos { return c.Pos }
func (c *Has) Position() diag.Pos     { return c.Pos }
func (c *IsType) Position() diag.Pos  { return c.Pos }
func (c *Matches) Position() diag.Pos { return c.Pos }
func (c *And) Position() diag.Pos     { return c.Pos }
func (c *Or) Position() diag.Pos      { return c.Pos }
func (c *Not) Position() diag.Pos     { return c.Pos }
func (*Compare) cond()                {}
func (*Has) cond()                    {}
func (*IsType) cond()                 {}
func (*Matches) cond()                {}
func (*And) cond()                    {}
func (*Or) cond()                     {}
func (*Not) cond()                    {}

// LiteralJSON renders a comparison literal as JSON.
func LiteralJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return string(b)
}
