package local

import (
	"bytes"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/unumc/unumc/rt"
)

// entry is an invocation in the durable queue. It is written when a node's
// Invoke is accepted and removed only once a delivery of it has succeeded,
// so a runner that dies leaves exactly the invocations still owed; at least
// once delivery is what the protocol asks of the platform.
type entry struct {
	key      string       // <execution>/<sequence>: one execution's entries sort together, in order
	Env      *rt.Envelope `json:"env"`
	Attempts int          `json:"attempts"`        // failed deliveries so far
	Error    string       `json:"error,omitempty"` // in the dead bucket: the last failure
}

func queueKey(execution string, seq uint64) string {
	return fmt.Sprintf("%s/%016x", execution, seq)
}

func putEntry(b *bolt.Bucket, e *entry) error {
	v, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return b.Put([]byte(e.key), v)
}

func addEntry(tx *bolt.Tx, env *rt.Envelope) (*entry, error) {
	b := tx.Bucket(queueBucket)
	seq, err := b.NextSequence()
	if err != nil {
		return nil, err
	}
	e := &entry{key: queueKey(env.Execution, seq), Env: env}
	return e, putEntry(b, e)
}

// enqueue accepts an invocation.
func (s *Store) enqueue(env *rt.Envelope) (e *entry, err error) {
	err = s.db.Update(func(tx *bolt.Tx) error {
		e, err = addEntry(tx, env)
		return err
	})
	return e, err
}

// begin starts or joins an execution in one transaction. With a status
// record it returns the record: the execution has ended, and a start retried
// after the end must not run again. With invocations queued it does nothing:
// a runner stopped or killed mid-execution left them, and delivering them
// resumes it. Otherwise it enqueues the entry invocation env, which also
// re-drives an execution whose earlier run gave up on an instance, since
// every checkpoint before that instance is still there.
func (s *Store) begin(env *rt.Envelope) (st *rt.Status, err error) {
	err = s.db.Update(func(tx *bolt.Tx) error {
		st = nil
		key := rt.StatusKey(env.Execution)
		it, ok, err := s.read(tx.Bucket(itemsBucket), key)
		if err != nil {
			return err
		}
		if ok {
			st = new(rt.Status)
			if err := json.Unmarshal(it.Value, st); err != nil {
				return fmt.Errorf("status record %s: %v", key, err)
			}
			return nil
		}
		p := []byte(env.Execution + "/")
		if k, _ := tx.Bucket(queueBucket).Cursor().Seek(p); k != nil && bytes.HasPrefix(k, p) {
			return nil
		}
		_, err = addEntry(tx, env)
		return err
	})
	return st, err
}

// pending returns an execution's queued invocations, oldest first.
func (s *Store) pending(execution string) ([]*entry, error) {
	var es []*entry
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(queueBucket).Cursor()
		p := []byte(execution + "/")
		for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
			e := &entry{key: string(k)}
			if err := json.Unmarshal(v, e); err != nil {
				return fmt.Errorf("queue entry %s: %v", k, err)
			}
			es = append(es, e)
		}
		return nil
	})
	return es, err
}

// done removes an invocation that has been delivered successfully.
func (s *Store) done(e *entry) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(queueBucket).Delete([]byte(e.key))
	})
}

// failed records a failed delivery: the entry stays queued with its attempt
// count, or, when it has no attempts left, moves to the dead bucket with its
// last error, out of the way of a later resume.
func (s *Store) failed(e *entry, dead bool, cause error) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		if !dead {
			return putEntry(tx.Bucket(queueBucket), e)
		}
		e.Error = cause.Error()
		if err := tx.Bucket(queueBucket).Delete([]byte(e.key)); err != nil {
			return err
		}
		return putEntry(tx.Bucket(deadBucket), e)
	})
}
