// Node fork of workflow par: passes its input to both branches.
package main

import (
	"context"

	"github.com/unumc/unumc/rt"
	"github.com/unumc/unumc/targets/local/proc"
)

// fan is the parallel of workflow par: two branches, (x1 -> x2) and y.
var fan = &rt.FanOut{Origin: "fork", Join: "join", Heads: []string{"x1", "y"}}

func main() {
	proc.Main(&rt.Node{
		Workflow: "par", Name: "fork", Ident: "fork", Start: "fork",
		Handle: func(ctx context.Context, x *rt.Invocation) error {
			res, err := x.Call(ctx, nil)
			if res == nil {
				return err
			}
			if res.Failed() {
				return x.Fail(ctx, res.Failure)
			}
			return x.FanOut(ctx, fan)
		},
	})
}
