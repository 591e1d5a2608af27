// Package mapping holds the functions of the mapping golden case.
package mapping

import (
	"context"
	"encoding/json"
)

// Load passes its input on, whatever it holds, so the map checks the array.
func Load(_ context.Context, in json.RawMessage) (json.RawMessage, error) { return in, nil }

// Square squares one element.
func Square(_ context.Context, n int) (int, error) { return n * n, nil }

// Plus adds one.
func Plus(_ context.Context, n int) (int, error) { return n + 1, nil }

// Collect keeps the list, in order.
func Collect(_ context.Context, ns []int) ([]int, error) { return ns, nil }

// Halve halves a number.
func Halve(_ context.Context, n float64) (float64, error) { return n / 2, nil }

// Summary is the final output.
type Summary struct {
	Halves []float64 `json:"halves"`
	Sum    float64   `json:"sum"`
}

// Total sums the halves.
func Total(_ context.Context, xs []float64) (Summary, error) {
	s := Summary{Halves: xs}
	if s.Halves == nil {
		s.Halves = []float64{}
	}
	for _, x := range xs {
		s.Sum += x
	}
	return s, nil
}
