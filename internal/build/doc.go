// Package build is the pipeline behind the CLI: it loads a workflow from
// either syntax, finds the Go module that holds its functions, generates the
// node programs, wires the runtime into the module when the module is not
// unumc itself, and compiles the programs, caching them by content.
package build
