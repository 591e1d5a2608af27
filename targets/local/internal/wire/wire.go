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
	FdRequests      = 3                  // requests from the runner, read by the node
	FdReplies       = 4                  // replies to the runner
	FdCalls         = 5                  // the node's requests to the runner
	FdCallReplies   = 6                  // the runner's replies to them
	EnvVar          = "UNUMC_LOCAL_PROC" // set to ProtocolVersion by the runner
	ProtocolVersion = "2"                // 2: the package's own RPC in place of net/rpc
)

// The RPC methods.
const (
	Hello  = "Runner.Hello"
	Get    = "Runner.Get"
	Create = "Runner.Create"
	Add    = "Runner.Add"
	Delete = "Runner.Delete"
	Invoke = "Runner.Invoke"
	// Deliver is the runner's one request: run an invocation. Args
	// *rt.Envelope, reply *bool.
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

// Conn joins the read end of one pipe and the write end of another into the
// io.ReadWriteCloser that the RPC runs over.
type Conn struct{ R, W *os.File }

// Read reads from the read end.
func (c Conn) Read(p []byte) (int, error) { return c.R.Read(p) }

// Write writes to the write end.
func (c Conn) Write(p []byte) (int, error) { return c.W.Write(p) }

// Close closes both pipe ends.
func (c Conn) Close() error { return errors.Join(c.R.Close(), c.W.Close()) }
