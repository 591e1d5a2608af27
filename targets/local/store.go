package local

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/unumc/unumc/rt"
)

// The buckets of a state file.
var (
	itemsBucket = []byte("items") // the records of rt.Store
	queueBucket = []byte("queue") // invocations accepted and not yet done
	deadBucket  = []byte("dead")  // invocations that failed every attempt
)

// Store is an rt.Store kept in one bbolt file. Every operation is one bbolt
// transaction, so the store is strongly consistent and, as bbolt syncs each
// commit, durable. The same file holds the runner's invocation queue, so that
// accepting an invocation and the records it depends on survive a crash of
// the runner together.
type Store struct {
	db  *bolt.DB
	now func() time.Time // for expiry
}

var _ rt.Store = (*Store)(nil)

// StorePath is the state file of a workflow: <stateDir>/<workflow>.db.
func StorePath(stateDir, workflow string) string {
	return filepath.Join(stateDir, workflow+".db")
}

// errInUse is a state file locked by another runner.
var errInUse = errors.New("in use by another unumc run")

// OpenStore opens the state file at path, creating it and its directory if
// needed. bbolt locks the file: a second runner on the same workflow waits
// briefly and then fails rather than share it.
func OpenStore(path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	db, err := bolt.Open(path, 0o644, &bolt.Options{Timeout: 2 * time.Second})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("state %s: %w", path, errInUse)
	}
	if err != nil {
		return nil, fmt.Errorf("open state %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{itemsBucket, queueBucket, deadBucket} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open state %s: %w", path, err)
	}
	return &Store{db: db, now: time.Now}, nil
}

// Close closes the state file.
func (s *Store) Close() error { return s.db.Close() }

// Get reads the items that exist among keys.
func (s *Store) Get(ctx context.Context, keys ...string) (map[string]rt.Item, error) {
	got := map[string]rt.Item{}
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(itemsBucket)
		for _, k := range keys {
			it, ok, err := s.read(b, k)
			if err != nil {
				return err
			}
			if ok {
				got[k] = it
			}
		}
		return nil
	})
	return got, err
}

// Create writes it unless an unexpired item with its key exists, which it
// then returns.
func (s *Store) Create(ctx context.Context, it rt.Item) (*rt.Item, error) {
	var existing *rt.Item
	err := s.db.Update(func(tx *bolt.Tx) error {
		existing = nil // bbolt may not rerun fn, but keep fn pure anyway
		b := tx.Bucket(itemsBucket)
		old, ok, err := s.read(b, it.Key)
		if err != nil {
			return err
		}
		if ok {
			existing = &old
			return nil
		}
		it.Set = normalize(it.Set)
		return b.Put([]byte(it.Key), encodeItem(it))
	})
	if err != nil {
		return nil, err
	}
	return existing, nil
}

// Add adds member to the set of the item at key and returns the set, sorted;
// ok is false when there is no such item.
func (s *Store) Add(ctx context.Context, key, member string) (set []string, ok bool, err error) {
	err = s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(itemsBucket)
		it, found, err := s.read(b, key)
		if err != nil || !found {
			set, ok = nil, false
			return err
		}
		set, ok = it.Set, true
		i, present := slices.BinarySearch(set, member)
		if present {
			return nil
		}
		set = slices.Insert(set, i, member)
		it.Set = set
		return b.Put([]byte(key), encodeItem(it))
	})
	if err != nil {
		return nil, false, err
	}
	return slices.Clone(set), ok, nil
}

// Delete removes the items at keys; missing ones are not an error.
func (s *Store) Delete(ctx context.Context, keys ...string) error {
	_, err := s.remove(keys)
	return err
}

// remove is Delete that also says how many items were there to delete.
func (s *Store) remove(keys []string) (n int, err error) {
	err = s.db.Update(func(tx *bolt.Tx) error {
		n = 0
		b := tx.Bucket(itemsBucket)
		for _, k := range keys {
			if _, ok, err := s.read(b, k); err != nil {
				return err
			} else if ok {
				n++
			}
			if err := b.Delete([]byte(k)); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}

// List returns the unexpired items whose keys start with prefix, in key
// order. rt's keys all start with "<execution>/".
func (s *Store) List(prefix string) ([]rt.Item, error) {
	var items []rt.Item
	err := s.db.View(func(tx *bolt.Tx) error {
		return s.scan(tx, prefix, func(it rt.Item) { items = append(items, it) })
	})
	return items, err
}

// Count counts the unexpired items whose keys start with prefix, and how
// many of them are execution status records.
func (s *Store) Count(prefix string) (items, statuses int, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		return s.scan(tx, prefix, func(it rt.Item) {
			items++
			if strings.HasSuffix(it.Key, "/status") {
				statuses++
			}
		})
	})
	return items, statuses, err
}

// Status returns the outcome of an execution, or nil if it has none yet.
func (s *Store) Status(execution string) (*rt.Status, error) {
	key := rt.StatusKey(execution)
	got, err := s.Get(context.Background(), key)
	if err != nil {
		return nil, err
	}
	it, ok := got[key]
	if !ok {
		return nil, nil
	}
	var st rt.Status
	if err := json.Unmarshal(it.Value, &st); err != nil {
		return nil, fmt.Errorf("status record %s: %v", key, err)
	}
	return &st, nil
}

// Sweep deletes expired items and returns how many there were. Reads treat
// them as absent already; sweeping only reclaims the space.
func (s *Store) Sweep() (int, error) {
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		n = 0
		b := tx.Bucket(itemsBucket)
		var dead [][]byte
		now := s.now()
		err := b.ForEach(func(k, v []byte) error {
			it, err := decodeItem(k, v)
			if err == nil && expired(it, now) {
				dead = append(dead, bytes.Clone(k))
			}
			return err
		})
		if err != nil {
			return err
		}
		// Deleting while iterating would skip keys: bbolt's cursor moves.
		for _, k := range dead {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		n = len(dead)
		return nil
	})
	return n, err
}

func (s *Store) scan(tx *bolt.Tx, prefix string, f func(rt.Item)) error {
	c := tx.Bucket(itemsBucket).Cursor()
	p := []byte(prefix)
	now := s.now()
	for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
		it, err := decodeItem(k, v)
		if err != nil {
			return err
		}
		if !expired(it, now) {
			f(it)
		}
	}
	return nil
}

// read returns the item at key unless it is missing or expired.
func (s *Store) read(b *bolt.Bucket, key string) (rt.Item, bool, error) {
	v := b.Get([]byte(key))
	if v == nil {
		return rt.Item{}, false, nil
	}
	it, err := decodeItem([]byte(key), v)
	if err != nil || expired(it, s.now()) {
		return rt.Item{}, false, err
	}
	return it, true, nil
}

func expired(it rt.Item, now time.Time) bool {
	return !it.Expires.IsZero() && !now.Before(it.Expires)
}

func normalize(set []string) []string {
	if len(set) == 0 {
		return nil
	}
	set = slices.Clone(set)
	slices.Sort(set)
	return slices.Compact(set)
}

// An item is stored as: format byte 1, expiry in Unix nanoseconds (0 for
// never) as a varint, the value and each set member as uvarint-length
// prefixed bytes. A binary form keeps values (JSON documents) unescaped.
const itemFormat = 1

func encodeItem(it rt.Item) []byte {
	buf := []byte{itemFormat}
	var exp int64
	if !it.Expires.IsZero() {
		exp = it.Expires.UnixNano()
	}
	buf = binary.AppendVarint(buf, exp)
	buf = binary.AppendUvarint(buf, uint64(len(it.Value)))
	buf = append(buf, it.Value...)
	buf = binary.AppendUvarint(buf, uint64(len(it.Set)))
	for _, m := range it.Set {
		buf = binary.AppendUvarint(buf, uint64(len(m)))
		buf = append(buf, m...)
	}
	return buf
}

// decodeItem copies what it needs: bbolt's memory is valid only within the
// transaction.
func decodeItem(key, v []byte) (rt.Item, error) {
	it := rt.Item{Key: string(key)}
	bad := fmt.Errorf("state: item %q is corrupt", key)
	if len(v) == 0 || v[0] != itemFormat {
		return it, bad
	}
	v = v[1:]
	exp, n := binary.Varint(v)
	if n <= 0 {
		return it, bad
	}
	v = v[n:]
	if exp != 0 {
		it.Expires = time.Unix(0, exp).UTC()
	}
	bytesField := func() ([]byte, bool) {
		l, n := binary.Uvarint(v)
		if n <= 0 || uint64(len(v)-n) < l {
			return nil, false
		}
		b := v[n : n+int(l)]
		v = v[n+int(l):]
		return b, true
	}
	val, ok := bytesField()
	if !ok {
		return it, bad
	}
	if len(val) > 0 {
		it.Value = bytes.Clone(val)
	}
	count, n := binary.Uvarint(v)
	if n <= 0 || count > uint64(len(v)) {
		return it, bad
	}
	v = v[n:]
	for range count {
		m, ok := bytesField()
		if !ok {
			return it, bad
		}
		it.Set = append(it.Set, string(m))
	}
	return it, nil
}
