// Package gcp is unumc's Google Cloud target: the build target whose node
// programs run on Cloud Run with functions-framework-go (package function),
// their deployment as gcloud commands with least privilege, and starting and
// reading executions.
//
// Each node is one Cloud Run service running its node program, and one
// Pub/Sub topic; a push subscription delivers the topic's messages to the
// service, which the functions framework turns into CloudEvents. The
// workflow's records live in one Firestore collection of a database of the
// workflow's own, so that IAM, which cannot name a collection, can still
// confine the node programs to the workflow's records.
//
// Why Pub/Sub and not HTTP: an invocation must be accepted durably before
// the invoking node returns, and delivered at least once with retries when
// the receiving node fails or crashes. Publishing gives both (the publish is
// acknowledged once stored; an unacknowledged delivery is redelivered with
// backoff for up to the retention period), where an HTTP call would make
// the caller wait for the callee and retry it itself, or lose the
// invocation when the caller crashes. HTTP triggers are not offered.
package gcp
