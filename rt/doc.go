// Package rt is the runtime of the programs that unumc generates. It should
// only be imported by generated code: its API follows the generator and may
// change with any release. Generated files pin the version they were made for
// with a constant (see IsVersion1) and fail to compile against another.
//
// Each generated program is one node of a workflow. For every invocation it
// calls Invocation.Call, which skips the user function when the node instance
// already has a checkpoint, runs it otherwise, and commits the result with a
// conditional create; then the generated code chooses the continuation
// (Goto, Loop, End, Fail, FanOut) in straight-line Go and the runtime carries
// it out through two small interfaces: a Store, strongly consistent like
// DynamoDB or Firestore, and an Invoker that delivers invocations
// asynchronously and at least once. docs/protocol.md gives the argument for
// why results are those of exactly-once execution.
//
// The package depends only on the standard library; platform SDKs live in
// the target packages that implement Store and Invoker.
package rt
