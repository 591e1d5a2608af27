// Node x1 of workflow par: the first node of branch 0, adds 10.
package main

import (
	"context"

	"github.com/unumc/unumc/rt"
	"github.com/unumc/unumc/targets/local/proc"
)

// fan is the parallel of workflow par: two branches, (x1 -> x2) and y.
var fan = &rt.FanOut{Origin: "fork", Join: "join", Heads: []string{"x1", "y"}}

func add10(ctx context.Context, n int) (int, error) { return n + 10, nil }

func main() {
	proc.Main(&rt.Node{
		Workflow: "par", Name: "x1", Ident: "x1", Start: "fork",
		Scopes: []*rt.FanOut{fan},
		Handle: func(ctx context.Context, x *rt.Invocation) error {
			res, err := x.Call(ctx, rt.Func(add10))
			if res == nil {
				return err
			}
			if res.Failed() {
				return x.Fail(ctx, res.Failure)
			}
			return x.Goto(ctx, "x2")
		},
	})
}
