package function

import (
	"context"
	"sync"

	"github.com/unumc/unumc/rt"
	"github.com/unumc/unumc/targets/gcp/fstore"
)

// Counts are the work of one delivery, with the field names of the local
// target's --stats (targets/local.Counts) so that both read the same way.
// Store requests are counted as rt makes them; a Delete of more than one
// key counts the Firestore requests it takes. ItemsDeleted is not counted:
// a Firestore delete does not say whether the document was there.
type Counts struct {
	Invocations     int   `json:"invocations"`
	FailedAttempts  int   `json:"failed_attempts"`
	Invokes         int   `json:"invokes"`
	Reads           int   `json:"reads"`
	ItemsRead       int   `json:"items_read"`
	Writes          int   `json:"writes"`
	Creates         int   `json:"creates"`
	CreateConflicts int   `json:"create_conflicts"`
	Deletes         int   `json:"deletes"`
	Bytes           int64 `json:"bytes"`
	BusyMS          int64 `json:"busy_ms"`
}

// countingStore counts the requests of one delivery. Create and Add are
// counted as the Firestore requests they make: a Create that conflicts reads
// the winner, and an Add reads the set after its update.
type countingStore struct {
	s  rt.Store
	mu sync.Mutex
	c  *Counts
}

func (s *countingStore) count(f func(c *Counts)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s.c)
}

func size(it rt.Item) int64 {
	n := int64(len(it.Value))
	for _, m := range it.Set {
		n += int64(len(m))
	}
	return n
}

func (s *countingStore) Get(ctx context.Context, keys ...string) (map[string]rt.Item, error) {
	got, err := s.s.Get(ctx, keys...)
	s.count(func(c *Counts) {
		c.Reads++
		c.ItemsRead += len(got)
		for _, it := range got {
			c.Bytes += size(it)
		}
	})
	return got, err
}

func (s *countingStore) Create(ctx context.Context, it rt.Item) (*rt.Item, error) {
	old, err := s.s.Create(ctx, it)
	s.count(func(c *Counts) {
		c.Writes++
		c.Creates++
		c.Bytes += size(it)
		if old != nil {
			c.CreateConflicts++
			c.Reads++
			c.ItemsRead++
			c.Bytes += size(*old)
		}
	})
	return old, err
}

func (s *countingStore) Add(ctx context.Context, key, member string) ([]string, bool, error) {
	set, ok, err := s.s.Add(ctx, key, member)
	s.count(func(c *Counts) {
		c.Writes++
		c.Bytes += int64(len(member))
		if ok {
			c.Reads++
			c.ItemsRead++
			for _, m := range set {
				c.Bytes += int64(len(m))
			}
		}
	})
	return set, ok, err
}

func (s *countingStore) Delete(ctx context.Context, keys ...string) error {
	err := s.s.Delete(ctx, keys...)
	s.count(func(c *Counts) { c.Deletes += fstore.DeleteRequests(len(keys)) })
	return err
}

// countingInvoker counts invocations and notes which nodes they were for.
type countingInvoker struct {
	inv rt.Invoker
	mu  sync.Mutex
	rep *Report
}

func (i *countingInvoker) Invoke(ctx context.Context, env *rt.Envelope) error {
	err := i.inv.Invoke(ctx, env)
	i.mu.Lock()
	defer i.mu.Unlock()
	i.rep.Counts.Invokes++
	i.rep.Counts.Bytes += int64(len(env.Input))
	i.rep.Invoked = append(i.rep.Invoked, env.Node)
	return err
}
