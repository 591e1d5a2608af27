// Package awstest holds the protocol peers that the AWS target's tests run
// the real, unmodified bootstrap programs against, on 127.0.0.1:
//
//   - dynalite (from npm), which speaks DynamoDB's protocol to aws-sdk-go-v2:
//     conditional puts, set updates with ReturnValues, batch reads and
//     writes, deletes. It has no TTL and no transactions, and returns no item
//     with ReturnValuesOnConditionCheckFailure, so the store's fallback read
//     runs there; ddb's unit tests cover the path DynamoDB takes.
//   - Lambda, a peer of the Lambda service: the Invoke API (Event
//     invocations queued and retried twice, RequestResponse ones answered)
//     and the Runtime API (next, response, error) that aws-lambda-go's
//     runtime client speaks. Each bootstrap process gets its own Runtime API
//     address (a path prefix), so the peer knows which invocation a process
//     that dies was running.
//
// The Lambda peer also injects the chaos suite's faults: a process that
// kills itself at the protocol's fault points on first attempts, and
// asynchronous events delivered twice.
package awstest
