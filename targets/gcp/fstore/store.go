package fstore

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"

	"cloud.google.com/go/firestore"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/unumc/unumc/rt"
)

// Field names of a record's document.
const (
	FieldKey     = "key"     // the record's key, unescaped, for people reading the console
	FieldValue   = "value"   // bytes
	FieldSet     = "set"     // array of strings
	FieldExpires = "expires" // timestamp; the field of the TTL policy
)

// Store is an rt.Store on one Firestore collection.
type Store struct {
	c    *firestore.Client
	coll *firestore.CollectionRef
	now  func() time.Time
}

var _ rt.Store = (*Store)(nil)

// New returns the Store of collection on client.
func New(client *firestore.Client, collection string) *Store {
	return &Store{c: client, coll: client.Collection(collection), now: time.Now}
}

// DocID is the document ID of a record key: the key path-escaped, since
// document IDs cannot hold '/'.
func DocID(key string) string { return url.PathEscape(key) }

// KeyOf is the record key of a document ID.
func KeyOf(id string) (string, error) { return url.PathUnescape(id) }

func (s *Store) doc(key string) *firestore.DocumentRef { return s.coll.Doc(DocID(key)) }

// Get reads the unexpired items among keys in one request.
func (s *Store) Get(ctx context.Context, keys ...string) (map[string]rt.Item, error) {
	got := map[string]rt.Item{}
	if len(keys) == 0 {
		return got, nil
	}
	refs := make([]*firestore.DocumentRef, 0, len(keys))
	seen := map[string]bool{}
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			refs = append(refs, s.doc(k))
		}
	}
	snaps, err := s.c.GetAll(ctx, refs)
	if err != nil {
		return nil, fmt.Errorf("firestore get: %w", err)
	}
	for _, snap := range snaps {
		if !snap.Exists() {
			continue
		}
		it, err := s.item(snap)
		if err != nil {
			return nil, err
		}
		if s.live(it) {
			got[it.Key] = it
		}
	}
	return got, nil
}

// Create writes it unless an unexpired item with its key exists, which it
// then returns.
func (s *Store) Create(ctx context.Context, it rt.Item) (*rt.Item, error) {
	ref := s.doc(it.Key)
	data := map[string]any{FieldKey: it.Key}
	if it.Value != nil {
		data[FieldValue] = it.Value
	}
	if len(it.Set) > 0 {
		data[FieldSet] = normalize(it.Set)
	}
	if !it.Expires.IsZero() {
		data[FieldExpires] = it.Expires
	}
	// Two rounds at most: the second after deleting an expired document
	// that the TTL policy has not removed yet.
	for range 2 {
		_, err := ref.Create(ctx, data)
		if err == nil {
			return nil, nil
		}
		if status.Code(err) != codes.AlreadyExists {
			return nil, fmt.Errorf("firestore create %s: %w", it.Key, err)
		}
		snap, err := ref.Get(ctx)
		if status.Code(err) == codes.NotFound {
			continue // deleted since: try again
		}
		if err != nil {
			return nil, fmt.Errorf("firestore create %s: reading the existing item: %w", it.Key, err)
		}
		old, err := s.item(snap)
		if err != nil {
			return nil, err
		}
		if s.live(old) {
			return &old, nil
		}
		// Expired: delete exactly that version, so that a live item
		// written meanwhile by another run is not lost.
		if _, err := ref.Delete(ctx, firestore.LastUpdateTime(snap.UpdateTime)); err != nil && status.Code(err) != codes.FailedPrecondition {
			return nil, fmt.Errorf("firestore create %s: deleting the expired item: %w", it.Key, err)
		}
	}
	return nil, fmt.Errorf("firestore create %s: the item keeps changing", it.Key)
}

// Add adds member to the set of the item at key, if it exists, and returns
// the set after the addition, sorted: an Update with an array union, which
// fails when the document does not exist, then a read.
//
// When the read finds a later update time than the write's, another
// addition committed in between, and the read set holds its member, which
// the set after this addition did not (members never repeat an index with
// another string). Then this addition did not complete the set, and Add
// returns the one set it knows to be below the set after this addition:
// {member}. So of the branches that finish together only the one whose
// addition completed the set sees it complete and invokes the join, as
// with a transaction, at two requests instead of three and no retries. An
// addition that changed nothing (a duplicate) gets the previous update
// time, and like any duplicate may see the complete set again.
func (s *Store) Add(ctx context.Context, key, member string) ([]string, bool, error) {
	ref := s.doc(key)
	wr, err := ref.Update(ctx, []firestore.Update{{Path: FieldSet, Value: firestore.ArrayUnion(member)}})
	if status.Code(err) == codes.NotFound {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("firestore add to %s: %w", key, err)
	}
	snap, err := ref.Get(ctx)
	if status.Code(err) == codes.NotFound {
		// The join collected the set between the two requests: for the
		// caller this is the same as finding it gone.
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("firestore add to %s: reading the set: %w", key, err)
	}
	it, err := s.item(snap)
	if err != nil {
		return nil, false, err
	}
	if !s.live(it) {
		return nil, false, nil
	}
	if !snap.UpdateTime.Equal(wr.UpdateTime) {
		return []string{member}, true, nil
	}
	return it.Set, true, nil
}

// bulkMax is the most writes the BulkWriter sends in one BatchWrite.
const bulkMax = 20

// Delete removes the items at keys; missing ones are not an error.
func (s *Store) Delete(ctx context.Context, keys ...string) error {
	keys = normalize(slices.Clone(keys))
	switch len(keys) {
	case 0:
		return nil
	case 1:
		if _, err := s.doc(keys[0]).Delete(ctx); err != nil {
			return fmt.Errorf("firestore delete %s: %w", keys[0], err)
		}
		return nil
	}
	bw := s.c.BulkWriter(ctx)
	jobs := make([]*firestore.BulkWriterJob, len(keys))
	for i, k := range keys {
		j, err := bw.Delete(s.doc(k))
		if err != nil {
			bw.End()
			return fmt.Errorf("firestore delete %s: %w", k, err)
		}
		jobs[i] = j
	}
	bw.End()
	var errs []error
	for i, j := range jobs {
		if _, err := j.Results(); err != nil {
			errs = append(errs, fmt.Errorf("firestore delete %s: %w", keys[i], err))
		}
	}
	return errors.Join(errs...)
}

// DeleteRequests is how many Firestore requests Delete makes for n keys.
func DeleteRequests(n int) int {
	if n <= 1 {
		return n
	}
	return (n + bulkMax - 1) / bulkMax
}

func (s *Store) live(it rt.Item) bool {
	return it.Expires.IsZero() || s.now().Before(it.Expires)
}

// item decodes a document. The key comes from the document ID, which is
// authoritative; the key field is for readers.
func (s *Store) item(snap *firestore.DocumentSnapshot) (rt.Item, error) {
	key, err := KeyOf(snap.Ref.ID)
	if err != nil {
		return rt.Item{}, fmt.Errorf("firestore: document %q is not an unumc record: %v", snap.Ref.ID, err)
	}
	it := rt.Item{Key: key}
	d := snap.Data()
	if v, ok := d[FieldValue]; ok && v != nil {
		b, ok := v.([]byte)
		if !ok {
			return it, fmt.Errorf("firestore: %s: field %s is %T, want bytes", key, FieldValue, v)
		}
		it.Value = b
	}
	if v, ok := d[FieldSet]; ok && v != nil {
		arr, ok := v.([]any)
		if !ok {
			return it, fmt.Errorf("firestore: %s: field %s is %T, want an array", key, FieldSet, v)
		}
		for _, m := range arr {
			ms, ok := m.(string)
			if !ok {
				return it, fmt.Errorf("firestore: %s: set member %v is %T, want a string", key, m, m)
			}
			it.Set = append(it.Set, ms)
		}
		it.Set = normalize(it.Set)
	}
	if v, ok := d[FieldExpires]; ok && v != nil {
		t, ok := v.(time.Time)
		if !ok {
			return it, fmt.Errorf("firestore: %s: field %s is %T, want a timestamp", key, FieldExpires, v)
		}
		it.Expires = t
	}
	return it, nil
}

// List returns the unexpired items of the collection whose keys start with
// prefix, in key order. It reads the whole collection: it is for tests and
// tools looking at a workflow's own collection, never for node programs.
func (s *Store) List(ctx context.Context, prefix string) ([]rt.Item, error) {
	docs, err := s.coll.Documents(ctx).GetAll()
	if err != nil {
		return nil, fmt.Errorf("firestore list: %w", err)
	}
	var out []rt.Item
	for _, snap := range docs {
		it, err := s.item(snap)
		if err != nil {
			return nil, err
		}
		if len(it.Key) >= len(prefix) && it.Key[:len(prefix)] == prefix && s.live(it) {
			out = append(out, it)
		}
	}
	slices.SortFunc(out, func(a, b rt.Item) int {
		switch {
		case a.Key < b.Key:
			return -1
		case a.Key > b.Key:
			return 1
		}
		return 0
	})
	return out, nil
}

// normalize sorts a set and removes duplicates.
func normalize(set []string) []string {
	slices.Sort(set)
	return slices.Compact(set)
}
