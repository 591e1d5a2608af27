// Package chain holds the functions of the chain golden case.
package chain

import (
	"context"
	"fmt"
)

// Double doubles a number.
func Double(_ context.Context, n int) (int, error) { return 2 * n, nil }

// Label names a number.
func Label(_ context.Context, n int) (string, error) { return fmt.Sprintf("n=%d", n), nil }

// Wrapped is the final record.
type Wrapped struct {
	Text string `json:"text"`
	Len  int    `json:"len"`
}

// Wrap wraps a label in a record.
func Wrap(_ context.Context, s string) (Wrapped, error) { return Wrapped{Text: s, Len: len(s)}, nil }
