// Package failure holds the functions of the failure golden case.
package failure

import (
	"context"
	"fmt"
)

// Order is one order.
type Order struct {
	Item string `json:"item"`
	Qty  int    `json:"qty"`
}

// Batch is the workflow input.
type Batch struct {
	Orders []Order `json:"orders"`
}

// Orders passes the batch on.
func Orders(_ context.Context, b Batch) (Batch, error) { return b, nil }

// OutOfStock is returned for an order that cannot be met.
type OutOfStock struct{ Item string }

func (e *OutOfStock) Error() string { return fmt.Sprintf("%s is out of stock", e.Item) }

// Check accepts orders of at most 10.
func Check(_ context.Context, o Order) (Order, error) {
	if o.Qty > 10 {
		return o, &OutOfStock{Item: o.Item}
	}
	return o, nil
}

// Ship counts the accepted orders.
func Ship(_ context.Context, os []Order) (int, error) { return len(os), nil }
