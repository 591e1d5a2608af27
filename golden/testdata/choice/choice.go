// Package choice holds the functions of the choice golden case.
package choice

import "context"

// Classify passes its input through a typed view, so missing fields stay missing.
func Classify(_ context.Context, in map[string]any) (map[string]any, error) { return in, nil }

// Tagged records which node ran.
type Tagged struct {
	Seen map[string]any `json:"seen"`
}

// Tag wraps its input.
func Tag(_ context.Context, in map[string]any) (Tagged, error) { return Tagged{Seen: in}, nil }
