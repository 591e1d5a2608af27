// Package charge is the function Charge of the errors case: busy on its
// first try, declined, or panicking, as its input asks.
package charge

import (
	"context"
	"errors"

	"github.com/unumc/unumc/rt/unumctx"
)

type In struct {
	Order string `json:"order"`
	Mode  string `json:"mode"`
}

type Out struct {
	Order   string `json:"order"`
	Charged bool   `json:"charged"`
	Tries   int    `json:"tries"`
}

// Busy is retried by the workflow.
type Busy struct{}

func (Busy) Error() string { return "try again" }

// Declined is caught by the workflow.
type Declined struct{ error }

func Handle(ctx context.Context, in In) (Out, error) {
	info, _ := unumctx.From(ctx)
	switch in.Mode {
	case "busy":
		if info.Retry == 0 {
			return Out{}, Busy{}
		}
	case "declined":
		return Out{}, Declined{errors.New("card declined")}
	case "boom":
		panic("boom")
	}
	return Out{Order: in.Order, Charged: true, Tries: info.Retry + 1}, nil
}
