// Package codegen turns a checked workflow into one Go program per node,
// with github.com/dave/jennifer. It reads only the IR.
//
// Each program is short, straight-line Go: a literal rt.Node describing the
// node's place in the workflow, and a handle function that calls the user
// function through the runtime's checkpointed Call and then carries out the
// node's continuation — a goto, a loop, a choice whose conditions are
// compiled to Go expressions, a fan-out, the end of a branch or of the
// workflow. Emitters are small, one per construct, each with a comment
// showing the Go it produces.
package codegen
