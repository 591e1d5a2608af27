// Package meter turns each request a node program makes of its store and
// invoker into what the cloud targets would bill for it:
//
//   - DynamoDB requests and on-demand capacity units, request by request as
//     targets/aws/ddb makes them (BatchGetItem, conditional PutItem with
//     ALL_OLD, UpdateItem ADD, one DeleteItem per key, BatchWriteItem for
//     the chunks of values over ddb.ChunkSize), with items sized as ddb
//     encodes them;
//   - Firestore requests and document reads, writes and deletes, as
//     targets/gcp/fstore makes them;
//   - Pub/Sub messages and their billable bytes, as targets/gcp/function
//     publishes an invocation.
//
// The local target meters every store request and invoke of a run with a
// Meter (unumc run --stats, unumc cost), so a workflow's cloud bill can be
// worked out from a local run. Package cost prices the counts.
package meter
