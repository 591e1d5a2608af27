package meter

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/unumc/unumc/rt"
)

// Bill is what some requests would bill on each cloud target's store and
// queue.
type Bill struct {
	DynamoDB  DynamoDB  `json:"dynamodb"`
	Firestore Firestore `json:"firestore"`
	PubSub    PubSub    `json:"pubsub"`
	// Largest is the most data one request carried: the values a Get
	// returned, the value a Create wrote, or an invocation's input. Step
	// Functions limits a state's input and output to StateDataLimit.
	Largest int64 `json:"largest_bytes"`
}

// StateDataLimit is the most data Step Functions passes into or out of a
// state: 256 KiB.
const StateDataLimit = 256 << 10

// DynamoDB counts API requests and the on-demand capacity units they
// consume.
type DynamoDB struct {
	Requests int `json:"requests"`
	// ReadUnits are read request units: a strongly consistent read of an
	// item is one per 4 KB of its size, rounded up, and one for a key with
	// no item.
	ReadUnits int `json:"read_units"`
	// WriteUnits are write request units: one per 1 KB of the item written
	// or deleted, rounded up and at least one, whether the write's
	// condition held or not.
	WriteUnits int `json:"write_units"`
	// CheckpointUnits are the write units of the checkpoints written, of
	// WriteUnits: what writing the instances' results costs whatever the
	// protocol, and what pricing another protocol's pattern reuses.
	CheckpointUnits int `json:"checkpoint_units"`
}

// Firestore counts API requests and the document operations they bill.
type Firestore struct {
	Requests int `json:"requests"`
	Reads    int `json:"reads"`
	Writes   int `json:"writes"`
	Deletes  int `json:"deletes"`
}

// PubSub counts published messages and the throughput Pub/Sub bills for
// publishing them: each message's volume, at least MinMessageBytes.
type PubSub struct {
	Messages int   `json:"messages"`
	Bytes    int64 `json:"bytes"`
}

// Add adds d to b.
func (b *Bill) Add(d Bill) {
	b.DynamoDB.Requests += d.DynamoDB.Requests
	b.DynamoDB.ReadUnits += d.DynamoDB.ReadUnits
	b.DynamoDB.WriteUnits += d.DynamoDB.WriteUnits
	b.DynamoDB.CheckpointUnits += d.DynamoDB.CheckpointUnits
	b.Firestore.Requests += d.Firestore.Requests
	b.Firestore.Reads += d.Firestore.Reads
	b.Firestore.Writes += d.Firestore.Writes
	b.Firestore.Deletes += d.Firestore.Deletes
	b.PubSub.Messages += d.PubSub.Messages
	b.PubSub.Bytes += d.PubSub.Bytes
	b.Largest = max(b.Largest, d.Largest)
}

// DynamoDB's request sizes and limits, as targets/aws/ddb uses them. A test
// checks that they match ddb's constants.
const (
	chunkSize  = 350_000 // ddb.ChunkSize: larger values are stored in chunk items
	batchGet   = 100     // keys per BatchGetItem
	batchWrite = 25      // requests per BatchWriteItem
	writerLen  = 16      // the hex writer ID in a chunk manifest and chunk keys

	// The attribute names of ddb's items.
	attrKey, attrValue, attrSet, attrExpires = "k", "v", "s", "expires"
	attrChunks, attrWriter, attrSize         = "n", "w", "z"

	readUnit  = 4096 // bytes per read unit (strongly consistent)
	writeUnit = 1024 // bytes per write unit
)

// fstoreBulk is the most deletes targets/gcp/fstore sends in one
// BatchWrite (fstore.DeleteRequests).
const fstoreBulk = 20

// MinMessageBytes is the least Pub/Sub bills for a publish or a push of one
// message; messageOverhead is what it adds to a message's data: a 20-byte
// timestamp and the message ID (16 digits).
const (
	MinMessageBytes = 1000
	messageOverhead = 20 + 16
)

// Meter bills requests one by one. It remembers the size of every item it
// has seen written and not deleted since, because DynamoDB bills an update
// and a delete by the size of the item they change, which the caller of
// rt.Store does not see. Items written before the Meter started (an
// execution resumed by a new run) bill as if missing: one unit. A Meter is
// not safe for concurrent use.
type Meter struct {
	items map[string]item
}

// item is a record as DynamoDB stores it, by size.
type item struct {
	key     int   // bytes of the key
	value   int   // bytes of the value
	set     int   // bytes of the set's members
	expires int64 // Unix seconds; 0: never
}

func itemOf(it rt.Item) item {
	r := item{key: len(it.Key), value: len(it.Value)}
	for _, m := range it.Set {
		r.set += len(m)
	}
	if !it.Expires.IsZero() {
		r.expires = it.Expires.Unix()
	}
	return r
}

func (m *Meter) remember(key string, it item) {
	if m.items == nil {
		m.items = map[string]item{}
	}
	m.items[key] = it
}

// Get bills a Get of keys that found got.
func (m *Meter) Get(keys []string, got map[string]rt.Item) Bill {
	var b Bill
	uniq := unique(keys)
	if len(uniq) == 0 {
		return b
	}
	// ddb: consistent BatchGetItems of up to 100 distinct keys, each key
	// billed as a GetItem, then for each chunked item a BatchGetItem of
	// its chunks (ddb.Store.assemble).
	b.DynamoDB.Requests += ceilDiv(len(uniq), batchGet)
	for _, k := range uniq {
		rec, ok := got[k]
		if !ok {
			b.DynamoDB.ReadUnits++
			continue
		}
		it := itemOf(rec)
		m.remember(k, it)
		b.Largest += int64(it.value)
		b.DynamoDB.ReadUnits += ceilDiv(it.size(), readUnit)
		b.DynamoDB.add(it.readChunks())
	}
	// fstore: one BatchGetDocuments; every document looked up is billed,
	// found or not.
	b.Firestore.Requests++
	b.Firestore.Reads += len(uniq)
	return b
}

// Create bills a Create of it that found existing, or nil if it wrote it.
func (m *Meter) Create(it rt.Item, existing *rt.Item) Bill {
	mine := itemOf(it)
	b := Bill{Largest: int64(mine.value)}
	// ddb: a value over chunkSize is written first as chunk items, in
	// BatchWriteItems, and the item itself becomes a manifest.
	b.DynamoDB.add(mine.writeChunks())
	// ddb: one PutItem, conditional on no live item, returning the
	// existing item (ALL_OLD) when the condition fails. A failed condition
	// still consumes write units, by the size of the existing item.
	b.DynamoDB.Requests++
	// fstore: a Commit with an exists=false precondition; on AlreadyExists
	// a read of the winner. A failed precondition is billed as a write.
	b.Firestore.Requests++
	b.Firestore.Writes++
	if existing == nil {
		b.DynamoDB.WriteUnits += writeUnits(mine.size())
		if strings.Contains(it.Key, "/c/") { // rt.CheckpointKey
			b.DynamoDB.CheckpointUnits += writeUnits(mine.size()) + mine.writeChunks().WriteUnits
		}
		m.remember(it.Key, mine)
		return b
	}
	old := itemOf(*existing)
	m.remember(it.Key, old)
	b.DynamoDB.WriteUnits += writeUnits(old.size())
	b.DynamoDB.add(mine.deleteChunks()) // the chunks written for nothing
	b.DynamoDB.add(old.readChunks())    // ddb assembles the winner's value
	b.Firestore.Requests++
	b.Firestore.Reads++
	return b
}

// Add bills an Add of member to the set at key that returned set, ok.
func (m *Meter) Add(key, member string, set []string, ok bool) Bill {
	var b Bill
	// ddb: one UpdateItem ADD, conditional on the item. It bills the larger
	// of the item before and after, here the one after, or one unit when the
	// condition fails.
	b.DynamoDB.Requests++
	// fstore: an Update that requires the document, then (when it exists)
	// a read of the set. An Update that finds no document is billed as a
	// write.
	b.Firestore.Requests++
	b.Firestore.Writes++
	if !ok {
		b.DynamoDB.WriteUnits++
		delete(m.items, key)
		return b
	}
	it, known := m.items[key]
	if !known {
		it = item{key: len(key)}
	}
	// Sets only grow: of two concurrent additions metered out of order,
	// the larger set is the later one.
	n := 0
	for _, s := range set {
		n += len(s)
	}
	after := it
	after.set = n
	b.DynamoDB.WriteUnits += writeUnits(after.size())
	it.set = max(it.set, n)
	m.remember(key, it)
	b.Firestore.Requests++
	b.Firestore.Reads++
	return b
}

// Delete bills a Delete of keys.
func (m *Meter) Delete(keys []string) Bill {
	var b Bill
	// ddb: one DeleteItem per key, as given, conditional on the item not
	// being a chunk manifest. It bills the deleted item's size, one unit
	// for a missing one. A manifest fails the condition (billed by its
	// size), is deleted unconditionally, and then its chunks in
	// BatchWriteItems.
	for _, k := range keys {
		b.DynamoDB.Requests++
		it, ok := m.items[k]
		if !ok {
			b.DynamoDB.WriteUnits++
			continue
		}
		delete(m.items, k)
		b.DynamoDB.WriteUnits += writeUnits(it.size())
		if it.chunked() {
			b.DynamoDB.Requests++
			b.DynamoDB.WriteUnits += writeUnits(it.size())
			b.DynamoDB.add(it.deleteChunks())
		}
	}
	// fstore: one Commit for one key, else a BatchWrite per 20 distinct
	// keys; every delete is billed, of a document or of nothing.
	n := len(unique(keys))
	b.Firestore.Deletes += n
	if n <= 1 {
		b.Firestore.Requests += n
	} else {
		b.Firestore.Requests += ceilDiv(n, fstoreBulk)
	}
	return b
}

// Invoke bills an invocation sent to the platform: on Google Cloud one
// Pub/Sub message, the envelope's JSON (targets/gcp/function). A Lambda
// Invoke is free: Lambda bills the invoked function's request, which is
// counted where it runs.
func (m *Meter) Invoke(env *rt.Envelope) Bill {
	b := Bill{Largest: int64(len(env.Input))}
	b.PubSub.Messages++
	b.PubSub.Bytes += MessageBytes(env)
	return b
}

// MessageBytes is the throughput Pub/Sub bills for publishing env, and
// again for pushing it to its subscriber.
func MessageBytes(env *rt.Envelope) int64 {
	data, err := json.Marshal(env)
	if err != nil {
		return MinMessageBytes
	}
	return max(MinMessageBytes, int64(len(data)+messageOverhead))
}

func (d *DynamoDB) add(e DynamoDB) {
	d.Requests += e.Requests
	d.ReadUnits += e.ReadUnits
	d.WriteUnits += e.WriteUnits
}

// chunked reports whether ddb stores the item's value in chunk items.
func (it item) chunked() bool { return it.value > chunkSize }

func (it item) chunks() int { return ceilDiv(it.value, chunkSize) }

// size is the item's size as DynamoDB bills it: the lengths of its
// attribute names and values, as ddb encodes the record (for a chunked
// value, the manifest).
func (it item) size() int {
	n := len(attrKey) + it.key
	switch {
	case it.chunked():
		n += len(attrChunks) + numberSize(int64(it.chunks()))
		n += len(attrWriter) + writerLen
		n += len(attrSize) + numberSize(int64(it.value))
	case it.value > 0:
		n += len(attrValue) + it.value
	}
	if it.set > 0 {
		n += len(attrSet) + it.set
	}
	return n + expiresSize(it.expires)
}

// chunkSizes are the sizes of the chunk items of a chunked value: the key
// "<key>/x/<writer>/<i>", the slice of the value, the expiry.
func (it item) chunkSizes() []int {
	if !it.chunked() {
		return nil
	}
	out := make([]int, it.chunks())
	for i := range out {
		key := it.key + len("/x/") + writerLen + len("/") + len(strconv.Itoa(i))
		part := min(chunkSize, it.value-i*chunkSize)
		out[i] = len(attrKey) + key + len(attrValue) + part + expiresSize(it.expires)
	}
	return out
}

// writeChunks bills ddb.Store.putChunks; deleteChunks its batchDelete of
// the chunks; readChunks the batchGet of assemble.
func (it item) writeChunks() DynamoDB {
	var d DynamoDB
	sizes := it.chunkSizes()
	d.Requests = ceilDiv(len(sizes), batchWrite)
	for _, s := range sizes {
		d.WriteUnits += writeUnits(s)
	}
	return d
}

func (it item) deleteChunks() DynamoDB { return it.writeChunks() }

func (it item) readChunks() DynamoDB {
	var d DynamoDB
	sizes := it.chunkSizes()
	d.Requests = ceilDiv(len(sizes), batchGet)
	for _, s := range sizes {
		d.ReadUnits += ceilDiv(s, readUnit)
	}
	return d
}

func expiresSize(unix int64) int {
	if unix == 0 {
		return 0
	}
	return len(attrExpires) + numberSize(unix)
}

// numberSize is the size of a DynamoDB number: one byte per two
// significant digits, plus one.
func numberSize(n int64) int {
	s := strings.TrimRight(strings.TrimLeft(strconv.FormatInt(n, 10), "-0"), "0")
	return (len(s)+1)/2 + 1
}

func writeUnits(size int) int { return max(1, ceilDiv(size, writeUnit)) }

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// unique returns keys without repeats, in their first order.
func unique(keys []string) []string {
	if len(keys) < 2 {
		return keys
	}
	out := make([]string, 0, len(keys))
	seen := make(map[string]bool, len(keys))
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}
