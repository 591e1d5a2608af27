package wire

import (
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"time"

	"github.com/unumc/unumc/rt"
)

// The file descriptors of the pipes, in the node process.
const (
	FdRequests    = 3                  // requests from the runner, read by the node
	FdReplies     = 4                  // replies to the runner
	FdCalls       = 5                  // the node's requests to the runner
	FdCallReplies = 6                  // the runner's replies to them
	EnvVar        = "UNUMC_LOCAL_PROC" // set to ProtocolVersion by the runner
	// 2: the package's own RPC in place of net/rpc; 3: Deletes and Invokes
	// held back and sent in a Batch or with Deliver's reply.
	ProtocolVersion = "3"
)

// The RPC methods.
const (
	Hello  = "Runner.Hello"
	Get    = "Runner.Get"
	Create = "Runner.Create"
	Add    = "Runner.Add"
	// Batch carries out Ops in order and stops at the first that fails.
	// Args Ops, reply *bool.
	Batch = "Runner.Batch"
	// Deliver is the runner's one request: run an invocation. Args
	// *rt.Envelope, reply *Done.
	Deliver = "Node.Invoke"
)

// HelloArgs introduces a node process to the runner.
type HelloArgs struct {
	Workflow string
	Node     string // the node's identifier
	Version  int    // rt.Version the node was built with
	Pid      int
}

// Settings are the platform settings a node's rt.Platform takes.
type Settings struct {
	CheckpointTTL     time.Duration
	StatusTTL         time.Duration
	InlineLimit       int
	FanOutConcurrency int
	CollectByExpiry   bool
	ElementRecords    bool
	// Kill, when above zero, is the chance that the node kills its own
	// process at each of rt's fault points, decided by Roll from KillSeed,
	// in every attempt before the LastAttempt.
	Kill        float64
	KillSeed    int64
	LastAttempt int
}

// Roll returns a number in [0, 1) determined by seed and the parts: the
// decisions of a chaos schedule, the same on both sides of the pipes and in
// every run with the same seed.
func Roll(seed int64, parts ...any) float64 {
	h := fnv.New64a()
	fmt.Fprint(h, seed)
	for _, p := range parts {
		fmt.Fprintf(h, "\x00%v", p)
	}
	return float64(h.Sum64()>>11) / (1 << 53)
}

// Keys are the arguments of Get and Delete.
type Keys struct{ Keys []string }

// Items is the reply of Get.
type Items struct{ Items map[string]rt.Item }

// Existing is the reply of Create: the item that was there, or nil.
type Existing struct{ Item *rt.Item }

// AddArgs are the arguments of Add.
type AddArgs struct{ Key, Member string }

// AddReply is the reply of Add.
type AddReply struct {
	Set []string
	OK  bool
}

// Op is a request whose answer a node does not wait for: a Delete or an
// Invoke. A node holds them back until its next call that needs an answer,
// or the end of the invocation, and sends them in one message, so that the
// end of a chain transition (collect the predecessor's checkpoint, invoke
// the successor, reply to Deliver) is one message instead of five. Ops the
// runner never receives were lost as a crash before them would have lost
// them, which the protocol tolerates at every point.
type Op struct {
	Delete []string     // the keys of a Delete, or
	Invoke *rt.Envelope // the envelope of an Invoke
}

// Ops are the arguments of Batch.
type Ops struct{ Ops []Op }

// Done is the reply of Deliver.
type Done struct {
	// Err is the failure of the attempt, which the runner retries; "" for
	// success. Ops are then the Deletes and Invokes the node held back,
	// which the runner carries out, in order, before it counts the attempt
	// a success.
	Err string
	Ops []Op
}

// Conn joins the read end of one pipe and the write end of another into the
// io.ReadWriteCloser that the RPC runs over.
type Conn struct{ R, W *os.File }

// Read reads from the read end.
func (c Conn) Read(p []byte) (int, error) { return c.R.Read(p) }

// Write writes to the write end.
func (c Conn) Write(p []byte) (int, error) { return c.W.Write(p) }

// Close closes both pipe ends.
func (c Conn) Close() error { return errors.Join(c.R.Close(), c.W.Close()) }
