// Package golden holds the end-to-end golden tests of unumc: each directory
// under testdata is a workflow with its functions, the generated program of
// every node exactly as 'unumc build' writes it (unum/<node>/main.go), and
// inputs with the outputs a run must produce.
//
// The test regenerates every case and diffs it against the committed files,
// vets and compiles the committed programs, and runs each case on the local
// target. Run 'make golden' (or go test ./golden -update, or UNUM_UPDATE=1)
// to rewrite the expected programs, after reading the diff it would make.
package golden
