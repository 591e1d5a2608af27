// Package random holds functions whose results differ from run to run, so
// that a re-run of an instance is told apart from its first run: the chaos
// sweep checks that no instance ever passes two different results on.
package random

import (
	"context"
	"crypto/rand"
	"encoding/hex"
)

func nonce() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Draw is a number with a random tag.
type Draw struct {
	N     int    `json:"n"`
	Nonce string `json:"nonce"`
}

// Start tags the input.
func Start(_ context.Context, n int) (Draw, error) { return Draw{N: n, Nonce: nonce()}, nil }

// Spread makes n tagged items.
func Spread(_ context.Context, d Draw) ([]Draw, error) {
	out := make([]Draw, d.N)
	for i := range out {
		out[i] = Draw{N: i, Nonce: nonce()}
	}
	return out, nil
}

// Retag keeps the number and draws a new tag.
func Retag(_ context.Context, d Draw) (Draw, error) { return Draw{N: d.N * 10, Nonce: nonce()}, nil }

// Sum adds the numbers, dropping the tags, so the output is the same in
// every run.
func Sum(_ context.Context, ds []Draw) (int, error) {
	s := 0
	for _, d := range ds {
		s += d.N
	}
	return s, nil
}
