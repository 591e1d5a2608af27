// Package errors holds the functions of the errors golden case: a flaky,
// slow or failing payment, and a stock check that fails for some items.
package errors

import (
	"context"
	"fmt"

	"github.com/unumc/unumc/rt/unumctx"
)

// Order is the workflow input. Fail says how Charge fails: "busy" for the
// first Times tries of each delivery, "declined", "slow" (past its
// timeout) or "fraud".
type Order struct {
	ID    string `json:"id"`
	Items []Item `json:"items"`
	Fail  string `json:"fail,omitempty"`
	Times int    `json:"times,omitempty"`
}

// Item is one line of an order.
type Item struct {
	Name string `json:"name"`
	Qty  int    `json:"qty"`
}

// Busy is a transient failure: retried.
type Busy struct{ Try int }

func (e *Busy) Error() string { return fmt.Sprintf("gateway busy (try %d)", e.Try) }

// Declined is a payment refused: caught, not retried.
type Declined struct{}

func (Declined) Error() string { return "card declined" }

// suspicious names itself: a retrier or catcher sees "Fraud".
type suspicious struct{}

func (suspicious) Error() string     { return "payment looks fraudulent" }
func (suspicious) ErrorName() string { return "Fraud" }

// Charge takes the payment. Its failures depend on the retry within the
// delivery (unumctx), not on a count kept in memory, so that a delivery
// that a crash repeats fails in the same way.
func Charge(ctx context.Context, o Order) (Order, error) {
	info, _ := unumctx.From(ctx)
	switch o.Fail {
	case "busy":
		if info.Retry < o.Times {
			return o, &Busy{Try: info.Retry + 1}
		}
	case "declined":
		return o, Declined{}
	case "slow":
		<-ctx.Done()
		return o, ctx.Err()
	case "fraud":
		return o, suspicious{}
	}
	return o, nil
}

// ErrorObject is what a catcher passes on: the error's name and cause.
type ErrorObject struct {
	Error string `json:"Error"`
	Cause string `json:"Cause"`
}

// Refund handles a declined payment; it receives the error object alone.
func Refund(_ context.Context, e ErrorObject) (map[string]any, error) {
	return map[string]any{"refunded": true, "error": e.Error, "cause": e.Cause}, nil
}

// Failed is an order with the error that stopped it at .error.
type Failed struct {
	Order
	Error ErrorObject `json:"error"`
}

// Recover handles a payment that kept failing; it receives the order with
// the error at .error.
func Recover(_ context.Context, f Failed) (map[string]any, error) {
	return map[string]any{"id": f.ID, "items": len(f.Items), "error": f.Error.Error, "cause": f.Error.Cause}, nil
}

// OutOfStock is an item that cannot be had.
type OutOfStock struct{ Item string }

func (e *OutOfStock) Error() string { return e.Item + " is out of stock" }

// Check accepts an item of at most 10.
func Check(_ context.Context, it Item) (int, error) {
	if it.Qty > 10 {
		return 0, &OutOfStock{Item: it.Name}
	}
	return it.Qty, nil
}

// Total adds the quantities.
func Total(_ context.Context, qs []int) (int, error) {
	n := 0
	for _, q := range qs {
		n += q
	}
	return n, nil
}

// Partial handles a failed check; it receives the error object.
func Partial(_ context.Context, e ErrorObject) (map[string]any, error) {
	return map[string]any{"partial": true, "error": e.Error, "cause": e.Cause}, nil
}
