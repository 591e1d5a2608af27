package function

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"cloud.google.com/go/firestore"
	"cloud.google.com/go/pubsub/v2"
	"github.com/GoogleCloudPlatform/functions-framework-go/funcframework"
	cloudevents "github.com/cloudevents/sdk-go/v2"

	"github.com/unumc/unumc/rt"
	"github.com/unumc/unumc/targets/gcp/fstore"
	"github.com/unumc/unumc/targets/gcp/internal/config"
)

// Main serves node's invocations on PORT until the process is stopped.
// A missing setting or an unreachable service ends it with exit status 2.
func Main(node *rt.Node) {
	if err := run(context.Background(), node, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "%s: node %q of workflow %q: %v\n", os.Args[0], node.Name, node.Workflow, err)
		os.Exit(2)
	}
}

func run(ctx context.Context, node *rt.Node, getenv func(string) string, log io.Writer) error {
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		return err
	}
	port := getenv("PORT")
	if port == "" {
		port = "8080"
	}
	fs, err := firestore.NewClientWithDatabase(ctx, cfg.Project, cfg.Database)
	if err != nil {
		return fmt.Errorf("firestore: %w", err)
	}
	defer fs.Close()
	ps, err := pubsub.NewClient(ctx, cfg.Project)
	if err != nil {
		return fmt.Errorf("pubsub: %w", err)
	}
	defer ps.Close()
	s := newServer(node, cfg, fstore.New(fs, cfg.Collection), &publisher{client: ps, cfg: cfg}, log)
	if err := funcframework.RegisterCloudEventFunctionContext(ctx, "/", s.handle); err != nil {
		return err
	}
	return funcframework.Start(port)
}

// server handles the deliveries of one node.
type server struct {
	node  *rt.Node
	cfg   *config.Config
	store rt.Store
	inv   rt.Invoker
	chaos *chaos // nil without fault injection

	logMu sync.Mutex
	log   *json.Encoder

	mu       sync.Mutex
	attempts map[string]int // deliveries seen by this instance, by delivery id
}

func newServer(node *rt.Node, cfg *config.Config, store rt.Store, inv rt.Invoker, log io.Writer) *server {
	s := &server{node: node, cfg: cfg, store: store, inv: inv, log: json.NewEncoder(log), attempts: map[string]int{}}
	if cfg.ChaosKill > 0 || cfg.ChaosNack > 0 {
		s.chaos = &chaos{cfg: cfg}
	}
	return s
}

// pushData is the data of the CloudEvent that the framework makes of a
// Pub/Sub push request, and that Eventarc sends for a Pub/Sub trigger.
type pushData struct {
	Message struct {
		Data      []byte `json:"data"`
		MessageID string `json:"messageId"`
	} `json:"message"`
	DeliveryAttempt int `json:"deliveryAttempt"`
}

// errBadEvent marks a delivery that no retry can fix; it is acknowledged
// and logged rather than retried for ever.
var errBadEvent = errors.New("bad event")

// handle runs one delivery. Its error makes the framework answer 500, and
// Pub/Sub delivers the message again.
func (s *server) handle(ctx context.Context, ev cloudevents.Event) error {
	env, err := s.envelope(ev)
	if err != nil {
		s.logLine(&Report{Delivery: ev.ID(), Node: s.node.Ident, Error: err.Error(), Dropped: true})
		return nil // acknowledged: a malformed message never gets better
	}
	id := ev.ID()
	s.mu.Lock()
	if len(s.attempts) > 10000 {
		clear(s.attempts) // a bound, not a cache: Attempt is informational
	}
	s.attempts[id]++
	env.Attempt = max(env.Attempt, s.attempts[id])
	s.mu.Unlock()

	began := time.Now()
	rep := &Report{Delivery: id, Execution: env.Execution, Node: s.node.Ident, Instance: env.Instance(), Attempt: env.Attempt}
	p := &rt.Platform{
		Store:             &countingStore{s: s.store, c: &rep.Counts},
		Invoker:           &countingInvoker{inv: s.inv, rep: rep},
		CheckpointTTL:     s.cfg.CheckpointTTL,
		StatusTTL:         s.cfg.StatusTTL,
		InlineLimit:       s.cfg.InlineLimit,
		FanOutConcurrency: s.cfg.FanOutConcurrency,
	}
	if s.chaos != nil {
		p.Fault = func(point string, env *rt.Envelope, step int) { s.chaos.fault(id, point, env, step) }
	}
	rep.Counts.Invocations = 1
	rep.Counts.Bytes += int64(len(env.Input))
	err = rt.Handle(ctx, s.node, p, env)
	if err == nil && s.chaos != nil && s.chaos.nack(id) {
		err = errors.New("chaos: acknowledgement lost")
	}
	if err != nil {
		rep.Counts.FailedAttempts = 1
		rep.Error = err.Error()
	}
	rep.Counts.BusyMS = time.Since(began).Milliseconds()
	s.logLine(rep)
	return err
}

func (s *server) envelope(ev cloudevents.Event) (*rt.Envelope, error) {
	var d pushData
	if err := json.Unmarshal(ev.Data(), &d); err != nil {
		return nil, fmt.Errorf("%w: %s data is not a Pub/Sub message: %v", errBadEvent, ev.Type(), err)
	}
	env := &rt.Envelope{}
	if err := json.Unmarshal(d.Message.Data, env); err != nil {
		return nil, fmt.Errorf("%w: message %s is not an unumc envelope: %v", errBadEvent, d.Message.MessageID, err)
	}
	env.Attempt = d.DeliveryAttempt // set only with a dead-letter policy
	return env, nil
}

// Report is the line a node program logs after each delivery, in the
// structured form Cloud Logging reads from stdout: the "unumc" field holds
// it under a message and a severity.
type Report struct {
	Delivery  string   `json:"delivery"`
	Execution string   `json:"execution,omitempty"`
	Node      string   `json:"node"`
	Instance  string   `json:"instance,omitempty"`
	Attempt   int      `json:"attempt,omitempty"`
	Invoked   []string `json:"invoked,omitempty"` // the nodes it published to
	Error     string   `json:"error,omitempty"`
	Dropped   bool     `json:"dropped,omitempty"` // acknowledged without running: malformed
	Counts    Counts   `json:"counts"`
}

// LogLine is the JSON object of each logged line.
type LogLine struct {
	Severity string  `json:"severity"`
	Message  string  `json:"message"`
	Unumc    *Report `json:"unumc"`
}

func (s *server) logLine(r *Report) {
	line := LogLine{Severity: "INFO", Message: "unumc delivery " + r.Delivery + " of " + r.Instance, Unumc: r}
	if r.Error != "" {
		line.Severity = "ERROR"
		line.Message += ": " + r.Error
	}
	s.logMu.Lock()
	defer s.logMu.Unlock()
	s.log.Encode(line)
}

// publisher is rt.Invoker on Pub/Sub: one publisher per successor topic.
type publisher struct {
	client *pubsub.Client
	cfg    *config.Config
	mu     sync.Mutex
	topics map[string]*pubsub.Publisher
}

func (p *publisher) Invoke(ctx context.Context, env *rt.Envelope) error {
	data, err := json.Marshal(env)
	if err != nil {
		return err
	}
	p.mu.Lock()
	if p.topics == nil {
		p.topics = map[string]*pubsub.Publisher{}
	}
	t := p.topics[env.Node]
	if t == nil {
		t = p.client.Publisher(p.cfg.Topic(env.Node))
		// The default 10ms wait to fill a batch would be added to every
		// hand-over; fan-outs still batch what is published meanwhile.
		t.PublishSettings.DelayThreshold = time.Millisecond
		p.topics[env.Node] = t
	}
	p.mu.Unlock()
	// Wait for the server's acknowledgement: only then is the successor's
	// invocation durable, and may this invocation succeed.
	if _, err := t.Publish(ctx, &pubsub.Message{Data: data}).Get(ctx); err != nil {
		return fmt.Errorf("publish to %s: %w", p.cfg.Topic(env.Node), err)
	}
	return nil
}
