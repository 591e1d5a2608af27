// Package synthetic holds the functions of the synthetic golden case.
package synthetic

import "context"

// In is the workflow input.
type In struct {
	Mode string `json:"mode"`
	N    int    `json:"n"`
}

// Inc adds one.
func Inc(_ context.Context, in In) (int, error) { return in.N + 1, nil }

// Dec subtracts one.
func Dec(_ context.Context, in In) (int, error) { return in.N - 1, nil }
