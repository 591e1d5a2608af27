package local

import (
	"sync"

	"github.com/unumc/unumc/internal/cost/meter"
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
	// Processes counts the node processes started for the run (in a
	// Host, a run that finds its nodes' processes warm starts none);
	// Prestarted counts the run's invocations that found a process started
	// ahead of them (see Options.Successors).
	Processes  int `json:"processes"`
	Prestarted int `json:"prestarted"`
	// RoundTrips counts the messages between the runner and the node
	// processes that had to be answered before the sender could go on:
	// deliveries, and the store calls a node waited on. Deletes and
	// invokes travel with a delivery's reply, or before a node's next
	// call, so a chain transition takes three: its delivery, its
	// pre-check's read and its commit.
	RoundTrips int `json:"round_trips"`
	// Nodes has the counts per node, by node identifier.
	Nodes map[string]*Counts `json:"nodes"`
	// Metered is what the run's store requests and invokes would bill on
	// the cloud targets' stores and queues, request by request (package
	// meter); NodesMetered has it by node, with the invokes each node sent.
	// They are apart from Counts, which targets/aws/ddb mirrors field by
	// field.
	Metered      meter.Bill          `json:"metered"`
	NodesMetered map[string]*Metered `json:"nodes_metered"`
}

// Metered is what one node's requests would bill on the cloud targets, and
// where its invokes went.
type Metered struct {
	meter.Bill
	// Sent counts the node's invokes by the receiving node's identifier:
	// the transitions it took, which Step Functions would bill.
	Sent map[string]int `json:"sent,omitempty"`
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
	// meter bills the store requests of every node, in the order the store
	// answered them (a request is counted before its reply, so requests
	// that depend on each other are metered in order); metered has the
	// bills by node.
	meter      meter.Meter
	metered    map[string]*Metered
	roundTrips int
}

func (c *counter) roundTrip() {
	c.mu.Lock()
	c.roundTrips++
	c.mu.Unlock()
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

// metering returns the run's meter and the node's bill, for a count
// closure to bill a request with: it must be called with c.mu held, that
// is from inside the function given to count.
func (c *counter) metering(node string) (*meter.Meter, *Metered) {
	if c.metered == nil {
		c.metered = map[string]*Metered{}
	}
	m := c.metered[node]
	if m == nil {
		m = &Metered{}
		c.metered[node] = m
	}
	return &c.meter, m
}

// stats copies the counts so far, with totals.
func (c *counter) stats() *Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := &Stats{Nodes: map[string]*Counts{}, NodesMetered: map[string]*Metered{}, RoundTrips: c.roundTrips}
	for node, counts := range c.nodes {
		n := *counts
		s.Nodes[node] = &n
		s.Counts.add(&n)
	}
	for node, m := range c.metered {
		n := Metered{Bill: m.Bill, Sent: map[string]int{}}
		for to, k := range m.Sent {
			n.Sent[to] = k
		}
		s.NodesMetered[node] = &n
		s.Metered.Add(m.Bill)
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
