// Package nop holds the functions of the workflows unumbench generates. They
// do as little as a node function can, so that what the benchmarks measure
// is unumc's own work: the protocol's store requests and invocations, the
// local runner and its processes.
//
// Generated node programs import it from a module of their own, so it
// cannot be internal.
package nop
