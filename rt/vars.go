package rt

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"

	"github.com/unumc/unumc/rt/unumctx"
)

// Variables are the workflow variables one scope sets (see Envelope.Vars):
// each name with its value as JSON.
type Variables map[string]json.RawMessage

// withScope returns vars cut to the scopes of an instance depth frames
// deep (depth+1 sets), with set merged into the innermost; vars is not
// changed. It returns nil when no scope has a variable.
func withScope(vars []Variables, depth int, set Variables) []Variables {
	if len(vars) == 0 && len(set) == 0 {
		return nil // the common case: a workflow without variables
	}
	n := min(len(vars), depth+1)
	if len(set) > 0 {
		n = depth + 1
	}
	out := make([]Variables, n)
	copy(out, vars)
	if len(set) > 0 {
		inner := maps.Clone(out[depth])
		if inner == nil {
			inner = Variables{}
		}
		maps.Copy(inner, set)
		out[depth] = inner
	}
	for len(out) > 0 && len(out[len(out)-1]) == 0 {
		out = out[:len(out)-1]
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// encodeVariables encodes the values a generated Assign computed.
func encodeVariables(values map[string]any) (Variables, error) {
	set := make(Variables, len(values))
	for name, v := range values {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, &runtimeError{fmt.Sprintf("variable %q: %v", "$"+name, err)}
		}
		set[name] = b
	}
	return set, nil
}

// Assign sets workflow variables from the node's result, for the instance's
// successors: generated code calls it in the function it gives Call, once
// the values are computed. It is the Assign of the node; the values of the
// attempt that Call commits are kept in the checkpoint with the output.
func (x *Invocation) Assign(ctx context.Context, values map[string]any) error {
	set, err := encodeVariables(values)
	if err != nil {
		return err
	}
	info, _ := unumctx.From(ctx)
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.assigned == nil {
		x.assigned = map[int]Variables{}
	}
	x.assigned[info.Retry] = set // by attempt: a timed-out attempt may still run
	return nil
}

// AssignNext sets workflow variables for what the continuation invokes next,
// after Call returned: the Assign of a choice, of its case, or of a
// catcher, computed from the committed result, so every run of the
// continuation computes the same.
func (x *Invocation) AssignNext(values map[string]any) error {
	set, err := encodeVariables(values)
	if err != nil {
		return err
	}
	x.vars = withScope(x.vars, len(x.Env.Frames), set)
	return nil
}

// Variables returns the workflow variables the instance sees, decoded, an
// inner scope's hiding an outer's of the same name: before Call commits, as
// the instance received them; after, as its result and continuation set
// them.
func (x *Invocation) Variables() (map[string]any, error) {
	vars := x.Env.Vars
	if x.res != nil {
		vars = x.vars
	}
	out := map[string]any{}
	for _, scope := range vars {
		for name, raw := range scope {
			v, err := Decode(raw)
			if err != nil {
				return nil, &runtimeError{fmt.Sprintf("variable %q: %v", "$"+name, err)}
			}
			out[name] = v
		}
	}
	return out, nil
}

// committedVars is what res passes on: the variables the envelope brought,
// with the Assign of the committed attempt when it succeeded.
func (x *Invocation) committedVars(res *Result) []Variables {
	var set Variables
	if res.Failure == nil {
		x.mu.Lock()
		set = x.assigned[x.okAttempt]
		x.mu.Unlock()
	}
	return withScope(x.Env.Vars, len(x.Env.Frames), set)
}
