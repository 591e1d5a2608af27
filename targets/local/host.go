package local

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sync"

	"github.com/unumc/unumc/targets/local/internal/wire"
)

// Host runs executions of one workflow, any number of them at once, in one
// pool of node processes over one state file, as a FaaS platform runs a
// deployed workflow: a process started for one execution's invocation
// stays warm for the next invocation of its node, whichever execution it
// belongs to. (A state file admits one Host at a time; Run is a Host for
// one execution.)
//
// Each execution keeps its own log, Stats and failure: a node instance that
// fails every attempt fails its execution's Run, not the others'. A
// process's store calls are counted for the execution whose invocation it
// is running.
type Host struct {
	h *host
}

// host is what a Host's runs share.
type host struct {
	opts     Options // the workflow's; each run has its own execution and input
	store    *Store
	pool     *pool
	settings wire.Settings
	chaos    *chaos // nil without Options.Chaos
	trace    bool   // log every store request (UNUMC_TRACE)
	sem      chan struct{}

	runMu   sync.Mutex
	running map[string]bool // executions being run
}

// Open opens the state file of opts.Workflow under opts.StateDir, sweeps
// its expired records, and returns a Host that runs executions with
// opts's binaries and settings. opts.Execution and opts.Input are not used:
// they are each Run's.
func Open(opts Options) (*Host, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	opts.defaults()
	opts.Execution, opts.Input = "", nil
	store, err := OpenStore(StorePath(opts.StateDir, opts.Workflow))
	if err != nil {
		return nil, err
	}
	if _, err := store.Sweep(); err != nil {
		store.Close()
		return nil, err
	}
	h := &host{opts: opts, store: store, chaos: newChaos(opts.Chaos, opts.Attempts),
		trace: os.Getenv("UNUMC_TRACE") != "", sem: make(chan struct{}, opts.MaxProcs), running: map[string]bool{}}
	h.settings = h.chaos.settings(wire.Settings{CheckpointTTL: opts.CheckpointTTL, StatusTTL: opts.StatusTTL,
		InlineLimit: opts.InlineLimit, FanOutConcurrency: opts.FanOutConcurrency,
		CollectByExpiry: opts.CollectByExpiry, ElementRecords: opts.ElementRecords})
	h.pool = newPool(h, opts.Warm, opts.Fresh)
	return &Host{h: h}, nil
}

// Run runs the execution named execution, with input the workflow's input,
// to its end; see the function Run, which this is for an execution of the
// Host. Runs of different executions may be called at once; a Run of an
// execution that another Run of the Host is running fails at once.
// Cancelling ctx kills the processes running this execution's invocations
// only.
func (h *Host) Run(ctx context.Context, execution string, input json.RawMessage) (*Result, error) {
	return h.h.run(ctx, execution, input)
}

// Close stops the node processes, waiting for those busy with a Run's
// invocation, and closes the state file. Runs under way should end first.
func (h *Host) Close() error {
	h.h.pool.close(false)
	return h.h.store.Close()
}

// claim marks execution as being run, or fails if it is.
func (h *host) claim(execution string) error {
	h.runMu.Lock()
	defer h.runMu.Unlock()
	if h.running[execution] {
		return fmt.Errorf("execution %s is already being run", execution)
	}
	h.running[execution] = true
	return nil
}

func (h *host) release(execution string) {
	h.runMu.Lock()
	defer h.runMu.Unlock()
	delete(h.running, execution)
}
