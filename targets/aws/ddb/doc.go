// Package ddb is rt.Store on Amazon DynamoDB, for the AWS target's node
// programs and for unumc's start and status commands.
//
// Every operation is as few billable requests as DynamoDB allows:
//
//   - Get is one consistent BatchGetItem per 100 keys, with UnprocessedKeys
//     retried.
//   - Create is one conditional PutItem that asks for the existing item when
//     the condition fails (ReturnValuesOnConditionCheckFailure: ALL_OLD); a
//     consistent GetItem is made only when the failure carries no item,
//     which DynamoDB never does but some emulators (dynalite) always do. The
//     happy path reads nothing.
//   - Add is one conditional UpdateItem that adds the member to a string set
//     and returns the set (ReturnValues: UPDATED_NEW).
//   - Delete is one DeleteItem per key, conditional on the item not being a
//     chunked value; one that is has its chunks deleted with it.
//
// Items carry their expiry in the TTL attribute (AttrExpires) as the
// backstop for records the protocol fails to delete. DynamoDB deletes
// expired items lazily, so reads and conditions treat an expired item as
// absent, as the local store does.
//
// A value larger than ChunkSize (DynamoDB items are at most 400 KB) is
// written as chunks under keys unique to the writer, before the conditional
// put of a small manifest that names them: the manifest decides the race,
// and the loser deletes its chunks. Readers follow the manifest.
//
// Store counts its requests (see Counts) so that the cost of an execution
// can be computed from what its invocations report.
package ddb
