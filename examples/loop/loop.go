// Package loop holds the functions of the loop workflow, which follows the
// Collatz sequence of a number down to 1, one step per run of Step.
package loop

import (
	"context"
	"fmt"
)

// Start is the workflow input.
type Start struct {
	N        int `json:"n"`        // where the sequence starts, at least 1
	MaxSteps int `json:"maxSteps"` // stop after this many steps; 0 means DefaultMaxSteps
}

// State is the loop's state, passed from one run of Step to the next.
type State struct {
	Start    int   `json:"start"`
	N        int   `json:"n"` // the current number
	Steps    int   `json:"steps"`
	MaxSteps int   `json:"maxSteps"`
	Peak     int   `json:"peak"` // the largest number so far
	Path     []int `json:"path"` // every number so far, from Start to N
	Done     bool  `json:"done"` // N is 1, or the step budget is spent
}

// Result is the workflow result.
type Result struct {
	Converged bool  `json:"converged"` // the sequence reached 1
	Path      []int `json:"path"`
	Peak      int   `json:"peak"`
	Start     int   `json:"start"`
	Steps     int   `json:"steps"`
}

// DefaultMaxSteps bounds the loop when the input does not.
const DefaultMaxSteps = 1000

// Init sets up the loop.
func Init(ctx context.Context, in Start) (State, error) {
	if in.N < 1 {
		return State{}, fmt.Errorf("init: the sequence must start at 1 or more, not %d", in.N)
	}
	if in.MaxSteps < 0 {
		return State{}, fmt.Errorf("init: negative step budget %d", in.MaxSteps)
	}
	if in.MaxSteps == 0 {
		in.MaxSteps = DefaultMaxSteps
	}
	return State{Start: in.N, N: in.N, MaxSteps: in.MaxSteps, Peak: in.N, Path: []int{in.N}, Done: in.N == 1}, nil
}

// Step takes one step of the sequence. A state that is already done passes
// through unchanged (Step runs at least once, even for a start of 1).
func Step(ctx context.Context, in State) (State, error) {
	if in.Done {
		return in, nil
	}
	out := in
	if in.N%2 == 0 {
		out.N = in.N / 2
	} else {
		out.N = 3*in.N + 1
	}
	out.Steps++
	out.Peak = max(in.Peak, out.N)
	out.Path = append(append([]int{}, in.Path...), out.N)
	out.Done = out.N == 1 || out.Steps >= out.MaxSteps
	return out, nil
}

// Finish reports the sequence.
func Finish(ctx context.Context, in State) (Result, error) {
	return Result{Converged: in.N == 1, Path: in.Path, Peak: in.Peak, Start: in.Start, Steps: in.Steps}, nil
}
