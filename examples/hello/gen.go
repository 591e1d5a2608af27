package hello

// The node programs under unum/ are generated from hello.unum and committed,
// so that 'go build ./...' builds them and changes are reviewed as diffs.
//go:generate go run github.com/unumc/unumc/cmd/unumc build hello.unum
