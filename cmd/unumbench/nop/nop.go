package nop

import (
	"context"
	"encoding/json"
)

// Nop returns its input.
func Nop(ctx context.Context, in json.RawMessage) (json.RawMessage, error) {
	return in, nil
}

// Counter is the state of a loop: I counts iterations up to N.
type Counter struct {
	I int `json:"i"`
	N int `json:"n"`
}

// Step counts one iteration.
func Step(ctx context.Context, in Counter) (Counter, error) {
	in.I++
	return in, nil
}

// Len returns the number of results a join received, so that a run can be
// checked to have joined every branch.
func Len(ctx context.Context, in []json.RawMessage) (int, error) {
	return len(in), nil
}
