// Package aws is unumc's AWS target: it builds each node of a workflow as a
// Lambda function (a bootstrap for the provided.al2023 runtime, zipped),
// writes the SAM template that deploys them with the DynamoDB table of their
// executions and least-privilege IAM, and starts executions and reads their
// outcome for unumc's deploy, start and status commands.
//
// The node programs' main is package lambda; their store is package ddb.
// Package awstest holds the protocol peers the end-to-end tests run the
// real bootstraps against.
package aws
