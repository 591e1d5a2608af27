// Package cost prices a workflow's execution on the cloud targets from
// what a local run of it did: the invocations and their durations, and the
// store requests and invokes that package meter billed as DynamoDB,
// Firestore and Pub/Sub would. It sets them next to what the same
// execution would cost with Unum's published request pattern and on AWS
// Step Functions Standard and Express, whose state transitions it counts
// from the run by ASL semantics (see Measure).
//
// Every price comes from one table, Prices, each with its unit, date and
// source; docs/cost.md documents the table and the models. `unumc cost`
// prints a Report as a table or as JSON.
package cost
