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
	p := &rt.Platform{
		Store:             store{runner},
		Invoker:           invoker{runner},
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
	svc := &service{node: node, p: p}
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
	mu   sync.Mutex // one invocation at a time, as on a FaaS platform
}

// Invoke runs one invocation. Its error is the attempt's failure, which the
// runner retries; a user function's error is not one (rt commits it).
func (s *service) Invoke(env *rt.Envelope, done *bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := rt.Handle(context.Background(), s.node, s.p, env); err != nil {
		return err
	}
	*done = true
	return nil
}

// store is rt.Store as calls to the runner, which holds the state.
type store struct{ c *wire.Client }

func (s store) Get(ctx context.Context, keys ...string) (map[string]rt.Item, error) {
	var r wire.Items
	if err := s.c.Call(ctx, wire.Get, wire.Keys{Keys: keys}, &r); err != nil {
		return nil, err
	}
	if r.Items == nil {
		r.Items = map[string]rt.Item{}
	}
	return r.Items, nil
}

func (s store) Create(ctx context.Context, it rt.Item) (*rt.Item, error) {
	var r wire.Existing
	if err := s.c.Call(ctx, wire.Create, it, &r); err != nil {
		return nil, err
	}
	return r.Item, nil
}

func (s store) Add(ctx context.Context, key, member string) ([]string, bool, error) {
	var r wire.AddReply
	if err := s.c.Call(ctx, wire.Add, wire.AddArgs{Key: key, Member: member}, &r); err != nil {
		return nil, false, err
	}
	return r.Set, r.OK, nil
}

func (s store) Delete(ctx context.Context, keys ...string) error {
	var ok bool
	return s.c.Call(ctx, wire.Delete, wire.Keys{Keys: keys}, &ok)
}

// invoker is rt.Invoker as calls to the runner, which queues the envelope
// durably before it replies.
type invoker struct{ c *wire.Client }

func (i invoker) Invoke(ctx context.Context, env *rt.Envelope) error {
	var ok bool
	return i.c.Call(ctx, wire.Invoke, env, &ok)
}
