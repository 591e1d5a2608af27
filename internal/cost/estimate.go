package cost

import (
	"fmt"
	"math"
	"time"

	"github.com/unumc/unumc/internal/cost/meter"
	"github.com/unumc/unumc/internal/ir"
	"github.com/unumc/unumc/rt"
	"github.com/unumc/unumc/targets/local"
)

// The targets Estimate prices.
const (
	TargetAWS = "aws"
	TargetGCP = "gcp"
)

// Defaults of the deployments the targets make.
const (
	// DefaultLambdaMB is the MemorySize targets/aws gives every function.
	DefaultLambdaMB = 256
	// DefaultCloudRunMiB is Cloud Run's default memory, which the gcp
	// target's deploy.sh leaves as it is, with Cloud Run's default of one
	// vCPU (CloudRunCPUs).
	DefaultCloudRunMiB = 512
	CloudRunCPUs       = 1
	// DefaultExecutions is how many executions a report prices.
	DefaultExecutions = 1_000_000
)

// Options choose what Estimate prices.
type Options struct {
	Target     string // TargetAWS or TargetGCP
	MemoryMB   int    // each function's (service's) memory; 0: the target's default
	Arch       string // Lambda's architecture: arm64 (the default, as targets/aws) or x86_64
	Executions int    // how many executions to price; 0: DefaultExecutions
}

// Run is one execution run locally, to be priced.
type Run struct {
	Workflow *ir.Workflow
	Stats    *local.Stats
	// Durations, when not nil, has each delivery's duration by node
	// identifier; see Measure.
	Durations map[string][]time.Duration
	// Start is the invocation that started the execution. On Google Cloud
	// it is a Pub/Sub message too (unumc start publishes it).
	Start *rt.Envelope
}

// Report is the priced comparison of one execution.
type Report struct {
	Workflow   string     `json:"workflow"`
	Target     string     `json:"target"`
	Setup      string     `json:"setup"` // the configuration priced, in words
	MemoryMB   int        `json:"memory_mb"`
	Arch       string     `json:"arch,omitempty"`
	Executions int        `json:"executions"`
	PricesDate string     `json:"prices_date"`
	Shape      Shape      `json:"shape"`
	Metered    meter.Bill `json:"metered"` // what unumc's requests bill, per execution
	Columns    []Column   `json:"columns"`
	Prices     []Price    `json:"prices"` // the prices used
	// Notes are caveats about this execution's figures.
	Notes []string `json:"notes,omitempty"`
}

// Column is one way to run the workflow, priced.
type Column struct {
	Key   string `json:"key"`
	Name  string `json:"name"`
	Lines []Line `json:"lines"`
	// PerExecution is the cost of one execution in dollars, PerExecutions
	// of Report.Executions, and Relative PerExecution over unumc's.
	PerExecution  float64 `json:"per_execution_usd"`
	PerExecutions float64 `json:"per_executions_usd"`
	Relative      float64 `json:"relative_to_unumc"`
}

// Line is one billed quantity of a column, per execution.
type Line struct {
	Item     string  `json:"item"`
	Quantity float64 `json:"quantity"`
	Price    string  `json:"price,omitempty"` // its price in Prices; empty for a count shown but not billed
	USD      float64 `json:"usd"`
}

// The columns, by Key.
const (
	ColumnUnumc    = "unumc"
	ColumnUnum     = "unum"
	ColumnUnum2023 = "unum-2023"
	ColumnStandard = "sfn-standard"
	ColumnExpress  = "sfn-express"
)

// Estimate prices one execution on the target o names: what unumc's
// programs would bill there, what Unum's published request pattern would
// bill for the same execution at today's prices (and on AWS at the prices
// of Unum's time), and what Step Functions Standard and Express would bill
// to run the same states, calling the same functions as Lambda tasks.
func Estimate(r Run, o Options) (*Report, error) {
	if o.Executions == 0 {
		o.Executions = DefaultExecutions
	}
	if o.Executions < 0 {
		return nil, fmt.Errorf("%d executions", o.Executions)
	}
	if o.Arch == "" {
		o.Arch = "arm64"
	}
	if o.Arch != "arm64" && o.Arch != "x86_64" {
		return nil, fmt.Errorf("unknown Lambda architecture %q (arm64 or x86_64)", o.Arch)
	}
	if o.MemoryMB < 0 {
		return nil, fmt.Errorf("memory of %d MB", o.MemoryMB)
	}
	sh := Measure(r.Workflow, r.Stats, r.Durations)
	rep := &Report{Workflow: r.Workflow.Name, Target: o.Target, Executions: o.Executions, PricesDate: PricesDate,
		Shape: sh, Metered: r.Stats.Metered}
	m := models{shape: sh, metered: r.Stats.Metered, arch: o.Arch}
	largest := r.Stats.Metered.Largest
	if r.Start != nil {
		m.startBytes = meter.MessageBytes(r.Start)
		largest = max(largest, int64(len(r.Start.Input)))
	}
	if largest > meter.StateDataLimit {
		rep.Notes = append(rep.Notes, fmt.Sprintf("one request carried %s bytes, more than the %s Step Functions passes into or out of a state: it could not run this execution as it is, without S3 (not priced)",
			Count(int(largest)), Count(meter.StateDataLimit)))
	}
	// Step Functions calls the same functions as Lambda tasks at the same
	// memory as unumc's functions on AWS.
	m.lambdaMB = DefaultLambdaMB
	switch o.Target {
	case TargetAWS:
		if o.MemoryMB > 0 {
			m.lambdaMB = o.MemoryMB
		}
		rep.MemoryMB, rep.Arch = m.lambdaMB, o.Arch
		rep.Setup = fmt.Sprintf("Lambda %s %d MB, DynamoDB on demand", o.Arch, m.lambdaMB)
		rep.Columns = []Column{
			m.column(ColumnUnumc, "unumc", m.lambda(sh.Invocations, sh.LambdaMS), m.dynamoDB(r.Stats.Metered.DynamoDB, false)),
			m.column(ColumnUnum, "Unum's pattern", m.lambda(sh.Invocations, sh.LambdaMS), m.dynamoDB(m.unumDynamoDB(), false)),
			m.column(ColumnUnum2023, "Unum's pattern, 2023 prices", m.lambda(sh.Invocations, sh.LambdaMS), m.dynamoDB(m.unumDynamoDB(), true)),
			m.column(ColumnStandard, "Step Functions Standard", m.lambda(sh.Tasks, sh.TaskLambdaMS), m.standard()),
			m.column(ColumnExpress, "Step Functions Express", m.lambda(sh.Tasks, sh.TaskLambdaMS), m.express(r.Workflow)),
		}
	case TargetGCP:
		m.runMiB = DefaultCloudRunMiB
		if o.MemoryMB > 0 {
			m.runMiB = o.MemoryMB
		}
		rep.MemoryMB = m.runMiB
		rep.Arch = ""
		rep.Setup = fmt.Sprintf("Cloud Run %d vCPU %d MiB, request-based billing; Firestore; Pub/Sub push; Step Functions with Lambda %s %d MB",
			CloudRunCPUs, m.runMiB, o.Arch, m.lambdaMB)
		run := m.cloudRun()
		rep.Columns = []Column{
			m.column(ColumnUnumc, "unumc", run, m.firestore(r.Stats.Metered.Firestore), m.pubSub()),
			m.column(ColumnUnum, "Unum's pattern", run, m.firestore(m.unumFirestore()), m.pubSub()),
			m.column(ColumnStandard, "Step Functions Standard (AWS)", m.lambda(sh.Tasks, sh.TaskLambdaMS), m.standard()),
			m.column(ColumnExpress, "Step Functions Express (AWS)", m.lambda(sh.Tasks, sh.TaskLambdaMS), m.express(r.Workflow)),
		}
	default:
		return nil, fmt.Errorf("unknown target %q (aws or gcp)", o.Target)
	}
	base := rep.Columns[0].PerExecution
	used := map[string]bool{}
	for i := range rep.Columns {
		c := &rep.Columns[i]
		c.PerExecutions = c.PerExecution * float64(o.Executions)
		if base > 0 {
			c.Relative = c.PerExecution / base
		}
		for _, l := range c.Lines {
			if l.Price != "" {
				used[l.Price] = true
			}
		}
	}
	for _, p := range Prices {
		if used[p.Name] {
			rep.Prices = append(rep.Prices, p)
		}
	}
	return rep, nil
}

// models price a Shape.
type models struct {
	shape      Shape
	metered    meter.Bill
	arch       string
	lambdaMB   int
	runMiB     int
	startBytes int64 // the start's Pub/Sub message
}

func (m models) column(key, name string, parts ...[]Line) Column {
	c := Column{Key: key, Name: name}
	for _, p := range parts {
		for _, l := range p {
			c.PerExecution += l.USD
			c.Lines = append(c.Lines, l)
		}
	}
	return c
}

func line(item string, quantity float64, priceName string) Line {
	l := Line{Item: item, Quantity: quantity, Price: priceName}
	if priceName != "" {
		l.USD = quantity * price(priceName).Rate()
	}
	return l
}

// The items of Lines, in the order reports list them.
const (
	ItemLambdaRequests   = "lambda_requests"
	ItemLambdaGBs        = "lambda_gb_s"
	ItemDynamoDBRequests = "dynamodb_requests"
	ItemDynamoDBReads    = "dynamodb_read_units"
	ItemDynamoDBWrites   = "dynamodb_write_units"
	ItemRunRequests      = "cloud_run_requests"
	ItemRunVCPUs         = "cloud_run_vcpu_s"
	ItemRunGiBs          = "cloud_run_gib_s"
	ItemFirestoreReads   = "firestore_reads"
	ItemFirestoreWrites  = "firestore_writes"
	ItemFirestoreDeletes = "firestore_deletes"
	ItemPubSubBytes      = "pubsub_bytes"
	ItemTransitions      = "state_transitions"
	ItemExpressRequests  = "express_requests"
	ItemExpressGBs       = "express_gb_s"
)

// lambda bills requests invocations that ran ms billed milliseconds:
// GB-seconds at the function's memory, a GB being 1,024 MB.
func (m models) lambda(requests int, ms int64) []Line {
	duration := LambdaGBsArm
	if m.arch == "x86_64" {
		duration = LambdaGBsX86
	}
	return []Line{
		line(ItemLambdaRequests, float64(requests), LambdaRequests),
		line(ItemLambdaGBs, float64(ms)/1000*float64(m.lambdaMB)/1024, duration),
	}
}

func (m models) dynamoDB(d meter.DynamoDB, old bool) []Line {
	reads, writes := DynamoDBReads, DynamoDBWrites
	if old {
		reads, writes = DynamoDBReads2023, DynamoDBWrites2023
	}
	return []Line{
		line(ItemDynamoDBRequests, float64(d.Requests), ""),
		line(ItemDynamoDBReads, float64(d.ReadUnits), reads),
		line(ItemDynamoDBWrites, float64(d.WriteUnits), writes),
	}
}

// unumDynamoDB is Unum's published request pattern for the execution: per
// node instance one consistent read of its checkpoint (missing on the happy
// path: one unit), the conditional write of the checkpoint and its delete
// by the successor, each billed by the checkpoint's size (a delete bills
// the item's size as a write does) — the sizes of the checkpoints this run
// wrote, which hold the same results; and per branch of a fan-in the
// creation of the bitmap or an update of it, two writes of one unit. The
// invoke costs nothing on DynamoDB; the invoked function's request is
// billed with Lambda.
func (m models) unumDynamoDB() meter.DynamoDB {
	i, f := m.shape.Instances, m.shape.FanInBranches
	checkpoints := max(m.metered.DynamoDB.CheckpointUnits, i)
	return meter.DynamoDB{Requests: 3*i + 2*f, ReadUnits: i, WriteUnits: 2*checkpoints + 2*f}
}

// unumFirestore is the same pattern on Firestore.
func (m models) unumFirestore() meter.Firestore {
	i, f := m.shape.Instances, m.shape.FanInBranches
	return meter.Firestore{Requests: 3*i + 2*f, Reads: i, Writes: i + 2*f, Deletes: i}
}

func (m models) standard() []Line {
	return []Line{line(ItemTransitions, float64(m.shape.Transitions), StandardTransitions)}
}

// express bills one request and the execution's duration, rounded up to
// 100 ms, at the memory Step Functions works out for it in 64 MB chunks:
// 50 MB, the definition (taken as 512 bytes a state) and the execution's
// data times the Map or Parallel steps, taken as the bytes of every
// invocation's message (at least 1,000 each): each step's input once.
func (m models) express(w *ir.Workflow) []Line {
	const mb = 1 << 20
	mem := 50*mb + 512*len(w.Nodes) + int(m.metered.PubSub.Bytes+m.startBytes)
	billedMB := 64 * int(math.Ceil(float64(mem)/(64*mb)))
	seconds := float64(ceilDuration(time.Duration(m.shape.WallMS)*time.Millisecond, 100*time.Millisecond)) / 10
	return []Line{
		line(ItemExpressRequests, 1, ExpressRequests),
		line(ItemExpressGBs, seconds*float64(billedMB)/1024, ExpressGBs),
	}
}

// cloudRun bills each invocation as a request to a service with one vCPU
// and the configured memory, each request's time rounded up to 100 ms
// (with concurrency 1, as deploy.sh sets it, requests never share an
// instance's billed time).
func (m models) cloudRun() []Line {
	seconds := float64(m.shape.CloudRunMS) / 1000
	return []Line{
		line(ItemRunRequests, float64(m.shape.Invocations), CloudRunRequests),
		line(ItemRunVCPUs, seconds*CloudRunCPUs, CloudRunVCPUs),
		line(ItemRunGiBs, seconds*float64(m.runMiB)/1024, CloudRunGiBs),
	}
}

func (m models) firestore(f meter.Firestore) []Line {
	return []Line{
		line(ItemFirestoreReads, float64(f.Reads), FirestoreReads),
		line(ItemFirestoreWrites, float64(f.Writes), FirestoreWrites),
		line(ItemFirestoreDeletes, float64(f.Deletes), FirestoreDeletes),
	}
}

// pubSub bills each invocation's message twice, published and pushed: the
// invokes the nodes sent and the start.
func (m models) pubSub() []Line {
	return []Line{line(ItemPubSubBytes, float64(2*(m.metered.PubSub.Bytes+m.startBytes)), PubSubThroughput)}
}
