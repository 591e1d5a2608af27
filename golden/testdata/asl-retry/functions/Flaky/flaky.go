// Package flaky is the function Flaky of the retry case: it fails until its
// state has been retried as often as its input asks.
package flaky

import (
	"context"
	"encoding/json"
	"fmt"
)

type In struct {
	Attempt int             `json:"attempt"` // the state's $$.State.RetryCount
	Until   int             `json:"until"`   // the first attempt that succeeds
	Item    json.RawMessage `json:"item,omitempty"`
}

type Out struct {
	Attempt int             `json:"attempt"`
	Item    json.RawMessage `json:"item,omitempty"`
}

// Flaky is the error the workflow's retriers match.
type Flaky struct{ Attempt, Until int }

func (e Flaky) Error() string {
	return fmt.Sprintf("not yet: attempt %d, until %d", e.Attempt, e.Until)
}

func Handle(_ context.Context, in In) (Out, error) {
	if in.Attempt < in.Until {
		return Out{}, Flaky{in.Attempt, in.Until}
	}
	return Out{Attempt: in.Attempt, Item: in.Item}, nil
}
