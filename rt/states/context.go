package states

import (
	"context"
	"fmt"
	"time"

	"github.com/unumc/unumc/rt"
	"github.com/unumc/unumc/rt/unumctx"
)

// Context is what a node knows of the context object "$$" of Step
// Functions. Value builds the object:
//
//	{
//	  "Execution": {"Id": "arn:unum:execution:<StateMachine>:<Execution>",
//	                "Name": Execution, "StartTime": Start(), "Input": Input()},
//	  "State": {"Name": State, "EnteredTime": Entered, "RetryCount": RetryCount},
//	  "StateMachine": {"Id": "arn:unum:stateMachine:<StateMachine>", "Name": StateMachine},
//	  "Map": {"Item": {"Index": MapIndex, "Value": MapValue}}
//	}
//
// Times are written as AWS writes them, RFC 3339 in UTC with milliseconds:
// 2019-03-26T20:14:13.192Z. StartTime and Input are looked up only when a
// path goes through them, and are left out of Value when their func is nil;
// Map is there only when MapItem is set, inside a Map state's ItemSelector.
type Context struct {
	Execution    string
	StateMachine string
	State        string
	Entered      time.Time
	RetryCount   int
	Start        func() (time.Time, error)
	Input        func() (any, error)
	MapItem      bool
	MapIndex     int
	MapValue     any
	// Vars returns the workflow variables the node sees, by name (see
	// rt.Invocation.Variables); nil when the workflow has none. It is
	// called once, when a path first reads a variable.
	Vars func() (map[string]any, error)
	vars map[string]any
}

// FromContext returns the context object of the node instance ctx belongs
// to (see unumctx.From): the execution, the workflow as the state machine,
// the node as the state, its retry, and now as the time the state was
// entered. Start and Input are left to the caller.
func FromContext(ctx context.Context) *Context {
	info, _ := unumctx.From(ctx)
	return &Context{
		Execution:    info.Execution,
		StateMachine: info.Workflow,
		State:        info.Node,
		Entered:      time.Now(),
		RetryCount:   info.Retry,
	}
}

// Timestamp writes t as Step Functions writes times in the context object.
func Timestamp(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// Value returns the whole context object, looking up StartTime and Input
// when their funcs are set.
func (c *Context) Value() (any, error) {
	return c.value(true, true)
}

// value builds the context object, with StartTime and Input if asked for.
func (c *Context) value(start, input bool) (any, error) {
	exec := map[string]any{
		"Id":   "arn:unum:execution:" + c.StateMachine + ":" + c.Execution,
		"Name": c.Execution,
	}
	if start && c.Start != nil {
		t, err := c.Start()
		if err != nil {
			return nil, errorOf(err, Runtime, "$$.Execution.StartTime")
		}
		exec["StartTime"] = Timestamp(t)
	}
	if input && c.Input != nil {
		in, err := c.Input()
		if err != nil {
			return nil, errorOf(err, Runtime, "$$.Execution.Input")
		}
		exec["Input"] = in
	}
	v := map[string]any{
		"Execution": exec,
		"State": map[string]any{
			"Name":        c.State,
			"EnteredTime": Timestamp(c.Entered),
			"RetryCount":  number(int64(c.RetryCount)),
		},
		"StateMachine": map[string]any{
			"Id":   "arn:unum:stateMachine:" + c.StateMachine,
			"Name": c.StateMachine,
		},
	}
	if c.MapItem {
		v["Map"] = map[string]any{
			"Item": map[string]any{
				"Index": number(int64(c.MapIndex)),
				"Value": c.MapValue,
			},
		}
	}
	return v, nil
}

// Get returns the value the reference path p selects in the context object,
// p relative to "$$"; errors are named by name as Get's are. It calls Start
// or Input only when p goes through them, and fails with States.Runtime when
// p needs one that is nil.
func (c *Context) Get(p rt.Path, name string) (any, error) {
	start, input := true, true // the whole object, or all of Execution
	if len(p) > 0 && p[0] != "Execution" {
		start, input = false, false
	}
	if len(p) > 1 && p[0] == "Execution" {
		start, input = p[1] == "StartTime", p[1] == "Input"
	}
	if len(p) > 1 {
		var e *Error
		switch {
		case start && c.Start == nil:
			e = pathError(name, "$$", p, "the start time of the execution is not available here")
		case input && c.Input == nil:
			e = pathError(name, "$$", p, "the input of the execution is not available here")
		}
		if e != nil {
			e.Name = Runtime
			return nil, e
		}
	}
	v, err := c.value(start, input)
	if err != nil {
		return nil, err
	}
	return get(v, p, name, "$$")
}

// Select evaluates a "$$" path in the context object.
func (c *Context) Select(p *Path, name string) (any, error) {
	if p == nil {
		return nil, newError(Runtime, "nil JSONPath")
	}
	if !p.Definite() {
		v, err := c.Value()
		if err != nil {
			return nil, err
		}
		return p.Select(v, name)
	}
	return c.Get(p.static, name)
}

// Variable returns the value the reference path p selects in the workflow
// variable name, p relative to the variable ("$name"); errors are named by
// what as Get's are. A variable that is not set is States.Runtime.
func (c *Context) Variable(name string, p rt.Path, what string) (any, error) {
	v, err := c.variable(name, what)
	if err != nil {
		return nil, err
	}
	return get(v, p, what, "$"+name)
}

// SelectVariable evaluates a path in the workflow variable name: p is the
// path relative to the variable, written from "$".
func (c *Context) SelectVariable(name string, p *Path, what string) (any, error) {
	v, err := c.variable(name, what)
	if err != nil {
		return nil, err
	}
	if p.definite {
		return get(v, p.static, what, "$"+name)
	}
	return p.Select(v, what)
}

func (c *Context) variable(name, what string) (any, error) {
	if c.vars == nil && c.Vars != nil {
		vars, err := c.Vars()
		if err != nil {
			return nil, errorOf(err, Runtime, what)
		}
		c.vars = vars
	}
	v, ok := c.vars[name]
	if !ok {
		if what == "" {
			what = "path"
		}
		return nil, newError(Runtime, fmt.Sprintf("%s: the variable %s is not set", what, quote("$"+name)))
	}
	return v, nil
}
