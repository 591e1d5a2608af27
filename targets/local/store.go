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
	"sort"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/unumc/unumc/rt"
)

// The buckets of a state file.
var (
	itemsBucket = []byte("items") // the records of rt.Store
	queueBucket = []byte("queue") // invocations accepted and not yet done
	deadBucket  = []byte("dead")  // invocations that failed every attempt
	metaBucket  = []byte("meta")  // journalKey: the last journal record the file holds
)

var journalKey = []byte("journal")

// buckets number the buckets in journal records.
var buckets = [][]byte{itemsBucket, queueBucket, deadBucket}

// Store is an rt.Store kept in one bbolt file, which also holds the runner's
// invocation queue, so that an accepted invocation and the records it
// depends on survive a crash of the runner together.
//
// Requests take effect in memory, one at a time in the order they come, and
// reach the file in batches: a batch is one record of the store's journal,
// and so one sync, holding every request that came while the batch before
// it was being written (group commit); bbolt gets the journalled batches
// soon after, several in one transaction (see journal). "The file" below
// is bbolt's file and the journal's records after it. The store is
// strongly consistent: every request sees the effect of every request
// before it. What is in the file is always the state after some prefix of
// the requests, never a later request without an earlier one.
//
// A Create or an Add returns once its batch is synced, as does a read that
// returns a record whose batch is not yet synced: a result is durable before
// anyone can act on it, so no user function ever runs on a result that a
// crash could take back. (The runner's node processes get a new record's
// reply at once, while its batch is written: a node acts on its own commit
// only by invoking, and the runner delivers those invocations once the
// batch is synced; see create.) A delete and the queue's changes (an invocation
// accepted, done, or failed) return at once, and are synced with the next
// batch — a Create's or an Add's, or the one written DeferFor after them.
// That is safe because of the prefix: a crash of the runner that loses them
// loses every request after them too, and leaves the state as it was at an
// instant the protocol already survives, the crash of the runner just
// before them (a lost delete is a collection not yet done; a lost
// invocation is one whose sender's delivery is not done either, since that
// comes later, so the sender is delivered again and invokes again; a lost
// "done" is a delivery made again). It saves a sync of the file at each of
// them: a chain transition costs one instead of four.
type Store struct {
	db  *bolt.DB
	now func() time.Time // for expiry

	wmu     sync.Mutex // held while a batch is journalled
	log     *journal
	logged  uint64     // the last journal record written; under wmu and mu
	amu     sync.Mutex // held while journalled batches are written to bbolt
	kick    chan struct{}
	quit    chan struct{} // closed by Close
	stopped chan struct{} // closed when the applier has stopped

	mu        sync.Mutex
	dirty     map[dirtyKey]*change // requests not yet in bbolt, latest per record
	fresh     []write              // the changes not yet journalled, in order
	unapplied []batch              // batches journalled and not yet in bbolt, oldest first
	applied   uint64               // the last journal record bbolt holds
	seq       uint64               // the queue's last sequence number
	version   uint64               // requests that changed something, so far
	synced    uint64               // the version that is durable (journalled)
	err       error                // a batch failed: the store takes no more requests
	timer     *time.Timer          // writes deferred changes when no synchronous request comes
	closed    bool
}

// batch is the changes of one journal record.
type batch struct {
	record uint64 // the journal record's sequence number
	seq    uint64 // the queue's sequence number
	writes []write
}

type write struct {
	k dirtyKey
	c *change
}

// ApplyAfter is how long journalled batches wait to be written to bbolt
// together.
const ApplyAfter = 20 * time.Millisecond

// DeferFor bounds how long a change that returned without waiting — a
// delete, an invocation accepted or done — stays out of the file when no
// Create or Add comes to write it sooner.
const DeferFor = 10 * time.Millisecond

type dirtyKey struct {
	bucket string
	key    string
}

// change is the latest state of one record that the file does not have yet.
type change struct {
	item    *rt.Item // in the items bucket: the record; nil when deleted
	raw     []byte   // in the other buckets: the value; nil when deleted
	version uint64
}

func (c *change) deleted() bool { return c.item == nil && c.raw == nil }

var _ rt.Store = (*Store)(nil)

// StorePath is the state file of a workflow: <stateDir>/<workflow>.db.
func StorePath(stateDir, workflow string) string {
	return filepath.Join(stateDir, workflow+".db")
}

// errInUse is a state file locked by another runner.
var errInUse = errors.New("in use by another unumc run")

// errClosed is a request after Close.
var errClosed = errors.New("state: closed")

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
	var seq, applied uint64
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range append(buckets, metaBucket) {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		seq = tx.Bucket(queueBucket).Sequence()
		if v := tx.Bucket(metaBucket).Get(journalKey); len(v) == 8 {
			applied = binary.BigEndian.Uint64(v)
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open state %s: %w", path, err)
	}
	log, records, err := openJournal(JournalPath(path))
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open state %s: %w", path, err)
	}
	s := &Store{db: db, now: time.Now, dirty: map[dirtyKey]*change{}, seq: seq,
		log: log, logged: applied, applied: applied, kick: make(chan struct{}, 1), quit: make(chan struct{}), stopped: make(chan struct{})}
	// Replay the batches journalled after the last that bbolt holds.
	for _, r := range records {
		b, err := decodeBatch(r)
		if err != nil {
			s.closeFiles()
			return nil, fmt.Errorf("open state %s: journal: %w", path, err)
		}
		if b.record > applied {
			if b.record != s.logged+1 {
				// A gap: the journal is not the one this file was
				// written with, and replaying it would not be a prefix.
				s.closeFiles()
				return nil, fmt.Errorf("open state %s: its journal's record %d does not follow record %d, the last the state file holds; if the state file was replaced on purpose, remove %s",
					path, b.record, s.logged, JournalPath(path))
			}
			s.unapplied = append(s.unapplied, b)
			s.logged = b.record
			s.seq = max(s.seq, b.seq)
		}
	}
	if err := s.apply(); err != nil {
		s.closeFiles()
		return nil, fmt.Errorf("open state %s: %w", path, err)
	}
	go s.applier()
	return s, nil
}

func (s *Store) closeFiles() error {
	return errors.Join(s.log.close(), s.db.Close())
}

// Close writes what is not yet in the file and closes it.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
	}
	v := s.version
	s.mu.Unlock()
	err := s.sync(v)
	s.mu.Lock()
	s.closed = true
	close(s.quit)
	close(s.kick)
	s.mu.Unlock()
	<-s.stopped
	if err == nil {
		err = s.apply()
	}
	if err == nil {
		// bbolt has every record: leave an empty journal, which goes with
		// any state file (one removed to start afresh included).
		err = s.log.empty()
	}
	return errors.Join(err, s.closeFiles())
}

// Flush returns once every request so far is durable.
func (s *Store) Flush() error {
	s.mu.Lock()
	v := s.version
	s.mu.Unlock()
	return s.sync(v)
}

// sync returns once version v is durable: it journals a batch of every
// change so far unless a batch being journalled, or journalled already,
// has it. Callers that come while a batch is journalled wait for it on
// wmu, and the first of them then journals the next batch for them all.
func (s *Store) sync(v uint64) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.mu.Lock()
	if s.synced >= v || s.err != nil || s.closed {
		err := s.err
		if err == nil && s.synced < v {
			err = errClosed
		}
		s.mu.Unlock()
		return err
	}
	b := batch{record: s.logged + 1, seq: s.seq}
	for _, w := range s.fresh {
		if s.dirty[w.k] == w.c { // else a later change replaced it
			b.writes = append(b.writes, w)
		}
	}
	s.fresh = nil
	top := s.version
	s.mu.Unlock()

	payload := encodeBatch(b)
	if s.log.full(len(payload)) {
		// bbolt has fallen far behind: let it catch up, so that the next
		// record can go at the start.
		if err := s.apply(); err != nil {
			return err
		}
		s.restartIfApplied()
	}
	// Changes are never modified once made (a later request replaces them),
	// so the batch is read without the lock.
	err := s.log.append(payload)

	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		// What is durable is still a prefix; the requests after it are
		// lost, as in a crash, and the run must stop.
		s.err = fmt.Errorf("state: writing to %s: %w", JournalPath(s.db.Path()), err)
		return s.err
	}
	s.logged = b.record
	s.unapplied = append(s.unapplied, b)
	s.synced = top
	select {
	case s.kick <- struct{}{}:
	default:
	}
	return nil
}

// applier writes journalled batches to bbolt as they come, and lets the
// journal start over whenever bbolt has them all, until Close.
func (s *Store) applier() {
	defer close(s.stopped)
	for range s.kick {
		// Let batches gather: one bbolt commit (two syncs) for all of
		// them, rather than one each, whose syncs would queue on the disk
		// ahead of the journal's.
		select {
		case <-time.After(ApplyAfter):
		case <-s.quit:
		}
		if s.apply() != nil {
			return // the store takes no more requests
		}
		s.wmu.Lock()
		s.restartIfApplied()
		s.wmu.Unlock()
	}
}

// restartIfApplied lets the next journal record go at the start of the
// file if bbolt holds every record written; s.wmu is held.
func (s *Store) restartIfApplied() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.applied == s.logged {
		s.log.restart()
	}
}

// apply writes the journalled batches to bbolt in one transaction, with
// the number of the last, and then forgets their changes (a read of a
// record no change holds goes to bbolt).
func (s *Store) apply() error {
	s.amu.Lock()
	defer s.amu.Unlock()
	s.mu.Lock()
	todo := s.unapplied
	s.mu.Unlock()
	if len(todo) == 0 {
		return nil
	}
	last := todo[len(todo)-1]
	err := s.db.Update(func(tx *bolt.Tx) error {
		for _, b := range todo {
			for _, w := range b.writes {
				bk := tx.Bucket([]byte(w.k.bucket))
				var err error
				switch {
				case w.c.deleted():
					err = bk.Delete([]byte(w.k.key))
				case w.c.item != nil:
					err = bk.Put([]byte(w.k.key), encodeItem(*w.c.item))
				default:
					err = bk.Put([]byte(w.k.key), w.c.raw)
				}
				if err != nil {
					return err
				}
			}
		}
		if q := tx.Bucket(queueBucket); q.Sequence() < last.seq {
			if err := q.SetSequence(last.seq); err != nil {
				return err
			}
		}
		return tx.Bucket(metaBucket).Put(journalKey, binary.BigEndian.AppendUint64(nil, last.record))
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		if s.err == nil {
			s.err = fmt.Errorf("state: writing to %s: %w", s.db.Path(), err)
		}
		return s.err
	}
	s.unapplied = s.unapplied[len(todo):]
	for _, b := range todo {
		for _, w := range b.writes {
			if s.dirty[w.k] == w.c {
				delete(s.dirty, w.k)
			}
		}
	}
	s.applied = last.record
	return nil
}

// A journal record's payload: its sequence number, the queue's, the
// number of writes, and each write as its bucket's number, its key, and a
// value (an encoded item, or the raw value of the other buckets) or, for a
// delete, none: a 0 byte where a put has 1 and the value's length.
func encodeBatch(b batch) []byte {
	buf := binary.AppendUvarint(nil, b.record)
	buf = binary.AppendUvarint(buf, b.seq)
	buf = binary.AppendUvarint(buf, uint64(len(b.writes)))
	for _, w := range b.writes {
		buf = append(buf, byte(slices.IndexFunc(buckets, func(bk []byte) bool { return string(bk) == w.k.bucket })))
		buf = binary.AppendUvarint(buf, uint64(len(w.k.key)))
		buf = append(buf, w.k.key...)
		var v []byte
		switch {
		case w.c.deleted():
			buf = append(buf, 0)
			continue
		case w.c.item != nil:
			v = encodeItem(*w.c.item)
		default:
			v = w.c.raw
		}
		buf = append(buf, 1)
		buf = binary.AppendUvarint(buf, uint64(len(v)))
		buf = append(buf, v...)
	}
	return buf
}

func decodeBatch(p []byte) (batch, error) {
	f := fields{p: p, ok: true}
	b := batch{record: f.uvarint(), seq: f.uvarint()}
	count := f.uvarint()
	if count > uint64(len(f.p)) {
		f.ok = false
	}
	for i := uint64(0); f.ok && i < count; i++ {
		bucket := int(f.byte())
		key := f.bytes()
		put := f.byte() == 1
		if bucket >= len(buckets) {
			f.ok = false
		}
		if !f.ok {
			break
		}
		c := &change{}
		if put {
			v := f.bytes()
			if bytes.Equal(buckets[bucket], itemsBucket) {
				it, err := decodeItem(key, v)
				if err != nil {
					return b, err
				}
				c.item = &it
			} else {
				c.raw = bytes.Clone(v)
			}
		}
		b.writes = append(b.writes, write{dirtyKey{string(buckets[bucket]), string(key)}, c})
	}
	if !f.ok || len(f.p) != 0 {
		return b, errors.New("a record is corrupt")
	}
	return b, nil
}

// change records a request's effect on a record; s.mu is held.
func (s *Store) change(bucket []byte, key string, c *change) uint64 {
	s.version++
	c.version = s.version
	k := dirtyKey{string(bucket), key}
	s.dirty[k] = c
	s.fresh = append(s.fresh, write{k, c})
	return s.version
}

// later arranges for deferred changes to be written within DeferFor; s.mu is
// held.
func (s *Store) later() {
	if s.timer != nil || s.closed {
		return
	}
	s.timer = time.AfterFunc(DeferFor, func() {
		s.mu.Lock()
		s.timer = nil
		v := s.version
		s.mu.Unlock()
		s.sync(v) // an error stops every later request
	})
}

// usable reports why the store takes no requests; s.mu is held.
func (s *Store) usable() error {
	if s.closed {
		return errClosed
	}
	return s.err
}

// read returns the unexpired item at key and the version of the change it
// came from, 0 if it is in the file; s.mu is held.
func (s *Store) read(key string) (it rt.Item, ok bool, version uint64, err error) {
	if c, found := s.dirty[dirtyKey{string(itemsBucket), key}]; found {
		if c.deleted() || expired(*c.item, s.now()) {
			return rt.Item{}, false, c.version, nil
		}
		return *c.item, true, c.version, nil
	}
	err = s.db.View(func(tx *bolt.Tx) error {
		it, ok, err = s.readFile(tx.Bucket(itemsBucket), key)
		return err
	})
	return it, ok, 0, err
}

// readFile returns the item at key in the file unless it is missing or
// expired.
func (s *Store) readFile(b *bolt.Bucket, key string) (rt.Item, bool, error) {
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

// Get reads the items that exist among keys.
func (s *Store) Get(ctx context.Context, keys ...string) (map[string]rt.Item, error) {
	got := map[string]rt.Item{}
	s.mu.Lock()
	if err := s.usable(); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	var wait uint64 // what was read must be durable before it is acted on
	var fromFile []string
	for _, k := range keys {
		c, found := s.dirty[dirtyKey{string(itemsBucket), k}]
		if !found {
			fromFile = append(fromFile, k)
			continue
		}
		wait = max(wait, c.version)
		if !c.deleted() && !expired(*c.item, s.now()) {
			got[k] = *c.item
		}
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(itemsBucket)
		for _, k := range fromFile {
			it, ok, err := s.readFile(b, k)
			if err != nil {
				return err
			}
			if ok {
				got[k] = it
			}
		}
		return nil
	})
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if err := s.sync(wait); err != nil {
		return nil, err
	}
	return got, nil
}

// Create writes it unless an unexpired item with its key exists, which it
// then returns.
func (s *Store) Create(ctx context.Context, it rt.Item) (*rt.Item, error) {
	existing, v, err := s.create(it)
	if err == nil {
		err = s.sync(v)
	}
	return existing, err
}

// create is Create that returns without waiting for a new item to reach
// the file, with the version the file must hold for it to be there (0 when
// nothing changed). A node's create replies so, after writeSoon, and the
// runner holds back the invocations the node sends after it until the
// file has that version (see entry.after): the sync overlaps the node's
// next requests instead of delaying them, and no one acts on the result
// before it is durable. An existing item is a read, and waits as Get does.
func (s *Store) create(it rt.Item) (existing *rt.Item, v uint64, err error) {
	s.mu.Lock()
	if err := s.usable(); err != nil {
		s.mu.Unlock()
		return nil, 0, err
	}
	old, ok, v, err := s.read(it.Key)
	if err != nil {
		s.mu.Unlock()
		return nil, 0, err
	}
	if ok {
		s.mu.Unlock()
		if err := s.sync(v); err != nil {
			return nil, 0, err
		}
		return &old, 0, nil
	}
	it.Set = normalize(it.Set)
	it.Value = bytes.Clone(it.Value)
	v = s.change(itemsBucket, it.Key, &change{item: &it})
	s.mu.Unlock()
	return nil, v, nil
}

// Add adds member to the set of the item at key and returns the set, sorted;
// ok is false when there is no such item.
func (s *Store) Add(ctx context.Context, key, member string) (set []string, ok bool, err error) {
	set, ok, v, err := s.add(key, member)
	if err == nil {
		err = s.sync(v)
	}
	if err != nil {
		return nil, false, err
	}
	return set, ok, nil
}

// add is Add that, like create, returns without waiting for its change to
// reach the file, with the version the file must hold for it. An addition
// that changes nothing is a read, and waits as Get does.
func (s *Store) add(key, member string) (set []string, ok bool, v uint64, err error) {
	s.mu.Lock()
	if err := s.usable(); err != nil {
		s.mu.Unlock()
		return nil, false, 0, err
	}
	it, ok, v, err := s.read(key)
	if err != nil {
		s.mu.Unlock()
		return nil, false, 0, err
	}
	changed := false
	if ok {
		i, present := slices.BinarySearch(it.Set, member)
		if !present {
			// A new slice: the old one may be in a reply being sent.
			set = make([]string, 0, len(it.Set)+1)
			set = append(append(append(set, it.Set[:i]...), member), it.Set[i:]...)
			it.Set = set
			v = s.change(itemsBucket, key, &change{item: &it})
			changed = true
		}
		set = slices.Clone(it.Set)
	}
	s.mu.Unlock()
	if !changed {
		if err := s.sync(v); err != nil {
			return nil, false, 0, err
		}
		return set, ok, 0, nil
	}
	return set, true, v, nil
}

// writeSoon starts writing the batch that holds version v, if the file
// does not have it yet, without waiting for it: for create and add, whose
// callers wait for it later (waitFor) or not at all.
func (s *Store) writeSoon(v uint64) {
	s.mu.Lock()
	done := s.synced >= v
	s.mu.Unlock()
	if !done {
		go s.sync(v) // an error stops every later request
	}
}

// waitFor returns once the file holds version v.
func (s *Store) waitFor(v uint64) error {
	s.mu.Lock()
	done, err := s.synced >= v, s.err
	s.mu.Unlock()
	if err != nil || done {
		return err
	}
	return s.sync(v)
}

// Delete removes the items at keys; missing ones are not an error.
func (s *Store) Delete(ctx context.Context, keys ...string) error {
	_, err := s.remove(keys)
	return err
}

// remove is Delete that also says how many items were there to delete. It
// returns before the deletes are in the file (see Store).
func (s *Store) remove(keys []string) (n int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(); err != nil {
		return 0, err
	}
	for _, k := range keys {
		_, ok, _, err := s.read(k)
		if err != nil {
			return 0, err
		}
		if ok {
			n++
		}
		s.change(itemsBucket, k, &change{})
	}
	s.later()
	return n, nil
}

// putRaw and deleteRaw change a record of the queue or the dead bucket,
// returning before the change is in the file; s.mu is held.
func (s *Store) putRaw(bucket []byte, key string, value []byte) {
	s.change(bucket, key, &change{raw: value})
	s.later()
}

func (s *Store) deleteRaw(bucket []byte, key string) {
	s.change(bucket, key, &change{})
	s.later()
}

// scan calls f with the value of every record of bucket whose key starts
// with prefix, in key order, with the changes not yet in the file applied;
// s.mu is held. The values are valid only during f.
func (s *Store) scan(bucket []byte, prefix string, f func(key string, value []byte, item *rt.Item) error) error {
	type rec struct {
		key   string
		value []byte
		item  *rt.Item
	}
	var recs []rec
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucket).Cursor()
		p := []byte(prefix)
		for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
			if _, changed := s.dirty[dirtyKey{string(bucket), string(k)}]; !changed {
				recs = append(recs, rec{key: string(k), value: bytes.Clone(v)})
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for k, c := range s.dirty {
		if k.bucket == string(bucket) && strings.HasPrefix(k.key, prefix) && !c.deleted() {
			recs = append(recs, rec{key: k.key, value: c.raw, item: c.item})
		}
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].key < recs[j].key })
	for _, r := range recs {
		if err := f(r.key, r.value, r.item); err != nil {
			return err
		}
	}
	return nil
}

// scanItems calls f with every unexpired item whose key starts with
// prefix, in key order; s.mu is held.
func (s *Store) scanItems(prefix string, f func(rt.Item)) error {
	now := s.now()
	return s.scan(itemsBucket, prefix, func(key string, value []byte, item *rt.Item) error {
		it := item
		if it == nil {
			decoded, err := decodeItem([]byte(key), value)
			if err != nil {
				return err
			}
			it = &decoded
		}
		if !expired(*it, now) {
			f(*it)
		}
		return nil
	})
}

// List returns the unexpired items whose keys start with prefix, in key
// order. rt's keys all start with "<execution>/".
func (s *Store) List(prefix string) ([]rt.Item, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var items []rt.Item
	err := s.scanItems(prefix, func(it rt.Item) { items = append(items, it) })
	return items, err
}

// Count counts the unexpired items whose keys start with prefix, and how
// many of them are execution status records.
func (s *Store) Count(prefix string) (items, statuses int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	err = s.scanItems(prefix, func(it rt.Item) {
		items++
		if strings.HasSuffix(it.Key, "/status") {
			statuses++
		}
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
	s.mu.Lock()
	if err := s.usable(); err != nil {
		s.mu.Unlock()
		return 0, err
	}
	now := s.now()
	var dead []string
	err := s.scan(itemsBucket, "", func(key string, value []byte, item *rt.Item) error {
		if item == nil {
			it, err := decodeItem([]byte(key), value)
			if err != nil {
				return err
			}
			item = &it
		}
		if expired(*item, now) {
			dead = append(dead, key)
		}
		return nil
	})
	for _, k := range dead {
		s.change(itemsBucket, k, &change{})
	}
	v := s.version
	s.mu.Unlock()
	if err != nil {
		return 0, err
	}
	return len(dead), s.sync(v)
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
	n := 1 + binary.MaxVarintLen64 + binary.MaxVarintLen64 + len(it.Value) + binary.MaxVarintLen64
	for _, m := range it.Set {
		n += binary.MaxVarintLen64 + len(m)
	}
	buf := make([]byte, 1, n)
	buf[0] = itemFormat
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
	f := fields{p: v, ok: true}
	if f.byte() != itemFormat {
		return it, fmt.Errorf("state: item %q is corrupt", key)
	}
	if exp := f.varint(); exp != 0 {
		it.Expires = time.Unix(0, exp).UTC()
	}
	if val := f.bytes(); len(val) > 0 {
		it.Value = bytes.Clone(val)
	}
	count := f.uvarint()
	if count > uint64(len(f.p)) {
		f.ok = false
	}
	for i := uint64(0); f.ok && i < count; i++ {
		it.Set = append(it.Set, string(f.bytes()))
	}
	if !f.ok {
		return rt.Item{Key: string(key)}, fmt.Errorf("state: item %q is corrupt", key)
	}
	return it, nil
}

// fields reads the varint-framed fields of an encoded item or journal
// record. ok turns false at the first field that is not there, and every
// read after it returns the zero value.
type fields struct {
	p  []byte
	ok bool
}

func (f *fields) byte() byte {
	if !f.ok || len(f.p) == 0 {
		f.ok = false
		return 0
	}
	b := f.p[0]
	f.p = f.p[1:]
	return b
}

func (f *fields) uvarint() uint64 {
	v, n := binary.Uvarint(f.p)
	if !f.skip(n) {
		return 0
	}
	return v
}

func (f *fields) varint() int64 {
	v, n := binary.Varint(f.p)
	if !f.skip(n) {
		return 0
	}
	return v
}

// skip consumes the n bytes a varint took, n <= 0 when there was none,
// and reports whether every field so far was there.
func (f *fields) skip(n int) bool {
	if !f.ok || n <= 0 {
		f.ok = false
		return false
	}
	f.p = f.p[n:]
	return true
}

// bytes reads a uvarint length and that many bytes, which alias the input.
func (f *fields) bytes() []byte {
	n := f.uvarint()
	if !f.ok || n > uint64(len(f.p)) {
		f.ok = false
		return nil
	}
	b := f.p[:n]
	f.p = f.p[n:]
	return b
}
