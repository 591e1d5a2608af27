package local

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"time"

	"github.com/unumc/unumc/rt"
	"github.com/unumc/unumc/targets/local/internal/wire"
)

// handshakeTimeout bounds the start of a node process: a binary that is not
// a unumc node never says hello.
const handshakeTimeout = 10 * time.Second

// process is one running node program.
type process struct {
	node   string
	ahead  bool // started by prestart, not yet used (the pool's, under its mu)
	bin    string
	cmd    *exec.Cmd
	client *wire.Client // the runner's requests to the node
	svc    *nodeService // the node's calls to the runner
	stdout *output
	stderr *output

	mu       sync.Mutex
	run      *runner      // the run of the invocation being run, or of the last one
	current  string       // the instance being run, for log prefixes
	env      *rt.Envelope // the envelope being run
	after    uint64       // the store version the invocation's records need; see entry.after
	hello    chan struct{}
	helloErr error // why the handshake was refused

	served  chan struct{} // closed once every call the node made has been answered
	exited  chan struct{} // closed once the process has been waited for
	waitErr error
	stopped sync.Once
}

// spawn starts a process for node and waits for its handshake. Until it
// runs an invocation, what it writes goes to the log of r, the run that
// wanted it.
func (h *host) spawn(ctx context.Context, r *runner, node string) (_ *process, err error) {
	bin, ok := h.opts.Binaries[node]
	if !ok {
		return nil, fmt.Errorf("no binary for node %q", node)
	}
	p := &process{node: node, bin: bin, run: r, current: node, hello: make(chan struct{}),
		served: make(chan struct{}), exited: make(chan struct{})}
	p.stdout = &output{dest: p.dest}
	p.stderr = &output{dest: p.dest, keep: true}

	// The node's ends of the pipes go to the child as fds 3 to 6 and are
	// closed here after the start, so that each side sees EOF when the
	// other exits.
	var child, mine []*os.File
	defer func() {
		closeAll(child)
		if err != nil {
			closeAll(mine)
		}
	}()
	pipe := func() (*os.File, *os.File) {
		rd, wr, perr := os.Pipe()
		if perr != nil && err == nil {
			err = perr
		}
		return rd, wr
	}
	reqR, reqW := pipe()   // fd 3: requests to the node
	repR, repW := pipe()   // fd 4: its replies
	callR, callW := pipe() // fd 5: the node's calls
	crR, crW := pipe()     // fd 6: replies to them
	child = []*os.File{reqR, repW, callW, crR}
	mine = []*os.File{reqW, repR, callR, crW}
	if err != nil {
		return nil, err
	}

	svc := &nodeService{h: h, p: p}
	methods := map[string]wire.Handler{
		wire.Hello: wire.Method(svc.Hello),
		// Every call is answered in the order it comes, in the loop that
		// reads them: none waits for more than a batch of the file being
		// written (a read of a record not yet in it; a create returns
		// without waiting, see Store.create), and a goroutine each would
		// cost a thread's wakeup, a good part of a call's time.
		wire.Get:    wire.Inline(wire.Method(svc.Get)),
		wire.Create: wire.Inline(wire.Method(svc.Create)),
		wire.Add:    wire.Inline(wire.Method(svc.Add)),
		wire.Batch:  wire.Inline(wire.Method(svc.Batch)),
	}
	p.svc = svc
	p.cmd = exec.Command(bin)
	p.cmd.ExtraFiles = child
	p.cmd.Env = append(os.Environ(), wire.EnvVar+"="+wire.ProtocolVersion)
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	// A grandchild holding the node's stdout must not hold up Wait forever.
	p.cmd.WaitDelay = time.Second
	err = p.cmd.Start()
	closeAll(child)
	child = nil
	if err != nil {
		return nil, fmt.Errorf("start node %q: %w", node, err)
	}
	p.client = wire.NewClient(wire.Conn{R: repR, W: reqW})
	go func() {
		wire.Serve(wire.Conn{R: callR, W: crW}, methods)
		close(p.served)
	}()
	go func() {
		p.waitErr = p.cmd.Wait()
		p.stdout.flush()
		p.stderr.flush()
		close(p.exited)
	}()

	timer := time.NewTimer(handshakeTimeout)
	defer timer.Stop()
	select {
	case <-p.hello:
		return p, nil
	case <-p.exited:
		p.stop()
		p.mu.Lock()
		refused := p.helloErr
		p.mu.Unlock()
		if refused != nil {
			return nil, refused
		}
		return nil, p.failure(fmt.Errorf("node %q (%s) exited before its handshake: %v", node, bin, p.waitErr))
	case <-timer.C:
		p.kill()
		p.stop()
		return nil, fmt.Errorf("node %q (%s) did not start within %v; is it a unumc node program built for the local target?", node, bin, handshakeTimeout)
	case <-ctx.Done():
		p.kill()
		p.stop()
		return nil, ctx.Err()
	}
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

func closeAll(fs []*os.File) {
	for _, f := range fs {
		if f != nil {
			f.Close()
		}
	}
}

// dest is where the process's output goes: the log of the execution it
// runs or last ran, and the line prefix.
func (p *process) dest() (*logFile, string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.run.log, p.current
}

// runner returns the run of the invocation being run, or of the last one.
func (p *process) runner() *runner {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.run
}

// greet checks the node's handshake.
func (p *process) greet(workflow string, h wire.HelloArgs) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.helloErr != nil || isClosed(p.hello):
		return errors.New("handshake repeated")
	case h.Workflow != workflow || h.Node != p.node:
		p.helloErr = fmt.Errorf("binary %s is node %q of workflow %q, not node %q of workflow %q",
			p.bin, h.Node, h.Workflow, p.node, workflow)
	case h.Version != rt.Version:
		p.helloErr = fmt.Errorf("binary %s of node %q was built with runtime version %d, the runner has %d: rebuild it",
			p.bin, p.node, h.Version, rt.Version)
	default:
		close(p.hello)
		return nil
	}
	return p.helloErr
}

// invoke delivers one envelope of r's execution and waits for the
// invocation to end. It reports whether the process can serve another
// invocation.
func (p *process) invoke(ctx context.Context, r *runner, env *rt.Envelope, timeout time.Duration) (reusable bool, err error) {
	p.mu.Lock()
	p.run, p.current, p.env, p.after = r, env.Instance(), env, 0
	p.mu.Unlock()
	p.stderr.reset()

	done := new(wire.Done)
	r.counts.roundTrip()
	call := p.client.Go(wire.Deliver, env, done)
	var expire <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		expire = t.C
	}
	select {
	case <-call.Done:
		var handlerErr wire.RemoteError
		switch {
		case call.Err == nil:
			if done.Err != "" {
				// The node is fine; the invocation failed.
				return true, p.failure(errors.New(done.Err))
			}
			// What the node held back is part of the attempt: it has
			// succeeded once the runner has carried it out.
			if err := p.svc.apply(done.Ops); err != nil {
				return true, p.failure(err)
			}
			return true, nil
		case errors.As(call.Err, &handlerErr):
			return true, p.failure(errors.New(string(handlerErr)))
		}
		// The pipe broke: the process crashed or exited.
		p.kill()
		<-p.exited
		return false, p.failure(fmt.Errorf("node process exited: %v", p.waitErr))
	case <-expire:
		p.kill()
		<-p.exited
		return false, p.failure(fmt.Errorf("timed out after %v", timeout))
	case <-ctx.Done():
		p.kill()
		return false, ctx.Err()
	}
}

// failure adds the tail of the process's stderr to err.
func (p *process) failure(err error) error {
	return &attemptError{err: err, stderr: p.stderr.Tail()}
}

type attemptError struct {
	err    error
	stderr string
}

func (e *attemptError) Error() string { return e.err.Error() }
func (e *attemptError) Unwrap() error { return e.err }

func (p *process) kill() {
	if p.cmd.Process != nil {
		p.cmd.Process.Kill() // an error means it has exited already
	}
}

// stop lets the process go: closing its request pipe ends its serve loop
// and it exits; one that does not is killed. stop returns once every call
// the node made has been answered, so nothing it does outlives it.
func (p *process) stop() {
	p.stopped.Do(func() {
		p.client.Close()
		select {
		case <-p.exited:
		case <-time.After(2 * time.Second):
			p.kill()
			<-p.exited
		}
		<-p.served
	})
}

// needs records that the invocation made a change the file must hold at
// version v before anyone acts on it, and returns the latest such version.
func (p *process) needs(v uint64) uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.after = max(p.after, v)
	return p.after
}

// running returns the envelope the process is running.
func (p *process) running() *rt.Envelope {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.env
}
