// Node B of workflow chain: doubles n, and says so on stdout.
package main

import (
	"context"
	"fmt"

	"github.com/unumc/unumc/rt"
	"github.com/unumc/unumc/targets/local/proc"
)

// Num is the value passed along the chain.
type Num struct {
	N int `json:"n"`
}

func double(ctx context.Context, in Num) (Num, error) {
	fmt.Printf("doubling %d\n", in.N)
	return Num{N: 2 * in.N}, nil
}

func main() {
	proc.Main(&rt.Node{
		Workflow: "chain", Name: "B", Ident: "b", Start: "a",
		Handle: func(ctx context.Context, x *rt.Invocation) error {
			res, err := x.Call(ctx, rt.Func(double))
			if res == nil {
				return err
			}
			if res.Failed() {
				return x.Fail(ctx, res.Failure)
			}
			return x.Goto(ctx, "c")
		},
	})
}
