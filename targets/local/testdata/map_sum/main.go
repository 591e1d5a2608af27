// Node sum of workflow mapw: the join, which sums the squares.
package main

import (
	"context"

	"github.com/unumc/unumc/rt"
	"github.com/unumc/unumc/targets/local/proc"
)

func sum(ctx context.Context, ns []int) (int, error) {
	total := 0
	for _, n := range ns {
		total += n
	}
	return total, nil
}

func main() {
	proc.Main(&rt.Node{
		Workflow: "mapw", Name: "sum", Ident: "sum", Start: "prep",
		JoinOf: "fan",
		Handle: func(ctx context.Context, x *rt.Invocation) error {
			res, err := x.Call(ctx, rt.Func(sum))
			if res == nil {
				return err
			}
			return x.End(ctx)
		},
	})
}
