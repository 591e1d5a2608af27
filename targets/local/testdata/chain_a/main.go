// Node A of workflow chain: adds one to n, failing on a negative n.
package main

import (
	"context"
	"fmt"

	"github.com/unumc/unumc/rt"
	"github.com/unumc/unumc/targets/local/proc"
)

// Num is the value passed along the chain.
type Num struct {
	N int `json:"n"`
}

// RangeError is a user error; the workflow's failure is named after it.
type RangeError struct{ N int }

func (e *RangeError) Error() string { return fmt.Sprintf("n=%d is negative", e.N) }

func inc(ctx context.Context, in Num) (Num, error) {
	if in.N < 0 {
		return Num{}, &RangeError{N: in.N}
	}
	return Num{N: in.N + 1}, nil
}

func main() {
	proc.Main(&rt.Node{
		Workflow: "chain", Name: "A", Ident: "a", Start: "a",
		Handle: func(ctx context.Context, x *rt.Invocation) error {
			res, err := x.Call(ctx, rt.Func(inc))
			if res == nil {
				return err
			}
			if res.Failed() {
				return x.Fail(ctx, res.Failure)
			}
			return x.Goto(ctx, "b")
		},
	})
}
