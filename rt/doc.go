// Package rt is the runtime of the programs that unumc generates. It should
// only be imported by generated code: its API follows the generator and may
// change with any release. Generated files pin the version they were made for
// with a constant (see IsVersion1) and fail to compile against another.
//
// Each generated program is one node of a workflow. For every invocation it
// calls Invocation.Call, which skips the user function when the node instance
// already has a checkpoint, runs it otherwise, and commits the result with a
// conditional create; then the generated code chooses the continuation
// (Goto, Loop, End, Fail, FanOut, or Catch after a failure that
// Failure.Matches) in straight-line Go and the runtime carries it out
// through two small interfaces: a Store, strongly consistent like DynamoDB
// or Firestore, and an Invoker that delivers invocations asynchronously and
// at least once. docs/protocol.md gives the argument for
// why results are those of exactly-once execution. With
// Platform.CollectByExpiry (the AWS target's default) Call reads nothing
// first and records are left to expire: a duplicate then runs its function
// again and loses the commit.
//
// A node's Policy (timeout and retriers) applies inside Call, before the
// commit, so the committed result is that of the function's last attempt.
// A user error is named after its Go type, or by its ErrorName method (see
// NamedError); a timed-out attempt fails with States.Timeout without waiting
// for the function, whose goroutine may outlive the invocation.
//
// The package depends only on the standard library; platform SDKs live in
// the target packages that implement Store and Invoker.
package rt
