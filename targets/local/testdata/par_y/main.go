// Node y of workflow par: all of branch 1, negates.
package main

import (
	"context"

	"github.com/unumc/unumc/rt"
	"github.com/unumc/unumc/targets/local/proc"
)

// fan is the parallel of workflow par: two branches, (x1 -> x2) and y.
var fan = &rt.FanOut{Origin: "fork", Join: "join", Heads: []string{"x1", "y"}}

func negate(ctx context.Context, n int) (int, error) { return -n, nil }

func main() {
	proc.Main(&rt.Node{
		Workflow: "par", Name: "y", Ident: "y", Start: "fork",
		Scopes: []*rt.FanOut{fan},
		Handle: func(ctx context.Context, x *rt.Invocation) error {
			res, err := x.Call(ctx, rt.Func(negate))
			if res == nil {
				return err
			}
			return x.End(ctx)
		},
	})
}
