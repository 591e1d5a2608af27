package local

import (
	"sync"

	"github.com/unumc/unumc/rt"
)

// Stats is what one Run did, the JSON of `unumc run --stats FILE`. Every
// store call and every delivery passes through the runner, which counts them
// as they happen; a run that joins or resumes an execution counts only its
// own work.
type Stats struct {
	Counts // the totals over all nodes
	// ItemsLeft counts the execution's items in the store after the run,
	// status record included. The protocol collects everything else, so it
	// is 1 after a complete run.
	ItemsLeft int `json:"items_left"`
	// StatusItems counts the status records among ItemsLeft: 0 or 1.
	StatusItems int `json:"status_items"`
	// DivergentResults counts the pairs of node instances where the second
	// committed on two different results of the first: a result a re-run
	// computed differently and passed on. Exactly-once results mean 0.
	DivergentResults int `json:"divergent_results"`
	// WallMS is the run's wall time in milliseconds.
	WallMS int64 `json:"wall_ms"`
	// Nodes has the counts per node, by node identifier.
	Nodes map[string]*Counts `json:"nodes"`
}

// Counts are the work of a run, or of one node in it. A node's store calls
// and invokes are those its processes made.
type Counts struct {
	// Invocations counts attempts to deliver an envelope, each retry one
	// more, as a FaaS platform bills them.
	Invocations int `json:"invocations"`
	// FailedAttempts counts the deliveries that failed: a crash, a broken
	// pipe, a timeout, or an error from the node's handler.
	FailedAttempts int `json:"failed_attempts"`
	// Invokes counts envelopes the nodes handed to the invoker.
	Invokes int `json:"invokes"`
	// Reads counts Get requests; ItemsRead the items they returned.
	Reads     int `json:"reads"`
	ItemsRead int `json:"items_read"`
	// Writes counts Create and Add requests, Creates the Create requests
	// among them, and CreateConflicts the Creates that found an item and
	// wrote nothing (a duplicate run, or a status written before).
	Writes          int `json:"writes"`
	Creates         int `json:"creates"`
	CreateConflicts int `json:"create_conflicts"`
	// Deletes counts Delete requests; ItemsDeleted the items they removed,
	// not counting keys that were already gone.
	Deletes      int `json:"deletes"`
	ItemsDeleted int `json:"items_deleted"`
	// Bytes counts the data moved: the input of each delivered envelope, and
	// the values and set members in store requests and replies (Get replies,
	// Create items and the items of their conflicts, Add members and the
	// sets Add returns).
	Bytes int64 `json:"bytes"`
	// BusyMS is the time spent in deliveries, in milliseconds, starting
	// processes included.
	BusyMS int64 `json:"busy_ms"`
}

func (c *Counts) add(d *Counts) {
	c.Invocations += d.Invocations
	c.FailedAttempts += d.FailedAttempts
	c.Invokes += d.Invokes
	c.Reads += d.Reads
	c.ItemsRead += d.ItemsRead
	c.Writes += d.Writes
	c.Creates += d.Creates
	c.CreateConflicts += d.CreateConflicts
	c.Deletes += d.Deletes
	c.ItemsDeleted += d.ItemsDeleted
	c.Bytes += d.Bytes
	c.BusyMS += d.BusyMS
}

// counter gathers Counts by node as the run goes.
type counter struct {
	mu    sync.Mutex
	nodes map[string]*Counts
}

func (c *counter) count(node string, f func(*Counts)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.nodes == nil {
		c.nodes = map[string]*Counts{}
	}
	n := c.nodes[node]
	if n == nil {
		n = &Counts{}
		c.nodes[node] = n
	}
	f(n)
}

// stats copies the counts so far, with totals.
func (c *counter) stats() *Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := &Stats{Nodes: map[string]*Counts{}}
	for node, counts := range c.nodes {
		n := *counts
		s.Nodes[node] = &n
		s.Counts.add(&n)
	}
	return s
}

// size is the bytes an item moves: its value and set members.
func size(it rt.Item) int64 {
	n := int64(len(it.Value))
	for _, m := range it.Set {
		n += int64(len(m))
	}
	return n
}
