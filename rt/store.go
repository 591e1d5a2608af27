package rt

import (
	"context"
	"time"
)

// Item is one record of the store: a value, a set of strings, or both.
type Item struct {
	Key     string
	Value   []byte
	Set     []string
	Expires time.Time // zero: never; a backstop for records the protocol forgets
}

// Store is the strongly consistent key-value store that all coordination goes
// through. Its operations are the ones DynamoDB and Firestore both offer
// natively, each one request.
type Store interface {
	// Get reads the items that exist among keys, with strong consistency.
	Get(ctx context.Context, keys ...string) (map[string]Item, error)
	// Create writes it unless an item with its key exists. When one does,
	// Create writes nothing and returns the existing item.
	Create(ctx context.Context, it Item) (existing *Item, err error)
	// Add adds member to the set of the item at key, if that item exists,
	// and returns the set after the addition. ok is false, and nothing is
	// written, when there is no such item. When a later addition followed
	// this one, a store may return any subset of the set that holds member
	// instead: the caller only learns whether the set was complete, and the
	// last addition must see the whole set (the branch that sees its fan-in
	// complete invokes the join; more than one may, none must not).
	Add(ctx context.Context, key, member string) (set []string, ok bool, err error)
	// Delete removes the items at keys; missing items are not an error.
	Delete(ctx context.Context, keys ...string) error
}

// Invoker delivers invocations asynchronously and at least once: Invoke
// returns once the platform has accepted env, not when the node has run.
type Invoker interface {
	Invoke(ctx context.Context, env *Envelope) error
}

// Platform is what a target gives a node: its store and invoker, and the
// lifetimes of the records the protocol writes.
type Platform struct {
	Store   Store
	Invoker Invoker
	// CheckpointTTL bounds the life of checkpoints and fan-in sets that the
	// protocol fails to delete (after a crash the platform never retried).
	CheckpointTTL time.Duration
	// StatusTTL is how long the outcome of an execution stays readable.
	StatusTTL time.Duration
	// InlineLimit is the largest input, in bytes, sent inside an envelope;
	// larger ones travel by reference to the sender's checkpoint.
	InlineLimit int
	// FanOutConcurrency bounds concurrent Invoke calls of one fan-out.
	FanOutConcurrency int
	// CollectByExpiry leaves every record to its expiry instead of
	// deleting it, and runs each invocation without reading first. No
	// record is then ever collected while a duplicate could need it, so
	// nothing proves an invocation live or stale: a duplicate runs the user
	// function again, loses the conditional create and carries on with the
	// result that won, as far as the end, whose status write it loses too.
	// On the happy path an instance costs its conditional write and its
	// invocations, with no reads and no deletes (DynamoDB's and
	// Firestore's TTL deletes are free); the price is the compute of
	// duplicates, and records that stay until they expire.
	CollectByExpiry bool
	// ElementRecords makes the origin of a bounded map hand the inputs of
	// the elements it does not start to those it starts, inline in their
	// branches' envelopes (Frame.Lane), or, when a lane would take more
	// than a quarter of InlineLimit, write each into a record of its own;
	// the element that starts the next takes its input from there instead
	// of reading the origin's whole output. Worth it where reads are
	// billed by size (DynamoDB: 258 reads of a 90 KB output were most of
	// the 262-mapper wordcount's bill), not where they are billed by
	// document (Firestore), where records would add a write per element
	// and lanes bytes to every Pub/Sub message.
	ElementRecords bool
	// Fault, when set, is called at every point where a crash matters to the
	// protocol (see the Fault constants), with the envelope being handled and,
	// for FaultInvoke, the index of the invocation about to be sent. Fault
	// injection (the local target's chaos mode) kills the process there.
	Fault func(point string, env *Envelope, step int)
}

// The points at which Platform.Fault is called.
const (
	FaultBeforeCall    = "before-call"    // the pre-check found work to do; the user function has not run
	FaultAfterCall     = "after-call"     // the user function returned; nothing is committed
	FaultAfterCommit   = "after-commit"   // the checkpoint is committed (or lost to another run)
	FaultInvoke        = "invoke"         // before each invocation of a successor or branch
	FaultAfterJoinAdd  = "after-join-add" // the branch's outcome is in the fan-in set
	FaultBeforeCollect = "before-collect" // committed (and, at the end of a scope, continued); about to delete records
)

func (p *Platform) fault(point string, env *Envelope, step int) {
	if p.Fault != nil {
		p.Fault(point, env, step)
	}
}

func (p *Platform) expiry(d time.Duration) time.Time {
	if d <= 0 {
		return time.Time{}
	}
	// Whole seconds, as DynamoDB's TTL attribute, rounded up so that an item
	// never expires before its lifetime.
	return time.Now().Add(d + time.Second - 1).UTC().Truncate(time.Second)
}
