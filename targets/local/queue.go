package local

import (
	"encoding/json"
	"fmt"

	"github.com/unumc/unumc/rt"
)

// entry is an invocation in the durable queue. It is written when a node's
// Invoke is accepted and removed only once a delivery of it has succeeded,
// so a runner that dies leaves the invocations still owed (or, if it died
// before the last changes reached the file, an earlier state; see Store);
// at least once delivery is what the protocol asks of the platform.
type entry struct {
	key      string       // <execution>/<sequence>: one execution's entries sort together, in order
	Env      *rt.Envelope `json:"env"`
	Attempts int          `json:"attempts"`        // failed deliveries so far
	Error    string       `json:"error,omitempty"` // in the dead bucket: the last failure

	// after is the store version the file must hold before the entry is
	// delivered: the sender's records, created or added to without
	// waiting for the file (Store.create), that the invocation's input
	// rests on. Zero for an entry read from the file.
	after uint64
}

func queueKey(execution string, seq uint64) string {
	return fmt.Sprintf("%s/%016x", execution, seq)
}

// addEntry queues env, encoded as value; s.mu is held.
func (s *Store) addEntry(env *rt.Envelope, value []byte) *entry {
	s.seq++
	e := &entry{key: queueKey(env.Execution, s.seq), Env: env}
	s.putRaw(queueBucket, e.key, value)
	return e
}

// enqueue accepts an invocation. It returns before the entry is in the
// file (see Store).
func (s *Store) enqueue(env *rt.Envelope) (*entry, error) {
	value, err := json.Marshal(&entry{Env: env}) // the key is not in the value
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(); err != nil {
		return nil, err
	}
	return s.addEntry(env, value), nil
}

// begin starts or joins an execution. With a status record it returns the
// record: the execution has ended, and a start retried after the end must
// not run again. With invocations queued it does nothing: a runner stopped
// or killed mid-execution left them, and delivering them resumes it.
// Otherwise it enqueues the entry invocation env, which also re-drives an
// execution whose earlier run gave up on an instance, since every
// checkpoint before that instance is still there. It returns once that is
// in the file.
func (s *Store) begin(env *rt.Envelope) (*rt.Status, error) {
	value, err := json.Marshal(&entry{Env: env})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if err := s.usable(); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	key := rt.StatusKey(env.Execution)
	it, ended, v, err := s.read(key)
	if err == nil && !ended {
		queued := false
		err = s.scan(queueBucket, env.Execution+"/", func(string, []byte, *rt.Item) error {
			queued = true
			return nil
		})
		if err == nil && !queued {
			s.addEntry(env, value)
			v = s.version
		}
	}
	s.mu.Unlock()
	if err == nil {
		err = s.sync(v)
	}
	if err != nil || !ended {
		return nil, err
	}
	st := new(rt.Status)
	if err := json.Unmarshal(it.Value, st); err != nil {
		return nil, fmt.Errorf("status record %s: %v", key, err)
	}
	return st, nil
}

// pending returns an execution's queued invocations, oldest first.
func (s *Store) pending(execution string) ([]*entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var es []*entry
	err := s.scan(queueBucket, execution+"/", func(key string, value []byte, _ *rt.Item) error {
		e := &entry{key: key}
		if err := json.Unmarshal(value, e); err != nil {
			return fmt.Errorf("queue entry %s: %v", key, err)
		}
		es = append(es, e)
		return nil
	})
	return es, err
}

// done removes an invocation that has been delivered successfully. It
// returns before that is in the file: losing it to a crash means one more
// delivery.
func (s *Store) done(e *entry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(); err != nil {
		return err
	}
	s.deleteRaw(queueBucket, e.key)
	return nil
}

// failed records a failed delivery: the entry stays queued with its attempt
// count, or, when it has no attempts left, moves to the dead bucket with its
// last error, out of the way of a later resume.
func (s *Store) failed(e *entry, dead bool, cause error) error {
	if dead {
		e.Error = cause.Error()
	}
	value, err := json.Marshal(e)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(); err != nil {
		return err
	}
	if !dead {
		s.putRaw(queueBucket, e.key, value)
		return nil
	}
	s.deleteRaw(queueBucket, e.key)
	s.putRaw(deadBucket, e.key, value)
	return nil
}
