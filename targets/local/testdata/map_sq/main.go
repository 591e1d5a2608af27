// Node sq of workflow mapw: squares one item, failing on a negative one.
package main

import (
	"context"
	"fmt"

	"github.com/unumc/unumc/rt"
	"github.com/unumc/unumc/targets/local/proc"
)

// squares is the map of workflow mapw: sq over the items, two at a time.
var squares = &rt.FanOut{Origin: "fan", Join: "sum", Heads: []string{"sq"}, Map: true, Items: rt.Path{"items"}, Limit: 2}

// NegativeError is a user error; the workflow's failure is named after it.
type NegativeError struct{ N int }

func (e *NegativeError) Error() string { return fmt.Sprintf("%d is negative", e.N) }

func square(ctx context.Context, n int) (int, error) {
	if n < 0 {
		return 0, &NegativeError{N: n}
	}
	return n * n, nil
}

func main() {
	proc.Main(&rt.Node{
		Workflow: "mapw", Name: "sq", Ident: "sq", Start: "prep",
		Scopes: []*rt.FanOut{squares},
		Handle: func(ctx context.Context, x *rt.Invocation) error {
			res, err := x.Call(ctx, rt.Func(square))
			if res == nil {
				return err
			}
			return x.End(ctx)
		},
	})
}
