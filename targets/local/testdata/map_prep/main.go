// Node prep of workflow mapw: the start, which passes its input on, so that the map's origin is not the start.
package main

import (
	"context"

	"github.com/unumc/unumc/rt"
	"github.com/unumc/unumc/targets/local/proc"
)

func same(ctx context.Context, in map[string]any) (map[string]any, error) { return in, nil }

func main() {
	proc.Main(&rt.Node{
		Workflow: "mapw", Name: "prep", Ident: "prep", Start: "prep",
		Handle: func(ctx context.Context, x *rt.Invocation) error {
			res, err := x.Call(ctx, rt.Func(same))
			if res == nil {
				return err
			}
			if res.Failed() {
				return x.Fail(ctx, res.Failure)
			}
			return x.Goto(ctx, "fan")
		},
	})
}
