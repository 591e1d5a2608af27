// Node join of workflow par: the join, which ends the workflow with the list of branch results.
package main

import (
	"context"

	"github.com/unumc/unumc/rt"
	"github.com/unumc/unumc/targets/local/proc"
)

func main() {
	proc.Main(&rt.Node{
		Workflow: "par", Name: "join", Ident: "join", Start: "fork",
		JoinOf: "fork",
		Handle: func(ctx context.Context, x *rt.Invocation) error {
			res, err := x.Call(ctx, nil)
			if res == nil {
				return err
			}
			return x.End(ctx)
		},
	})
}
