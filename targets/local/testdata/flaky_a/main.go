// Node a of workflow flaky: the start, which passes its input to b.
package main

import (
	"context"

	"github.com/unumc/unumc/rt"
	"github.com/unumc/unumc/targets/local/proc"
)

func main() {
	proc.Main(&rt.Node{
		Workflow: "flaky", Name: "a", Ident: "a", Start: "a",
		Handle: func(ctx context.Context, x *rt.Invocation) error {
			res, err := x.Call(ctx, nil)
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
