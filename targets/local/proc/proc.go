package proc

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"syscall"

	"github.com/unumc/unumc/rt"
	"github.com/unumc/unumc/targets/local/internal/wire"
)

// Main serves node's invocations for the runner that started the process and
// exits when the runner lets it go. Run by hand, it says so and exits 2.
func Main(node *rt.Node) {
	os.Exit(run(node, os.Stderr))
}

func run(node *rt.Node, stderr io.Writer) int {
	files, err := pipes()
	if err != nil {
		fmt.Fprintf(stderr, "%s: node %q of workflow %q is run by `unumc run`, not by hand (%v)\n",
			os.Args[0], node.Name, node.Workflow, err)
		return 2
	}
	runner := wire.NewClient(wire.Conn{R: files[wire.FdCallReplies], W: files[wire.FdCalls]})
	defer runner.Close()
	var set wire.Settings
	hello := wire.HelloArgs{Workflow: node.Workflow, Node: node.Ident, Version: rt.Version, Pid: os.Getpid()}
	if err := runner.Call(context.Background(), wire.Hello, hello, &set); err != nil {
		fmt.Fprintf(stderr, "%s: node %q: handshake with unumc run: %v\n", os.Args[0], node.Name, err)
		return 2
	}
	held := &held{c: runner}
	p := &rt.Platform{
		Store:             store{held},
		Invoker:           invoker{held},
		CheckpointTTL:     set.CheckpointTTL,
		StatusTTL:         set.StatusTTL,
		InlineLimit:       set.InlineLimit,
		FanOutConcurrency: set.FanOutConcurrency,
		CollectByExpiry:   set.CollectByExpiry,
		ElementRecords:    set.ElementRecords,
	}
	if set.Kill > 0 {
		p.Fault = func(point string, env *rt.Envelope, step int) {
			if env.Attempt < set.LastAttempt && wire.Roll(set.KillSeed, "kill", env.Execution, env.Instance(), env.Ref, point, step, env.Attempt) < set.Kill {
				// Chaos mode: die here, as a crashed function would, with
				// nothing flushed and no reply.
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
				select {}
			}
		}
	}
	svc := &service{node: node, p: p, held: held}
	// Serve returns when the runner closes fd 3: the process is done. The
	// runner sends one invocation at a time, which runs in Serve's own
	// goroutine (Inline) rather than a new one each: a warm chain's
	// transition measured 1.55 -> 1.26 ms. (The likely reason: the
	// goroutine's stack, grown by the first invocation, stays grown, where
	// a new goroutine starts small and grows again in a process too young
	// for the runtime to have learnt its goroutines' stack size.)
	wire.Serve(wire.Conn{R: files[wire.FdRequests], W: files[wire.FdReplies]}, map[string]wire.Handler{
		wire.Deliver: wire.Inline(wire.Method(svc.Invoke)),
	})
	return 0
}

// pipes opens fds 3 to 6. The environment variable guards against a shell
// that happens to have those descriptors open for something else.
func pipes() (map[int]*os.File, error) {
	if v := os.Getenv(wire.EnvVar); v != wire.ProtocolVersion {
		if v == "" {
			return nil, fmt.Errorf("%s is not set", wire.EnvVar)
		}
		return nil, fmt.Errorf("runner speaks protocol %s, node speaks %s: rebuild", v, wire.ProtocolVersion)
	}
	files := map[int]*os.File{}
	for fd := wire.FdRequests; fd <= wire.FdCallReplies; fd++ {
		// Non-blocking, so that os.NewFile makes the pipe pollable and the
		// runtime waits for it in its netpoller rather than in a thread
		// parked in read (fewer context switches a call). Should it fail,
		// the pipe works as before.
		syscall.SetNonblock(fd, true)
		f := os.NewFile(uintptr(fd), fmt.Sprintf("fd%d", fd))
		if _, err := f.Stat(); err != nil {
			return nil, fmt.Errorf("file descriptor %d: %v", fd, err)
		}
		// Inherited descriptors are not close-on-exec: without this, a
		// program the user function runs would hold the pipes open and the
		// runner would not see this process exit.
		syscall.CloseOnExec(fd)
		files[fd] = f
	}
	os.Unsetenv(wire.EnvVar) // not for programs the user function runs
	return files, nil
}

// service serves the runner's requests.
type service struct {
	node *rt.Node
	p    *rt.Platform
	held *held
	mu   sync.Mutex // one invocation at a time, as on a FaaS platform
}

// Invoke runs one invocation. Its reply's Err is the attempt's failure,
// which the runner retries; a user function's error is not one (rt commits
// it). On success its Ops are the Deletes and Invokes the invocation made
// after its last call that needed an answer: the runner carries them out
// before it counts the attempt a success.
func (s *service) Invoke(env *rt.Envelope, reply *wire.Done) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := rt.Handle(context.Background(), s.node, s.p, env)
	ops := s.held.take()
	if err != nil {
		// What was held is dropped, as a crash here would drop it.
		reply.Err = err.Error()
		if reply.Err == "" {
			reply.Err = "error"
		}
		return nil
	}
	reply.Ops = ops
	return nil
}

// held keeps the Deletes and Invokes of the invocation being run until its
// next call that needs an answer, which sends them first, or its end (see
// wire.Op). Sending them as they come would cost a round trip each, the
// greater part of a chain transition.
type held struct {
	c   *wire.Client
	mu  sync.Mutex
	ops []wire.Op
}

func (h *held) add(op wire.Op) {
	h.mu.Lock()
	h.ops = append(h.ops, op)
	h.mu.Unlock()
}

func (h *held) take() []wire.Op {
	h.mu.Lock()
	defer h.mu.Unlock()
	ops := h.ops
	h.ops = nil
	return ops
}

// call makes a call that needs an answer, after sending what is held, so
// that the runner sees every request in the order rt made it.
func (h *held) call(ctx context.Context, method string, args, reply any) error {
	if ops := h.take(); len(ops) > 0 {
		var ok bool
		if err := h.c.Call(ctx, wire.Batch, wire.Ops{Ops: ops}, &ok); err != nil {
			return err
		}
	}
	return h.c.Call(ctx, method, args, reply)
}

// store is rt.Store as calls to the runner, which holds the state.
type store struct{ h *held }

func (s store) Get(ctx context.Context, keys ...string) (map[string]rt.Item, error) {
	var r wire.Items
	if err := s.h.call(ctx, wire.Get, wire.Keys{Keys: keys}, &r); err != nil {
		return nil, err
	}
	if r.Items == nil {
		r.Items = map[string]rt.Item{}
	}
	return r.Items, nil
}

func (s store) Create(ctx context.Context, it rt.Item) (*rt.Item, error) {
	var r wire.Existing
	if err := s.h.call(ctx, wire.Create, it, &r); err != nil {
		return nil, err
	}
	return r.Item, nil
}

func (s store) Add(ctx context.Context, key, member string) ([]string, bool, error) {
	var r wire.AddReply
	if err := s.h.call(ctx, wire.Add, wire.AddArgs{Key: key, Member: member}, &r); err != nil {
		return nil, false, err
	}
	return r.Set, r.OK, nil
}

// Delete is held: see wire.Op.
func (s store) Delete(ctx context.Context, keys ...string) error {
	s.h.add(wire.Op{Delete: append([]string(nil), keys...)})
	return nil
}

// invoker is rt.Invoker as messages to the runner, which queues the
// envelope durably once it receives it. Invoke is held (see wire.Op): the
// platform has accepted the envelope once the invocation has ended, which
// is all rt's protocol asks.
type invoker struct{ h *held }

func (i invoker) Invoke(ctx context.Context, env *rt.Envelope) error {
	e := *env
	i.h.add(wire.Op{Invoke: &e})
	return nil
}
