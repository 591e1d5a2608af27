package rt

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Envelope is one invocation of a node instance: who it is for, which
// instance it is, and its input.
type Envelope struct {
	Version   int             `json:"v"`
	Execution string          `json:"execution"`
	Node      string          `json:"node"`             // the node's identifier
	Iter      int             `json:"iter,omitempty"`   // loop iteration of the top-level scope
	Frames    []Frame         `json:"frames,omitempty"` // the fan-out branches it runs in, outermost first
	Input     json.RawMessage `json:"input,omitempty"`  // the input, when sent by value
	Ref       string          `json:"ref,omitempty"`    // else the key of the record holding it
	// Pred is the key of the record that shows the invocation is still
	// live: the sender's checkpoint, or for a join and for the first node of
	// a branch the fan-in set (which, for a branch, must not name it yet).
	// An instance with neither its own checkpoint nor a live Pred has run and
	// been collected, so a late duplicate of it is dropped.
	Pred string `json:"pred,omitempty"`
	// Collect lists records the receiver deletes once it has committed.
	Collect []string `json:"collect,omitempty"`
	// Consume is a checkpoint that outlives its successor — the entry
	// instance's, kept until the end, or a branch's first, kept until the
	// branch ends — which the receiver marks consumed once it has
	// committed, instead of deleting it. A consumed checkpoint proves
	// nothing live, and its instance has nothing left to do.
	Consume string `json:"consume,omitempty"`
	// Forwarded says the sender carried on with a result another run of
	// it had committed: a duplicate, or the retry of a run that crashed.
	// Under Platform.CollectByExpiry, which reads nothing before running,
	// the receiver then reads its checkpoint first, so that the duplicate
	// does not run every function after it again.
	Forwarded bool `json:"fwd,omitempty"`
	// Attempt counts deliveries of this envelope, from 1; set by the platform.
	Attempt int `json:"attempt,omitempty"`
	// Join says the input is the list of branch results named by the fan-in set at Ref.
	Join bool `json:"join,omitempty"`
	// Pair says the input is built from the pair record at Ref: the node
	// waits for the previous element of its map (see FanOut.Wait).
	Pair bool `json:"pair,omitempty"`
	// Retries counts, per retrier of the fan-out's join, the runs of a
	// fan-out before this one: set when a join runs its fan-out again (see
	// Invocation.RetryFanOut), and kept by the origin in its checkpoint.
	Retries []int `json:"retries,omitempty"`
	// Vars are the workflow variables the receiver sees, one set per
	// scope, the top level first: Vars[i] was set in the scope of the
	// instances with i frames. Inner sets come after outer ones, so that a
	// branch can read what its enclosing scopes set but never change it.
	Vars []Variables `json:"vars,omitempty"`
}

// Frame is one level of fan-out: the branch an instance runs in.
type Frame struct {
	Origin string `json:"o"`           // identifier of the node that fanned out
	Index  int    `json:"i"`           // the branch, or the element of a map
	Width  int    `json:"n"`           // how many branches the fan-out has
	Iter   int    `json:"k,omitempty"` // loop iteration within the branch
	// Lane, in an element of a map with a Limit whose origin passed its
	// later elements' inputs inline (see Platform.ElementRecords), holds
	// the inputs of the elements that this one's end starts in turn:
	// Index+Limit, Index+2*Limit, and so on. LaneVars are the variables
	// they see.
	Lane     []json.RawMessage `json:"l,omitempty"`
	LaneVars []Variables       `json:"lv,omitempty"`
}

// Instance names the node instance the envelope is for, unique within the
// execution: the node, then for each enclosing branch its index, with loop
// iterations after '#'. For example "count[3]", "step#4", "square[1]#2[0]".
func (e *Envelope) Instance() string {
	return instance(e.Node, e.Iter, e.Frames)
}

func instance(node string, iter int, frames []Frame) string {
	var b strings.Builder
	b.WriteString(node)
	if iter > 0 {
		b.WriteString("#" + strconv.Itoa(iter))
	}
	for _, f := range frames {
		b.WriteString("[" + strconv.Itoa(f.Index) + "]")
		if f.Iter > 0 {
			b.WriteString("#" + strconv.Itoa(f.Iter))
		}
	}
	return b.String()
}

// Record keys. Every key starts with the execution name, so one execution's
// records sort together.

// CheckpointKey is the key of a node instance's checkpoint.
func CheckpointKey(execution, instance string) string { return execution + "/c/" + instance }

// JoinKey is the key of the fan-in set of the fan-out made by an origin instance.
func JoinKey(execution, origin string) string { return execution + "/j/" + origin }

// StatusKey is the key of an execution's outcome.
func StatusKey(execution string) string { return execution + "/status" }

// ValidExecutionName reports whether name can name an execution: 1 to 80
// letters, digits, '.', '_' or '-', not starting with '.' or '-'.
func ValidExecutionName(name string) error {
	if name == "" || len(name) > 80 {
		return fmt.Errorf("execution name must be 1 to 80 characters")
	}
	for i, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_':
		case (r == '.' || r == '-') && i > 0:
		default:
			return fmt.Errorf("execution name %q has %q at %d; use letters, digits, '.', '_' and '-'", name, r, i)
		}
	}
	return nil
}

// Status is the outcome of an execution, as stored under StatusKey.
type Status struct {
	State  string          `json:"state"` // "succeeded" or "failed"; "running" only in reports
	Output json.RawMessage `json:"output,omitempty"`
	Error  string          `json:"error,omitempty"`
	Cause  string          `json:"cause,omitempty"`
}

// The states of an execution.
const (
	Running   = "running"
	Succeeded = "succeeded"
	Failed    = "failed"
)
