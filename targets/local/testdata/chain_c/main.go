// Node C of workflow chain: the end, which labels n.
package main

import (
	"context"

	"github.com/unumc/unumc/rt"
	"github.com/unumc/unumc/targets/local/proc"
)

// Num is the value passed along the chain.
type Num struct {
	N int `json:"n"`
}

// Labeled is the workflow's output.
type Labeled struct {
	N     int    `json:"n"`
	Label string `json:"label"`
}

func label(ctx context.Context, in Num) (Labeled, error) {
	return Labeled{N: in.N, Label: "done"}, nil
}

func main() {
	proc.Main(&rt.Node{
		Workflow: "chain", Name: "C", Ident: "c", Start: "a",
		Handle: func(ctx context.Context, x *rt.Invocation) error {
			res, err := x.Call(ctx, rt.Func(label))
			if res == nil {
				return err
			}
			return x.End(ctx)
		},
	})
}
