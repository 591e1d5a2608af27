// Package branches holds the functions of the branches golden case.
package branches

import (
	"context"
	"fmt"
	"strings"
)

// Split passes a word on.
func Split(_ context.Context, s string) (string, error) { return s, nil }

// Upper upper-cases a word.
func Upper(_ context.Context, s string) (string, error) { return strings.ToUpper(s), nil }

// Exclaim appends an exclamation mark.
func Exclaim(_ context.Context, s string) (string, error) { return s + "!", nil }

// Reverse reverses a word.
func Reverse(_ context.Context, s string) (string, error) {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r), nil
}

// Count describes a word's length.
func Count(_ context.Context, s string) (string, error) { return fmt.Sprint(len(s)), nil }

// Join joins the branch results with '|'.
func Join(_ context.Context, parts []string) (string, error) { return strings.Join(parts, "|"), nil }
