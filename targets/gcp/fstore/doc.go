// Package fstore is rt.Store on Cloud Firestore, for the Google Cloud
// target: the node programs use it for their checkpoints and fan-in sets,
// and unumc uses it to read an execution's status.
//
// Each record is one document of one collection (a workflow's own), with the
// record's key, escaped, as the document ID. Every operation of rt.Store is
// one Firestore request in the common case:
//
//   - Get is one BatchGetDocuments, strongly consistent like every
//     Firestore read outside a transaction.
//   - Create is a Commit with an exists=false precondition; only when it
//     fails with AlreadyExists does a second request read the winner.
//   - Add is an Update (which requires the document to exist) applying an
//     array union, then a read of the set: two requests with no retries
//     under contention. A transaction would return exactly the set after
//     this addition, but costs three requests (begin, read, commit) and
//     serialises the branches that finish together; the read here may also
//     see members added after ours, so two branches can both see the set
//     complete and both invoke the join, which the protocol treats as the
//     duplicate delivery it already tolerates.
//   - Delete is one Commit for one key and one BatchWrite per 20 keys
//     beyond.
//
// Expiry is the "expires" timestamp field, the field a Firestore TTL policy
// deletes by. TTL deletion happens within a day or so of expiry, so reads
// treat an expired document as absent, as the local store does.
package fstore
