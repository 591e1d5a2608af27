// Package function runs a generated node program on Google Cloud: Main is
// the main of every node built with `unumc build -t gcp`.
//
// The program is a functions-framework-go CloudEvent function listening on
// PORT, as Cloud Run functions (2nd gen) run them. It is triggered through
// Pub/Sub, one topic per node: a successor is invoked by publishing its
// envelope to its topic, and Main waits for the publish to be acknowledged
// before the invocation returns, so an invocation that returns success has
// handed on every successor (Unum's runtime never awaits the publish and can
// lose invocations). Pub/Sub redelivers a message until a delivery succeeds,
// which is the at-least-once delivery the protocol needs; the framework turns
// a Pub/Sub push request into a CloudEvent whose id is the message ID, so a
// redelivered message carries the same delivery id.
//
// Checkpoints and fan-in sets live in Firestore (package fstore). Each
// invocation logs one structured line with the requests it made, so a log
// query (or the test harness) can count them per execution.
package function
