// Package lookup is the function behind ${LookupFunctionArn} in the
// parallel case: it prices an item, or fails with OutOfStock.
package lookup

import (
	"context"
	"fmt"
)

type In struct {
	Item string `json:"item"`
	Fail bool   `json:"fail"`
	Base int    `json:"base"`
}

type Out struct {
	Price int `json:"price"`
}

// OutOfStock is the error a Catch matches by name.
type OutOfStock struct{ Item string }

func (e *OutOfStock) Error() string { return fmt.Sprintf("no %q in stock", e.Item) }

func Handle(_ context.Context, in In) (Out, error) {
	if in.Fail {
		return Out{}, &OutOfStock{Item: in.Item}
	}
	return Out{Price: 100}, nil
}
