// Package local is the local target, the embedded default: `unumc run`
// needs no service. Each node of a workflow is a program (see package proc)
// run in its own OS processes, kept warm or started fresh as a FaaS platform
// would; all coordination goes through a Store, a durable bbolt file (with a
// journal beside it that makes each batch durable in one sync) under a
// state directory; and invocations are delivered asynchronously and at least
// once, with retries, from a queue in that same file. Nothing listens on the
// network.
//
// Run is the runner: it owns the state file, starts the node processes and
// answers their store and invoker calls over pipes, so it sees, and counts
// in Stats, every store operation and invocation. A Host is the runner for
// many executions at once (unumc run --inputs): they share the state file
// and the node processes, which stay warm from one execution to the next. An invocation is removed
// from the queue only once a delivery of it has succeeded, so a runner that
// is stopped or killed leaves exactly what is still owed, and running the
// same execution again resumes it.
package local
