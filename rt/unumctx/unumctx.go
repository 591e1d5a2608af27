// Package unumctx gives user functions what unumc knows about the node
// instance they run in. It is the one unumc package meant for user code, and
// it is optional: a node is any func(context.Context, In) (Out, error).
//
// unumc guarantees that each node instance's result, as seen downstream, is
// that of one execution; the user function itself may run more than once
// (after a crash, a timeout, a duplicate delivery, or a retry the workflow
// asks for). Guard external side effects with IdempotencyKey, which is the
// same for every run of an instance and different for every other instance.
//
// A workflow's retry and catch options match errors by name: an error's Go
// type's name, pointer stripped, unless the error has a method
// ErrorName() string, which names it instead.
package unumctx

import "context"

type key struct{}

// Info describes a node instance.
type Info struct {
	Workflow  string // the workflow's name
	Execution string // the execution's name
	Node      string // the node's name as written in the workflow
	Instance  string // the instance, unique within the execution, e.g. "count[3]"
	Attempt   int    // which delivery of the invocation this is, from 1
	Retry     int    // which retry this is, from 0: of the function within the delivery, or of the fan-out the node starts
}

// With returns ctx carrying info. The runtime calls it; user code need not.
func With(ctx context.Context, info Info) context.Context {
	return context.WithValue(ctx, key{}, info)
}

// From returns the node instance ctx belongs to, if any.
func From(ctx context.Context) (Info, bool) {
	info, ok := ctx.Value(key{}).(Info)
	return info, ok
}

// IdempotencyKey returns "workflow/execution/instance": stable across every
// run of the current node instance and unique to it. It is "" outside unumc.
func IdempotencyKey(ctx context.Context) string {
	info, ok := From(ctx)
	if !ok {
		return ""
	}
	return info.Workflow + "/" + info.Execution + "/" + info.Instance
}
