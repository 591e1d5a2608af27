package local

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/unumc/unumc/rt"
)

// Options configure Run. The zero value of each tuning field picks the
// default named in its comment.
type Options struct {
	StateDir string            // holds <workflow>.db and logs/
	Workflow string            // the workflow's name, as in rt.Node.Workflow
	Binaries map[string]string // the program of each node, by node identifier
	// Successors are the nodes each node may invoke (ir.Invokes). A node
	// with one has its successor's process started while it runs, when
	// the pool has room; nil starts none ahead.
	Successors map[string][]string
	Start      string          // the identifier of the start node
	Execution  string          // the execution's name, for Run; see rt.ValidExecutionName
	Input      json.RawMessage // the workflow's input, for Run

	// MaxProcs bounds the invocations running at once, over all the
	// executions of a Host, and so the busy node processes; default
	// 2*GOMAXPROCS+2.
	MaxProcs int
	// Warm bounds the node processes alive at once, idle ones included:
	// a FaaS platform's warm instances. Default MaxProcs plus one for each
	// node, at most 32 more (an idle process holds about 4 MB); less than
	// MaxProcs counts as MaxProcs. A chain of N nodes run again in a Host
	// finds every process warm only when Warm is at least N.
	Warm int
	// Fresh starts a new process for every invocation instead of reusing
	// warm ones.
	Fresh bool
	// Attempts is how many deliveries an invocation gets before the
	// execution fails; default 3, as Lambda's asynchronous invocations.
	Attempts int
	// Backoff is the wait before the first retry, doubled for each further
	// one; default 100ms.
	Backoff time.Duration
	// Timeout bounds one invocation; the process is killed when it runs
	// longer, and the attempt fails. Default: none.
	Timeout time.Duration

	// The platform settings of the nodes; see rt.Platform. Defaults: 24h,
	// 7 days, 256 KiB and 16.
	CheckpointTTL     time.Duration
	StatusTTL         time.Duration
	InlineLimit       int
	FanOutConcurrency int
	// CollectByExpiry runs the nodes as the AWS target's functions run by
	// default (see rt.Platform): records are left to expire instead of
	// being deleted, so the execution leaves them in the state directory.
	// unumc cost runs this way to count what AWS bills.
	CollectByExpiry bool
	// ElementRecords: see rt.Platform; the AWS target's functions use it.
	ElementRecords bool

	// Chaos, when set, injects faults from a seeded schedule; see Chaos.
	Chaos *Chaos

	// Observe, when set, is told of every delivery once it has ended:
	// benchmarks time transitions with it. It is called concurrently and
	// should return quickly.
	Observe func(Delivery) `json:"-"`
}

// Delivery is one attempt at an invocation, as Options.Observe sees it.
type Delivery struct {
	Node     string // the node's identifier
	Instance string // the node instance, e.g. "count[3]"
	Began    time.Time
	Ended    time.Time
	Err      error // why the attempt failed; nil if it succeeded
}

func (o *Options) check() error {
	switch {
	case o.StateDir == "":
		return errors.New("no state directory")
	case o.Workflow == "" || strings.ContainsAny(o.Workflow, `/\`) || strings.HasPrefix(o.Workflow, "."):
		return fmt.Errorf("workflow name %q cannot name a state file", o.Workflow)
	case o.Binaries[o.Start] == "":
		return fmt.Errorf("no binary for the start node %q", o.Start)
	}
	return nil
}

func (o *Options) defaults() {
	if o.MaxProcs <= 0 {
		o.MaxProcs = 2*runtime.GOMAXPROCS(0) + 2
	}
	if o.Warm <= 0 {
		o.Warm = o.MaxProcs + min(len(o.Binaries), 32)
	}
	if o.Warm < o.MaxProcs {
		o.Warm = o.MaxProcs
	}
	if o.Attempts <= 0 {
		o.Attempts = 3
	}
	if o.Backoff <= 0 {
		o.Backoff = 100 * time.Millisecond
	}
	if o.CheckpointTTL <= 0 {
		o.CheckpointTTL = 24 * time.Hour
	}
	if o.StatusTTL <= 0 {
		o.StatusTTL = 7 * 24 * time.Hour
	}
	if o.InlineLimit <= 0 {
		o.InlineLimit = 256 << 10
	}
	if o.FanOutConcurrency <= 0 {
		o.FanOutConcurrency = 16
	}
}

// Result is what Run reports.
type Result struct {
	// Status is the execution's outcome; nil when Run returns an error.
	Status *rt.Status
	// Stats counts the run's work, also when it failed.
	Stats *Stats
	// Log is the path of the execution's log (see LogPath).
	Log string
}

// InstanceError is the failure of every attempt of one invocation. The
// execution cannot end without it; its envelope is kept in the state file's
// dead letters, and a later run of the same execution tries it again.
type InstanceError struct {
	Instance string // the node instance, e.g. "count[3]"
	Attempts int
	Err      error  // the last attempt's error
	Stderr   string // the tail of the process's stderr in the last attempt
}

func (e *InstanceError) Error() string {
	s := fmt.Sprintf("node instance %s failed %d attempts; last: %v", e.Instance, e.Attempts, e.Err)
	if e.Stderr != "" {
		s += "\n\tstderr: " + strings.ReplaceAll(e.Stderr, "\n", "\n\tstderr: ")
	}
	return s
}

func (e *InstanceError) Unwrap() error { return e.Err }

// ErrStalled is a run that ran out of invocations before the execution
// ended: a bug in the protocol or the generated code, never in user code.
var ErrStalled = errors.New("execution stalled")

// Run runs an execution to its end and returns its outcome. If the execution
// has ended before, Run returns the recorded outcome: a retried start joins
// the execution rather than running it twice. If invocations of it are
// queued, from a run that was stopped or killed, Run delivers them and so
// resumes it.
//
// Run returns once the outcome is recorded and every invocation is done,
// the protocol's garbage collection included. A workflow that fails is not
// an error of Run: its Status says so. Run's errors are an instance that
// failed every attempt (*InstanceError), a stalled execution (ErrStalled), a
// problem with the state or the binaries, and the end of ctx, on which the
// processes are killed and the state is kept. Result is non-nil, with Stats
// and Log, once the state file and the log are open.
//
// Run is Open, one Host.Run and Close: its node processes live for the one
// execution. A Host keeps them warm across executions.
func Run(ctx context.Context, opts Options) (*Result, error) {
	if err := rt.ValidExecutionName(opts.Execution); err != nil {
		return nil, err
	}
	h, err := Open(opts)
	if err != nil {
		return nil, err
	}
	res, err := h.Run(ctx, opts.Execution, opts.Input)
	if cerr := h.Close(); err == nil && cerr != nil {
		return res, cerr
	}
	return res, err
}

// run runs one execution in the host; see Run.
func (h *host) run(ctx context.Context, execution string, input json.RawMessage) (*Result, error) {
	if err := rt.ValidExecutionName(execution); err != nil {
		return nil, err
	}
	if len(input) > 0 && !json.Valid(input) {
		return nil, errors.New("the input is not valid JSON")
	}
	if err := h.claim(execution); err != nil {
		return nil, err
	}
	defer h.release(execution)
	began := time.Now()
	store := h.store
	log, err := openLog(LogPath(h.opts.StateDir, execution))
	if err != nil {
		return nil, err
	}
	defer log.Close()

	r := &runner{host: h, execution: execution, log: log, wake: make(chan struct{}, 1)}
	res := &Result{Log: log.path}
	finish := func(err error) (*Result, error) {
		res.Stats = r.counts.stats()
		res.Stats.DivergentResults = r.divergent()
		res.Stats.WallMS = time.Since(began).Milliseconds()
		res.Stats.Processes, res.Stats.Prestarted = h.pool.counts(r)
		n, statuses, cerr := store.Count(execution + "/")
		res.Stats.ItemsLeft, res.Stats.StatusItems = n, statuses
		if err == nil {
			err = cerr
		}
		if err != nil {
			log.note("run of %s ended: %v", execution, err)
			return res, err
		}
		return res, nil
	}

	entry := &rt.Envelope{Version: rt.Version, Execution: execution, Node: h.opts.Start, Input: input}
	if _, err := store.begin(entry); err != nil {
		return finish(err)
	}
	queued, err := store.pending(execution)
	if err != nil {
		return finish(err)
	}
	r.ready, r.owed = queued, len(queued)
	log.note("run of workflow %s, execution %s: %d invocations queued", h.opts.Workflow, execution, len(queued))

	if err := r.deliverAll(ctx); err != nil {
		return finish(err)
	}
	st, err := store.Status(execution)
	if err != nil {
		return finish(err)
	}
	if st == nil {
		items, err := store.List(execution + "/")
		if err != nil {
			return finish(err)
		}
		left := "nothing"
		if len(items) > 0 {
			var keys []string
			for _, it := range items {
				keys = append(keys, it.Key)
			}
			left = strings.Join(keys, ", ")
		}
		return finish(fmt.Errorf("%w: %s has no status record and nothing queued; left in the store: %s",
			ErrStalled, execution, left))
	}
	res.Status = st
	return finish(nil)
}

// runner is one execution's run in a host: the delivery loop and the state
// it shares with the calls of the processes running its invocations.
type runner struct {
	*host
	execution string
	log       *logFile // the execution's
	counts    counter

	// The processes started for the run, and the invocations of the run
	// that found a process started ahead (the pool's, under its mu).
	processes, prestarted int

	mu    sync.Mutex
	seen  map[string]map[[32]byte]bool // per sender checkpoint and receiver, the inputs it committed on
	ready []*entry                     // queued and due for delivery, oldest first
	owed  int                          // queued entries not yet done: ready, being delivered, or waiting to retry
	fatal error
	wake  chan struct{}
}

// accept queues an invocation a node asked for, to be delivered once the
// file holds version after (see entry.after).
func (r *runner) accept(env *rt.Envelope, after uint64) error {
	e, err := r.store.enqueue(env)
	if err != nil {
		return err
	}
	e.after = after
	r.mu.Lock()
	r.owed++
	r.ready = append(r.ready, e)
	r.mu.Unlock()
	r.signal()
	if delay, ok := r.chaos.duplicate(env); ok {
		dup, err := r.store.enqueue(env)
		if err != nil {
			return err
		}
		dup.after = after
		r.mu.Lock()
		r.owed++
		r.mu.Unlock()
		r.log.note("chaos: %s will be delivered again in %v", env.Instance(), delay.Round(time.Millisecond))
		time.AfterFunc(delay, func() {
			r.mu.Lock()
			r.ready = append(r.ready, dup)
			r.mu.Unlock()
			r.signal()
		})
	}
	return nil
}

func (r *runner) signal() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// next returns the next invocation to deliver, or nil when the run is over:
// nothing is owed, an instance failed for good, or ctx ended. Nothing owed
// means nothing can come: a new invocation is accepted only during the
// delivery of one still owed.
func (r *runner) next(ctx context.Context) *entry {
	for {
		r.mu.Lock()
		if r.fatal != nil || r.owed == 0 {
			r.mu.Unlock()
			return nil
		}
		if len(r.ready) > 0 {
			i := r.chaos.pick(len(r.ready))
			e := r.ready[i]
			if i == 0 {
				r.ready = r.ready[1:] // oldest first: no copy, whatever the queue's length
			} else {
				r.ready = append(r.ready[:i], r.ready[i+1:]...)
			}
			r.mu.Unlock()
			return e
		}
		r.mu.Unlock()
		select {
		case <-r.wake:
		case <-ctx.Done():
			return nil
		}
	}
}

// deliverAll delivers invocations until none is owed, at most MaxProcs at
// once over all the host's runs (so that the pool always has a process to
// evict when it is full).
func (r *runner) deliverAll(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := r.sem
	var wg sync.WaitGroup
	for {
		e := r.next(ctx)
		if e == nil {
			break
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break // e stays queued in the state file
		}
		wg.Go(func() {
			defer func() { <-sem }()
			r.deliver(ctx, e)
		})
	}
	// After a failure the deliveries under way finish; on ctx's end each
	// kills its process (process.invoke).
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.fatal
}

// deliver makes one attempt at an invocation and settles its queue entry.
func (r *runner) deliver(ctx context.Context, e *entry) {
	env := *e.Env
	env.Attempt = e.Attempts + 1
	began := time.Now()
	if err := r.store.waitFor(e.after); err != nil {
		r.fail(err)
		return
	}
	err := r.attempt(ctx, &env)
	if r.opts.Observe != nil {
		r.opts.Observe(Delivery{Node: env.Node, Instance: env.Instance(), Began: began, Ended: time.Now(), Err: err})
	}
	if ctx.Err() != nil {
		return // stopped, not failed: the entry stays queued as it was
	}
	r.counts.count(env.Node, func(c *Counts) {
		c.Invocations++
		c.Bytes += int64(len(env.Input))
		c.BusyMS += time.Since(began).Milliseconds()
		if err != nil {
			c.FailedAttempts++
		}
	})
	if err == nil {
		if err := r.store.done(e); err != nil {
			r.fail(err)
			return
		}
		r.mu.Lock()
		r.owed--
		r.mu.Unlock()
		r.signal()
		return
	}

	e.Attempts++
	last := e.Attempts >= r.opts.Attempts
	cause, stderr := err, ""
	if ae, ok := err.(*attemptError); ok {
		cause, stderr = ae.err, ae.stderr
	}
	r.log.note("%s: attempt %d of %d failed: %v", env.Instance(), env.Attempt, r.opts.Attempts, err)
	if serr := r.store.failed(e, last, err); serr != nil {
		r.fail(serr)
		return
	}
	if last {
		r.fail(&InstanceError{Instance: env.Instance(), Attempts: e.Attempts, Err: cause, Stderr: stderr})
		return
	}
	time.AfterFunc(r.opts.Backoff<<(e.Attempts-1), func() {
		r.mu.Lock()
		r.ready = append(r.ready, e)
		r.mu.Unlock()
		r.signal()
	})
}

// attempt runs env in a process of its node.
func (r *runner) attempt(ctx context.Context, env *rt.Envelope) error {
	p, err := r.pool.get(ctx, r, env.Node)
	if err != nil {
		return &attemptError{err: err}
	}
	// Start the process of the next node of a chain while this one runs.
	// (Two nodes ahead measured no better: on two cores the starts
	// themselves, 1.3 ms of CPU each, are the bound.)
	if next := r.opts.Successors[env.Node]; len(next) == 1 {
		r.pool.prestart(ctx, r, next[0])
	}
	reusable, err := p.invoke(ctx, r, env, r.opts.Timeout)
	r.pool.put(p, reusable)
	return err
}

// fail ends the run with err, the first failure winning.
func (r *runner) fail(err error) {
	r.mu.Lock()
	if r.fatal == nil {
		r.fatal = err
	}
	r.mu.Unlock()
	r.signal()
}

// consumed records that env's instance committed a result computed from
// env's input, which is the result of the sender whose checkpoint is
// env.Pred. An instance commits once, unless its checkpoint was collected
// and a re-run commits again: if that re-run got a different input, a
// sender's result reached the instances after it with two values.
// Stats.DivergentResults counts such pairs of sender and receiver; results
// consistent with exactly-once execution keep it at zero.
func (r *runner) consumed(env *rt.Envelope) {
	if env.Pred == "" || env.Join {
		return // the entry's input is the caller's; a join's is a set of results
	}
	h := sha256.Sum256(append([]byte(env.Ref+"\x00"), env.Input...))
	edge := env.Pred + "\x00" + env.Instance()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen == nil {
		r.seen = map[string]map[[32]byte]bool{}
	}
	if r.seen[edge] == nil {
		r.seen[edge] = map[[32]byte]bool{}
	}
	r.seen[edge][h] = true
}

// divergent counts the edges whose receiver committed on more than one
// value of the sender's result.
func (r *runner) divergent() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, hs := range r.seen {
		if len(hs) > 1 {
			n++
		}
	}
	return n
}
