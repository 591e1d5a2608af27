package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/unumc/unumc/rt"
	"github.com/unumc/unumc/targets/aws/ddb"
)

// The environment variables of a node's function.
const (
	EnvTable     = "UNUMC_TABLE"     // the DynamoDB table's name
	EnvFunctions = "UNUMC_FUNCTIONS" // JSON object: node identifier -> function name or ARN, for the nodes it invokes
	// Optional tuning, with the defaults of Config.
	EnvInlineLimit       = "UNUMC_INLINE_LIMIT"        // bytes
	EnvCheckpointTTL     = "UNUMC_CHECKPOINT_TTL"      // a Go duration
	EnvStatusTTL         = "UNUMC_STATUS_TTL"          // a Go duration
	EnvFanOutConcurrency = "UNUMC_FANOUT_CONCURRENCY"  // concurrent Invoke calls of one fan-out
	EnvCollect           = "UNUMC_COLLECT"             // "expiry" (default) or "delete": see Config.Collect
	EnvChaosKill         = "UNUMC_CHAOS_KILL"          // tests only: "SEED:P", die at each fault point with probability P
	EnvDynamoDBEndpoint  = "AWS_ENDPOINT_URL_DYNAMODB" // the SDK's own names
	EnvLambdaEndpoint    = "AWS_ENDPOINT_URL_LAMBDA"
)

// Defaults of the tuning variables. The inline limit leaves room under
// Lambda's 256 KB limit on asynchronous payloads for the envelope around
// the input; larger inputs travel by reference to the sender's checkpoint.
const (
	DefaultInlineLimit       = 200_000
	DefaultCheckpointTTL     = 24 * time.Hour
	DefaultStatusTTL         = 7 * 24 * time.Hour
	DefaultFanOutConcurrency = 16
)

// The values of EnvCollect.
const (
	CollectByExpiry = "expiry"
	CollectByDelete = "delete"
)

// Config is what a node's function reads from its environment.
type Config struct {
	Table             string
	Functions         map[string]string
	InlineLimit       int
	CheckpointTTL     time.Duration
	StatusTTL         time.Duration
	FanOutConcurrency int
	// Collect is how records go: "expiry", the default, leaves them to
	// DynamoDB's TTL, whose deletes are free, and reads nothing before a
	// run (rt.Platform.CollectByExpiry): one conditional write and the
	// invokes per instance. "delete" runs the collecting protocol, with a
	// read before each run and deletes, which leaves nothing but the
	// status once an execution ends and never runs a function again for a
	// duplicate, at about twice the DynamoDB bill.
	Collect   string
	ChaosSeed uint64
	ChaosKill float64
}

// ConfigFromEnv reads Config through getenv, with the defaults for unset
// tuning variables.
func ConfigFromEnv(getenv func(string) string) (*Config, error) {
	c := &Config{
		Table: getenv(EnvTable), InlineLimit: DefaultInlineLimit, CheckpointTTL: DefaultCheckpointTTL,
		StatusTTL: DefaultStatusTTL, FanOutConcurrency: DefaultFanOutConcurrency, Functions: map[string]string{},
		Collect: CollectByExpiry,
	}
	if c.Table == "" {
		return nil, fmt.Errorf("%s is not set", EnvTable)
	}
	if v := getenv(EnvFunctions); v != "" {
		if err := json.Unmarshal([]byte(v), &c.Functions); err != nil {
			return nil, fmt.Errorf("%s: %v", EnvFunctions, err)
		}
	}
	var err error
	intVar := func(name string, p *int) {
		if v := getenv(name); v != "" && err == nil {
			if *p, err = strconv.Atoi(v); err != nil || *p <= 0 {
				err = fmt.Errorf("%s=%q: want a positive integer", name, v)
			}
		}
	}
	durVar := func(name string, p *time.Duration) {
		if v := getenv(name); v != "" && err == nil {
			if *p, err = time.ParseDuration(v); err != nil || *p <= 0 {
				err = fmt.Errorf("%s=%q: want a positive duration such as 24h", name, v)
			}
		}
	}
	switch v := getenv(EnvCollect); v {
	case "":
	case CollectByExpiry, CollectByDelete:
		c.Collect = v
	default:
		err = fmt.Errorf("%s=%q: want %q or %q", EnvCollect, v, CollectByExpiry, CollectByDelete)
	}
	intVar(EnvInlineLimit, &c.InlineLimit)
	intVar(EnvFanOutConcurrency, &c.FanOutConcurrency)
	durVar(EnvCheckpointTTL, &c.CheckpointTTL)
	durVar(EnvStatusTTL, &c.StatusTTL)
	if v := getenv(EnvChaosKill); v != "" && err == nil {
		seed, p, ok := strings.Cut(v, ":")
		c.ChaosSeed, err = strconv.ParseUint(seed, 10, 64)
		if err == nil && ok {
			c.ChaosKill, err = strconv.ParseFloat(p, 64)
		}
		if err != nil || !ok {
			err = fmt.Errorf("%s=%q: want SEED:PROBABILITY", EnvChaosKill, v)
		}
	}
	return c, err
}

// Main serves node's invocations as a Lambda function. Outside Lambda (no
// AWS_LAMBDA_RUNTIME_API) or misconfigured, it says why and exits 2.
func Main(node *rt.Node) {
	if os.Getenv("AWS_LAMBDA_RUNTIME_API") == "" {
		fmt.Fprintf(os.Stderr, "%s: node %q of workflow %q is an AWS Lambda function's bootstrap, run by Lambda (AWS_LAMBDA_RUNTIME_API is not set)\n", os.Args[0], node.Name, node.Workflow)
		os.Exit(2)
	}
	cfg, err := ConfigFromEnv(os.Getenv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: node %q: %v\n", os.Args[0], node.Name, err)
		os.Exit(2)
	}
	awsCfg := aws.Config{Region: os.Getenv("AWS_REGION"), Credentials: envCredentials{}}
	db := dynamodb.NewFromConfig(awsCfg, func(o *dynamodb.Options) {
		if ep := os.Getenv(EnvDynamoDBEndpoint); ep != "" {
			o.BaseEndpoint = aws.String(ep)
		}
	})
	fn := awslambda.NewFromConfig(awsCfg, func(o *awslambda.Options) {
		if ep := os.Getenv(EnvLambdaEndpoint); ep != "" {
			o.BaseEndpoint = aws.String(ep)
		}
	})
	h := NewHandler(node, cfg, ddb.New(db, cfg.Table), fn, os.Stdout)
	lambda.Start(h.Handle)
}

// envCredentials are the execution role's credentials, which Lambda puts in
// the environment.
type envCredentials struct{}

func (envCredentials) Retrieve(context.Context) (aws.Credentials, error) {
	c := aws.Credentials{
		AccessKeyID: os.Getenv("AWS_ACCESS_KEY_ID"), SecretAccessKey: os.Getenv("AWS_SECRET_ACCESS_KEY"),
		SessionToken: os.Getenv("AWS_SESSION_TOKEN"), Source: "environment",
	}
	if c.AccessKeyID == "" || c.SecretAccessKey == "" {
		return c, errors.New("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
	}
	return c, nil
}

// InvokeAPI is the part of the Lambda client the invoker uses.
type InvokeAPI interface {
	Invoke(context.Context, *awslambda.InvokeInput, ...func(*awslambda.Options)) (*awslambda.InvokeOutput, error)
}

// Handler serves one node's invocations.
type Handler struct {
	node  *rt.Node
	p     *rt.Platform
	store *ddb.Store
	inv   *invoker
	log   io.Writer
}

// NewHandler returns the handler of node, storing through store and
// invoking through api, that writes its reports to log.
func NewHandler(node *rt.Node, cfg *Config, store *ddb.Store, api InvokeAPI, log io.Writer) *Handler {
	inv := &invoker{api: api, functions: cfg.Functions}
	p := &rt.Platform{
		Store: store, Invoker: inv,
		CheckpointTTL: cfg.CheckpointTTL, StatusTTL: cfg.StatusTTL,
		InlineLimit: cfg.InlineLimit, FanOutConcurrency: cfg.FanOutConcurrency,
		CollectByExpiry: cfg.Collect == CollectByExpiry,
		ElementRecords:  true, // DynamoDB bills reads by size
	}
	if cfg.ChaosKill > 0 {
		p.Fault = func(point string, env *rt.Envelope, step int) {
			if roll(cfg.ChaosSeed, env.Execution, env.Instance(), env.Ref, point, strconv.Itoa(step)) < cfg.ChaosKill {
				kill()
			}
		}
	}
	return &Handler{node: node, p: p, store: store, inv: inv, log: log}
}

// Handle runs one invocation, whose event is an rt.Envelope.
func (h *Handler) Handle(ctx context.Context, event json.RawMessage) error {
	start := time.Now()
	var env rt.Envelope
	err := json.Unmarshal(event, &env)
	if err != nil {
		err = fmt.Errorf("unum: the event is not an unumc envelope: %v", err)
	} else {
		err = rt.Handle(ctx, h.node, h.p, &env)
	}
	c := h.store.Take()
	c.Invokes = h.inv.take()
	c.Invocations = 1
	c.BusyMS = time.Since(start).Milliseconds()
	r := ddb.Report{Stats: ddb.ReportVersion, Execution: env.Execution, Node: h.node.Ident, Instance: env.Instance(), Counts: c}
	if err != nil {
		c.FailedAttempts = 1
		r.Counts, r.Error = c, err.Error()
	}
	line, _ := json.Marshal(r)
	fmt.Fprintf(h.log, "%s\n", line)
	return err
}

// invoker is rt.Invoker as asynchronous Lambda invocations.
type invoker struct {
	api       InvokeAPI
	functions map[string]string
	mu        sync.Mutex
	n         int
}

func (i *invoker) Invoke(ctx context.Context, env *rt.Envelope) error {
	fn, ok := i.functions[env.Node]
	if !ok {
		return fmt.Errorf("unum: no function for node %q in %s: this node may not invoke it", env.Node, EnvFunctions)
	}
	payload, err := json.Marshal(env)
	if err != nil {
		return err
	}
	out, err := i.api.Invoke(ctx, &awslambda.InvokeInput{
		FunctionName: aws.String(fn), InvocationType: types.InvocationTypeEvent, Payload: payload,
	})
	i.mu.Lock()
	i.n++
	i.mu.Unlock()
	if err != nil {
		return fmt.Errorf("lambda Invoke %s: %w", fn, err)
	}
	if out.StatusCode != 202 {
		return fmt.Errorf("lambda Invoke %s: status %d, want 202 for an asynchronous invocation", fn, out.StatusCode)
	}
	return nil
}

func (i *invoker) take() int {
	i.mu.Lock()
	defer i.mu.Unlock()
	n := i.n
	i.n = 0
	return n
}
