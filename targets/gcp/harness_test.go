package gcp

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/firestore"
	"cloud.google.com/go/pubsub/v2"
	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"

	"github.com/unumc/unumc/internal/build"
	"github.com/unumc/unumc/internal/ir"
	"github.com/unumc/unumc/internal/runtest"
	"github.com/unumc/unumc/rt"
	"github.com/unumc/unumc/targets/gcp/fstore"
	"github.com/unumc/unumc/targets/gcp/function"
	"github.com/unumc/unumc/targets/gcp/internal/config"
	"github.com/unumc/unumc/targets/gcp/internal/emulator"
)

const project = "unumc-test"

// harness runs a workflow's node programs as processes under the
// functions framework, each on its own port of 127.0.0.1, with a topic per
// node and a push subscription from the Pub/Sub emulator to the node's
// process, and the Firestore emulator as the store: the deployment of
// deploy.sh, on loopback. A process that dies (a crash fault) is started
// again on its port, as Cloud Run starts a new instance (see supervise).
type harness struct {
	t     *testing.T
	w     *ir.Workflow
	cfg   *config.Config
	fs    *firestore.Client
	store *fstore.Store
	ps    *pubsub.Client

	mu      sync.Mutex
	reports []function.Report
	procs   []*process
}

type process struct {
	ident, bin string
	port       int // the port it listens on, guarded by mu once it is supervised
	stderr     *tail
	mu         sync.Mutex
	cmd        *exec.Cmd
	stopping   bool
	restarts   int
}

// listening is the port p listens on.
func (p *process) listening() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.port
}

var runs int

// newHarness compiles w for the gcp target and deploys it on the emulators.
func newHarness(t *testing.T, workflow string, chaos *config.Config) *harness {
	t.Helper()
	emulator.Need(t)
	ctx := context.Background()
	w, err := build.Load(workflow, "")
	if err != nil {
		t.Fatal(err)
	}
	mod, err := build.FindModule(filepath.Dir(workflow))
	if err != nil {
		t.Fatal(err)
	}
	bins, err := build.Compile(ctx, w, mod, Target, runtest.CacheDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	runs++
	run := fmt.Sprintf("r%d-%d", time.Now().UnixMilli()%1e6, runs)
	names := NamesOf(w.Name)
	cfg := &config.Config{
		Project:     project,
		Database:    config.DefaultDatabase,
		Collection:  run + "-" + names.Collection(),
		TopicPrefix: run + "-" + names.TopicPrefix(),
	}
	if chaos != nil {
		cfg.ChaosKill, cfg.ChaosNack, cfg.ChaosSeed, cfg.ChaosState = chaos.ChaosKill, chaos.ChaosNack, chaos.ChaosSeed, t.TempDir()
	}
	h := &harness{t: t, w: w, cfg: cfg}
	if h.fs, err = firestore.NewClient(ctx, project); err != nil {
		t.Fatal(err)
	}
	h.store = fstore.New(h.fs, cfg.Collection)
	if h.ps, err = pubsub.NewClient(ctx, project); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.close)
	for _, n := range w.Nodes {
		p := &process{ident: n.Ident, bin: bins.Paths[n.Ident], stderr: &tail{}}
		h.procs = append(h.procs, p)
		if err := h.launch(p); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range h.procs {
		topic := "projects/" + project + "/topics/" + cfg.Topic(p.ident)
		if _, err := h.ps.TopicAdminClient.CreateTopic(ctx, &pubsubpb.Topic{Name: topic}); err != nil {
			t.Fatal(err)
		}
		// No retry policy: the emulator stops redelivering under one (see
		// emulator.PushSubscription).
		sub := emulator.PushSubscription(h.subscription(p), topic, h.endpoint(p, p.listening()))
		if _, err := h.ps.SubscriptionAdminClient.CreateSubscription(ctx, sub); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

// subscription is the name of the push subscription of p's topic.
func (h *harness) subscription(p *process) string {
	return "projects/" + project + "/subscriptions/" + h.cfg.Topic(p.ident) + "-push"
}

// endpoint is the push endpoint of p's process on port. The path names the
// topic, as the framework expects of a push endpoint; deploy.sh's push
// endpoints are the services' URLs.
func (h *harness) endpoint(p *process, port int) string {
	return fmt.Sprintf("http://127.0.0.1:%d/projects/%s/topics/%s", port, project, h.cfg.Topic(p.ident))
}

// errStopping is start's error once close has begun.
var errStopping = errors.New("the harness is closing")

// launch starts p's process on a free port, on another when a program
// outside the test takes the port first (the machine is shared), and keeps
// it running until close (see supervise).
func (h *harness) launch(p *process) error {
	var err error
	for range 5 {
		if p.port, err = emulator.FreePort(); err != nil {
			return err
		}
		var cmd *exec.Cmd
		var exited <-chan struct{}
		if cmd, exited, err = h.start(p); err != nil {
			return err
		}
		if err = waitPort(p.port, 20*time.Second, exited); err == nil {
			go h.supervise(p, cmd, exited)
			return nil
		}
		cmd.Process.Kill()
		<-exited
	}
	return fmt.Errorf("node %s did not listen: %v\nstderr:\n%s", p.ident, err, p.stderr)
}

// supervise starts p's process again whenever it dies, until close. A
// process killed by a crash fault comes back on its port, as a new
// instance of a Cloud Run service comes up behind the same URL, and Pub/Sub
// pushes there again. A process that exited by itself failed to start,
// and in practice only because another program took its port while it was
// down (a free port can go to any new connection on the machine): it moves
// to a free port, and its push subscription with it.
func (h *harness) supervise(p *process, cmd *exec.Cmd, exited <-chan struct{}) {
	failed := 0
	for {
		<-exited
		p.mu.Lock()
		stopping := p.stopping
		if !stopping {
			p.restarts++
		}
		p.mu.Unlock()
		if stopping {
			return
		}
		if cmd.ProcessState.ExitCode() != -1 { // not killed by a signal
			if failed++; failed > 5 {
				h.fail(p, fmt.Errorf("node %s exits at start: %v\nstderr:\n%s", p.ident, cmd.ProcessState, p.stderr))
				return
			}
			if err := h.move(p); err != nil {
				h.fail(p, err)
				return
			}
		} else {
			failed = 0
		}
		time.Sleep(20 * time.Millisecond)
		var err error
		if cmd, exited, err = h.start(p); err != nil {
			h.fail(p, err)
			return
		}
	}
}

// move gives p a free port and points its push subscription at it.
func (h *harness) move(p *process) error {
	port, err := emulator.FreePort()
	if err != nil {
		return err
	}
	err = h.ps.SubscriptionAdminClient.ModifyPushConfig(context.Background(), &pubsubpb.ModifyPushConfigRequest{
		Subscription: h.subscription(p),
		PushConfig:   &pubsubpb.PushConfig{PushEndpoint: h.endpoint(p, port)},
	})
	if err != nil {
		return fmt.Errorf("moving node %s from port %d to %d: %w", p.ident, p.port, port, err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.stderr, "harness: node %s moves from port %d to %d\n", p.ident, p.port, port)
	p.port = port
	return nil
}

// fail reports err unless close has begun, when nothing matters any more
// (and the test may have ended).
func (h *harness) fail(p *process, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.stopping && err != errStopping {
		h.t.Errorf("restarting node %s: %v", p.ident, err)
	}
}

// start starts p's process on p.port and returns it with a channel closed
// once it has exited and its log lines are read.
func (h *harness) start(p *process) (*exec.Cmd, <-chan struct{}, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopping {
		return nil, nil, errStopping
	}
	cmd := exec.Command(p.bin)
	cmd.Env = append(append(os.Environ(), h.cfg.Env()...), "PORT="+strconv.Itoa(p.port))
	cmd.Stderr = p.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, err
	}
	p.cmd = cmd
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		sc := bufio.NewScanner(out)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var line function.LogLine
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Unumc != nil {
				h.mu.Lock()
				h.reports = append(h.reports, *line.Unumc)
				h.mu.Unlock()
			}
		}
		cmd.Wait()
	}()
	return cmd, exited, nil
}

func (h *harness) close() {
	ctx := context.Background()
	for _, p := range h.procs {
		p.mu.Lock()
		p.stopping = true
		if p.cmd != nil {
			p.cmd.Process.Kill()
		}
		p.mu.Unlock()
		h.ps.SubscriptionAdminClient.DeleteSubscription(ctx, &pubsubpb.DeleteSubscriptionRequest{Subscription: h.subscription(p)})
		h.ps.TopicAdminClient.DeleteTopic(ctx, &pubsubpb.DeleteTopicRequest{Topic: "projects/" + project + "/topics/" + h.cfg.Topic(p.ident)})
	}
	h.ps.Close()
	h.fs.Close()
}

// run starts an execution and waits for its status and for the protocol to
// collect everything but the status.
func (h *harness) run(execution string, input json.RawMessage, timeout time.Duration) (*rt.Status, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	start := h.w.Node(h.w.Start).Ident
	if err := Start(ctx, h.ps, h.cfg.Topic(start), start, execution, input); err != nil {
		return nil, err
	}
	var st *rt.Status
	for st == nil {
		var err error
		if st, err = Status(ctx, h.fs, h.cfg.Collection, execution); err != nil && ctx.Err() == nil {
			return nil, err
		}
		if st == nil {
			select {
			case <-ctx.Done():
				return nil, fmt.Errorf("execution %s has no status after %v; store holds %s", execution, timeout, h.keys(execution))
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	for {
		items, err := h.store.List(ctx, execution+"/")
		if err != nil {
			return st, err
		}
		if len(items) == 1 {
			return st, nil
		}
		select {
		case <-ctx.Done():
			return st, fmt.Errorf("execution %s ended but its records are not collected: %s", execution, h.keys(execution))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (h *harness) keys(execution string) string {
	items, err := h.store.List(context.Background(), execution+"/")
	if err != nil {
		return err.Error()
	}
	var keys []string
	for _, it := range items {
		k := it.Key
		if len(it.Set) > 0 {
			k += fmt.Sprintf(" %q", it.Set)
		}
		keys = append(keys, k)
	}
	return "[" + strings.Join(keys, ", ") + "]"
}

// deliveries lists the deliveries of an execution that ended, in the order
// they ended, for the message of a test that fails: a delivery that
// crashed has no line.
func (h *harness) deliveries(execution string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var b strings.Builder
	for _, r := range h.reports {
		if r.Execution != execution {
			continue
		}
		fmt.Fprintf(&b, "  delivery %s of %s: invoked %v", r.Delivery, r.Instance, r.Invoked)
		if r.Error != "" {
			fmt.Fprintf(&b, ", error %q", r.Error)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// counts sums the reports of an execution's deliveries.
func (h *harness) counts(execution string) (function.Counts, []function.Report) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var c function.Counts
	var reps []function.Report
	for _, r := range h.reports {
		if r.Execution != execution {
			continue
		}
		reps = append(reps, r)
		c.Invocations += r.Counts.Invocations
		c.FailedAttempts += r.Counts.FailedAttempts
		c.Invokes += r.Counts.Invokes
		c.Reads += r.Counts.Reads
		c.ItemsRead += r.Counts.ItemsRead
		c.Writes += r.Counts.Writes
		c.Creates += r.Counts.Creates
		c.CreateConflicts += r.Counts.CreateConflicts
		c.Deletes += r.Counts.Deletes
		c.Bytes += r.Counts.Bytes
		c.BusyMS += r.Counts.BusyMS
	}
	return c, reps
}

// checkPrivilege fails the test for every publish to a topic the deployment
// would not let the node publish to.
func (h *harness) checkPrivilege(reps []function.Report) {
	succ := Successors(h.w)
	for _, r := range reps {
		for _, to := range r.Invoked {
			if !slices.Contains(succ[r.Node], to) {
				h.t.Errorf("node %s published to %s, which its service account may not (allowed: %v)", r.Node, to, succ[r.Node])
			}
		}
	}
}

func (h *harness) restarts() int {
	n := 0
	for _, p := range h.procs {
		p.mu.Lock()
		n += p.restarts
		p.mu.Unlock()
	}
	return n
}

func (h *harness) stderr() string {
	var b strings.Builder
	for _, p := range h.procs {
		if s := p.stderr.String(); s != "" {
			fmt.Fprintf(&b, "--- %s:\n%s\n", p.ident, s)
		}
	}
	return b.String()
}

// waitPort waits until something listens on port, or exited is closed.
func waitPort(port int, d time.Duration, exited <-chan struct{}) error {
	deadline := time.Now().Add(d)
	for {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second)
		if err == nil {
			return c.Close()
		}
		if time.Now().After(deadline) {
			return err
		}
		select {
		case <-exited:
			return fmt.Errorf("exited before listening on %d", port)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// tail keeps the last 16 KiB written to it.
type tail struct {
	mu sync.Mutex
	b  []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > 16<<10 {
		t.b = t.b[len(t.b)-16<<10:]
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}

// TestHarnessRestarts checks the harness's restarts of a node: after a
// crash the node comes back on its port, and when another program takes
// the port while the node is down, the node moves to a free one and its
// push subscription follows; executions finish either way.
func TestHarnessRestarts(t *testing.T) {
	if testing.Short() {
		t.Skip("runs generated programs on the emulators")
	}
	emulator.Need(t)
	wf := "../../golden/testdata/chain/chain.unum"
	cases, err := runtest.Load(wf)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, wf, nil)
	var p *process
	for _, q := range h.procs {
		if q.ident == h.w.Node(h.w.Start).Ident {
			p = q
		}
	}
	kill := func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.cmd.Process.Kill()
	}
	run := func(exec string) {
		t.Helper()
		st, err := h.run(exec, cases[0].Input, 60*time.Second)
		if err != nil {
			t.Fatalf("%v\nnode stderr:\n%s", err, h.stderr())
		}
		runtest.Check(t, cases[0], st)
	}

	first := p.listening()
	kill()
	if err := waitPort(first, 20*time.Second, nil); err != nil {
		t.Fatalf("the node did not come back on port %d: %v", first, err)
	}
	run("restarted")
	if p.listening() != first {
		t.Fatalf("the node moved from port %d to %d after a crash", first, p.listening())
	}

	// Take the port between the crash and the restart, 20ms later; try
	// again when the restart wins.
	var l net.Listener
	for range 20 {
		kill()
		for end := time.Now().Add(time.Second); l == nil && time.Now().Before(end); time.Sleep(time.Millisecond) {
			l, _ = net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(first))
		}
		if l != nil {
			break
		}
	}
	if l == nil {
		t.Fatalf("could not take port %d from the node", first)
	}
	// The program on the port is not the node; Pub/Sub pushes there until
	// the node has moved.
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "not the node", http.StatusServiceUnavailable)
	})}
	go srv.Serve(l)
	defer srv.Close()
	run("moved")
	if p.listening() == first {
		t.Fatalf("the node is still on port %d, which the test holds", first)
	}
	if h.restarts() < 3 {
		t.Errorf("%d restarts, want at least 3 (two crashes and a failed start)", h.restarts())
	}
}
