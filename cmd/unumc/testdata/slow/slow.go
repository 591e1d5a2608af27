// Package slow holds functions slow enough for a test to kill unumc run in
// the middle of an execution.
package slow

import (
	"context"
	"time"
)

// Step waits a little and counts.
func Step(_ context.Context, n int) (int, error) {
	time.Sleep(120 * time.Millisecond)
	return n + 1, nil
}

// Spread makes a list of n items.
func Spread(_ context.Context, n int) ([]int, error) {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out, nil
}

// Sum adds a list.
func Sum(_ context.Context, xs []int) (int, error) {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s, nil
}
