// Package proc is the node side of the local target: the whole main function
// of a node program generated for `unumc run`. It should only be imported by
// generated code.
//
// The runner (package local) starts the program with four extra pipes, and
// the program serves invocations over them one at a time while its store and
// invoker are calls back to the runner, which owns the durable state. The
// user function's stdout and stderr stay the process's own; the runner
// captures them into the execution's log. The package uses only the standard
// library and rt, so node programs stay small and build fast.
package proc
