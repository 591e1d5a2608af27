package gcp

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
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
	"google.golang.org/protobuf/types/known/durationpb"

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
// again on its port, as Cloud Run starts a new instance.
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
	port       int
	env        []string
	stderr     *tail
	mu         sync.Mutex
	cmd        *exec.Cmd
	stopping   bool
	restarts   int
	exited     chan struct{} // closed when the first process exits; nil after

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
		// The path names the topic, as the framework expects of a push
		// endpoint; deploy.sh's push endpoints are the services' URLs.
		_, err := h.ps.SubscriptionAdminClient.CreateSubscription(ctx, &pubsubpb.Subscription{
			Name:               "projects/" + project + "/subscriptions/" + cfg.Topic(p.ident) + "-push",
			Topic:              topic,
			PushConfig:         &pubsubpb.PushConfig{PushEndpoint: fmt.Sprintf("http://127.0.0.1:%d/%s", p.port, topic)},
			AckDeadlineSeconds: 60,
			RetryPolicy:        &pubsubpb.RetryPolicy{MinimumBackoff: durationpb.New(100 * time.Millisecond), MaximumBackoff: durationpb.New(2 * time.Second)},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return h
}

// launch starts p's process on a free port, and on another when a program
// outside the test takes the port first (the machine is shared).
func (h *harness) launch(p *process) error {
	var err error
	for range 5 {
		if p.port, err = emulator.FreePort(); err != nil {
			return err
		}
		p.env = append(os.Environ(), h.cfg.Env()...)
		p.env = append(p.env, "PORT="+strconv.Itoa(p.port))
		exited := make(chan struct{})
		p.mu.Lock()
		p.stopping, p.exited = false, exited
		p.mu.Unlock()
		if err = h.start(p); err != nil {
			return err
		}
		if err = waitPort(p.port, 20*time.Second, exited); err == nil {
			return nil
		}
		p.mu.Lock()
		p.stopping = true
		p.cmd.Process.Kill()
		p.mu.Unlock()
	}
	return fmt.Errorf("node %s did not listen: %v\nstderr:\n%s", p.ident, err, p.stderr)
}

// start starts p's process and restarts it whenever it dies until close.
func (h *harness) start(p *process) error {
	cmd := exec.Command(p.bin)
	cmd.Env = p.env
	cmd.Stderr = p.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	p.mu.Lock()
	p.cmd = cmd
	p.mu.Unlock()
	go func() {
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
		p.mu.Lock()
		if p.exited != nil {
			close(p.exited)
			p.exited = nil
		}
		stopping := p.stopping
		if !stopping {
			p.restarts++
		}
		p.mu.Unlock()
		if !stopping {
			time.Sleep(20 * time.Millisecond)
			if err := h.start(p); err != nil {
				h.t.Errorf("restarting node %s: %v", p.ident, err)
			}
		}
	}()
	return nil
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
		h.ps.SubscriptionAdminClient.DeleteSubscription(ctx, &pubsubpb.DeleteSubscriptionRequest{Subscription: "projects/" + project + "/subscriptions/" + h.cfg.Topic(p.ident) + "-push"})
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
		if st, err = Status(ctx, h.fs, h.cfg.Collection, execution); err != nil {
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
		keys = append(keys, it.Key)
	}
	return "[" + strings.Join(keys, ", ") + "]"
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
func waitPort(port int, d time.Duration, exited chan struct{}) error {
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
