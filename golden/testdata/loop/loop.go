// Package loop holds the functions of the loop golden case.
package loop

import "context"

// State is carried around the top-level loop.
type State struct {
	N     int   `json:"n"`
	Trace []int `json:"trace"`
}

// Init starts the count.
func Init(_ context.Context, start int) (State, error) { return State{N: start, Trace: []int{}}, nil }

// Step counts one iteration.
func Step(_ context.Context, s State) (State, error) {
	s.Trace = append(s.Trace, s.N)
	s.N++
	return s, nil
}

// Work is the input of the map.
type Work struct {
	Values []float64 `json:"values"`
	Trace  []int     `json:"trace"`
}

// Spread turns the trace into values to halve.
func Spread(_ context.Context, s State) (Work, error) {
	w := Work{Trace: s.Trace}
	for _, t := range s.Trace {
		w.Values = append(w.Values, float64(t*4))
	}
	return w, nil
}

// Halve halves a value.
func Halve(_ context.Context, x float64) (float64, error) { return x / 2, nil }

// Results keeps the final values.
func Results(_ context.Context, xs []float64) ([]float64, error) { return xs, nil }
