// Package big holds the functions of the big workflow, which moves a 10 MB
// value between Lambda functions.
package big

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Size asks for a value of Bytes bytes.
type Size struct {
	Bytes int `json:"bytes"`
}

// Blob is a large value.
type Blob struct {
	Data string `json:"data"`
}

// Digest describes a Blob.
type Digest struct {
	Bytes  int    `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// Make makes a Blob of the size asked for.
func Make(_ context.Context, s Size) (Blob, error) {
	return Blob{Data: Content(s.Bytes)}, nil
}

// Pass passes the Blob on.
func Pass(_ context.Context, b Blob) (Blob, error) { return b, nil }

// Measure returns the Blob's size and digest.
func Measure(_ context.Context, b Blob) (Digest, error) {
	sum := sha256.Sum256([]byte(b.Data))
	return Digest{Bytes: len(b.Data), SHA256: hex.EncodeToString(sum[:])}, nil
}

// Content is the Blob Make makes.
func Content(n int) string {
	return strings.Repeat("0123456789abcdef", n/16+1)[:n]
}
