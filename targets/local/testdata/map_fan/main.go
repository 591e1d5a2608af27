// Node fan of workflow mapw: the origin of the map.
package main

import (
	"context"

	"github.com/unumc/unumc/rt"
	"github.com/unumc/unumc/targets/local/proc"
)

// squares is the map of workflow mapw: sq over the items, two at a time.
var squares = &rt.FanOut{Origin: "fan", Join: "sum", Heads: []string{"sq"}, Map: true, Items: rt.Path{"items"}, Limit: 2}

func main() {
	proc.Main(&rt.Node{
		Workflow: "mapw", Name: "fan", Ident: "fan", Start: "prep",
		Handle: func(ctx context.Context, x *rt.Invocation) error {
			res, err := x.Call(ctx, nil)
			if res == nil {
				return err
			}
			if res.Failed() {
				return x.Fail(ctx, res.Failure)
			}
			return x.FanOut(ctx, squares)
		},
	})
}
