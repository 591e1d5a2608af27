// Package previous holds the functions of the previous golden case.
package previous

import (
	"context"
	"fmt"
	"strconv"
)

// Numbers is the workflow's input.
type Numbers struct {
	Numbers []float64 `json:"numbers"`
}

// Load passes the input on.
func Load(_ context.Context, in Numbers) (Numbers, error) { return in, nil }

// Negative is the error of Double on a negative number.
type Negative struct{ N float64 }

func (e *Negative) Error() string { return fmt.Sprintf("%g is negative", e.N) }

// Double doubles a number that is not negative.
func Double(_ context.Context, n float64) (float64, error) {
	if n < 0 {
		return 0, &Negative{n}
	}
	return 2 * n, nil
}

// RunningInput is what Running gets: its number and the previous element's sum.
type RunningInput struct {
	Input    float64  `json:"input"`
	Previous *float64 `json:"previous"`
}

// Running adds its number to the previous element's running sum.
func Running(_ context.Context, in RunningInput) (float64, error) {
	if in.Previous == nil {
		return in.Input, nil
	}
	return in.Input + *in.Previous, nil
}

// Sums keeps the list, in order.
func Sums(_ context.Context, xs []float64) ([]float64, error) { return xs, nil }

// Link is one step of the fold.
type Link struct {
	Count int     `json:"count"`
	Path  string  `json:"path"`
	Sum   float64 `json:"sum"`
}

// ChainInput is what Chain gets: its element and the previous link.
type ChainInput struct {
	Input    float64 `json:"input"`
	Previous *Link   `json:"previous"`
}

// Chain extends the previous link with its element.
func Chain(_ context.Context, in ChainInput) (Link, error) {
	s := strconv.FormatFloat(in.Input, 'g', -1, 64)
	if in.Previous == nil {
		return Link{Count: 1, Path: s, Sum: in.Input}, nil
	}
	return Link{Count: in.Previous.Count + 1, Path: in.Previous.Path + "," + s, Sum: in.Input}, nil
}

// Last returns the last link, or an empty one.
func Last(_ context.Context, links []Link) (Link, error) {
	if len(links) == 0 {
		return Link{}, nil
	}
	return links[len(links)-1], nil
}
