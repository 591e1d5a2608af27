// Node x2 of workflow par: the end of branch 0, doubles.
package main

import (
	"context"

	"github.com/unumc/unumc/rt"
	"github.com/unumc/unumc/targets/local/proc"
)

// fan is the parallel of workflow par: two branches, (x1 -> x2) and y.
var fan = &rt.FanOut{Origin: "fork", Join: "join", Heads: []string{"x1", "y"}}

func double(ctx context.Context, n int) (int, error) { return 2 * n, nil }

func main() {
	proc.Main(&rt.Node{
		Workflow: "par", Name: "x2", Ident: "x2", Start: "fork",
		Scopes: []*rt.FanOut{fan},
		Handle: func(ctx context.Context, x *rt.Invocation) error {
			res, err := x.Call(ctx, rt.Func(double))
			if res == nil {
				return err
			}
			return x.End(ctx)
		},
	})
}
