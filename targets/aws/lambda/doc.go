// Package lambda is the main of the node programs unumc builds for AWS: each
// node is a Lambda function on the provided.al2023 runtime whose bootstrap
// calls Main, which serves invocations through aws-lambda-go.
//
// Everything a function needs comes from its environment (see the Env
// constants), written by the SAM template unumc generates: the DynamoDB
// table, and the function name of each node it may invoke — only its own
// successors, which is also all its IAM policy allows. The AWS clients are
// configured from the variables Lambda sets (region, the execution role's
// credentials) without the SDK's config loader, which would add the SSO,
// STS and IMDS clients to every binary for credentials Lambda never uses.
// AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL_LAMBDA, when set, redirect
// the clients, which is how the tests run the unmodified programs against
// protocol peers.
//
// Successors are invoked asynchronously (InvocationType Event): Lambda
// queues the event, and retries a failed invocation twice, which is the
// at-least-once delivery the protocol expects of an rt.Invoker. A handler
// error is returned to Lambda so that it retries; user errors are not
// handler errors (rt commits them).
//
// After each invocation the function writes one JSON line to standard output
// (CloudWatch Logs on AWS), a ddb.Report of the requests it made, from which
// an execution's cost is summed.
package lambda
