package cost

import "fmt"

// Price is one line of a provider's public price list: USD dollars per Per
// units. Figures are on-demand, for us-east-1 on AWS and Tier 1 regions
// (us-central1) on Google Cloud, beyond the free tiers, which the model
// leaves out.
type Price struct {
	Name   string  `json:"name"`
	Unit   string  `json:"unit"`
	USD    float64 `json:"usd"`
	Per    float64 `json:"per"`
	Since  string  `json:"since,omitempty"` // when the price took effect, where the page says
	Date   string  `json:"date"`            // when the figure was read from Source
	Source string  `json:"source"`
	Note   string  `json:"note,omitempty"`
}

// Rate is the price of one unit.
func (p Price) Rate() float64 { return p.USD / p.Per }

// PricesDate is when the table was last checked against its sources.
const PricesDate = "2026-11-23"

// The names of the prices the models use.
const (
	LambdaRequests       = "aws.lambda.requests"
	LambdaGBsX86         = "aws.lambda.duration.x86_64"
	LambdaGBsArm         = "aws.lambda.duration.arm64"
	DynamoDBWrites       = "aws.dynamodb.on-demand.write"
	DynamoDBReads        = "aws.dynamodb.on-demand.read"
	DynamoDBWrites2023   = "aws.dynamodb.on-demand.write.before-2024-11"
	DynamoDBReads2023    = "aws.dynamodb.on-demand.read.before-2024-11"
	StandardTransitions  = "aws.stepfunctions.standard.transitions"
	ExpressRequests      = "aws.stepfunctions.express.requests"
	ExpressGBs           = "aws.stepfunctions.express.duration"
	CloudRunRequests     = "gcp.run.requests"
	CloudRunVCPUs        = "gcp.run.cpu"
	CloudRunGiBs         = "gcp.run.memory"
	FirestoreReads       = "gcp.firestore.reads"
	FirestoreWrites      = "gcp.firestore.writes"
	FirestoreDeletes     = "gcp.firestore.deletes"
	PubSubThroughput     = "gcp.pubsub.throughput"
	lambdaPricing        = "https://aws.amazon.com/lambda/pricing/"
	dynamoDBPricing      = "https://aws.amazon.com/dynamodb/pricing/on-demand/"
	stepFunctionsPricing = "https://aws.amazon.com/step-functions/pricing/"
	cloudRunPricing      = "https://cloud.google.com/run/pricing"
	firestorePricing     = "https://cloud.google.com/firestore/pricing"
	pubSubPricing        = "https://cloud.google.com/pubsub/pricing"
)

// Prices is the price table every model reads, documented in docs/cost.md.
// Change a figure here, with its date and source, and the docs with it.
var Prices = []Price{
	{Name: LambdaRequests, Unit: "requests", USD: 0.20, Per: 1e6, Date: PricesDate, Source: lambdaPricing},
	{Name: LambdaGBsX86, Unit: "GB-seconds", USD: 0.0000166667, Per: 1, Date: PricesDate, Source: lambdaPricing,
		Note: "first 6 billion GB-s a month; billed per 1 ms of each invocation, INIT included since 2025-08-01"},
	{Name: LambdaGBsArm, Unit: "GB-seconds", USD: 0.0000133334, Per: 1, Date: PricesDate, Source: lambdaPricing,
		Note: "first 7.5 billion GB-s a month; billed per 1 ms of each invocation, INIT included since 2025-08-01"},
	{Name: DynamoDBWrites, Unit: "write request units", USD: 0.625, Per: 1e6, Since: "2024-11-01", Date: PricesDate, Source: dynamoDBPricing},
	{Name: DynamoDBReads, Unit: "read request units", USD: 0.125, Per: 1e6, Since: "2024-11-01", Date: PricesDate, Source: dynamoDBPricing},
	{Name: DynamoDBWrites2023, Unit: "write request units", USD: 1.25, Per: 1e6, Date: PricesDate, Source: dynamoDBPricing,
		Note: "the price until 2024-10-31, in force when the Unum paper was written (halved on 2024-11-01)"},
	{Name: DynamoDBReads2023, Unit: "read request units", USD: 0.25, Per: 1e6, Date: PricesDate, Source: dynamoDBPricing,
		Note: "the price until 2024-10-31, in force when the Unum paper was written (halved on 2024-11-01)"},
	{Name: StandardTransitions, Unit: "state transitions", USD: 0.025, Per: 1000, Date: PricesDate, Source: stepFunctionsPricing,
		Note: "every state entered, retries included; an inline Map's iterations are not transitions, the states in them are"},
	{Name: ExpressRequests, Unit: "requests", USD: 1.00, Per: 1e6, Date: PricesDate, Source: stepFunctionsPricing},
	{Name: ExpressGBs, Unit: "GB-seconds", USD: 0.00001667, Per: 1, Date: PricesDate, Source: stepFunctionsPricing,
		Note: "first 1,000 GB-hours a month; the execution's duration rounded up to 100 ms, memory in 64 MB chunks (50 MB + definition + data x Map or Parallel steps)"},
	{Name: CloudRunRequests, Unit: "requests", USD: 0.40, Per: 1e6, Date: PricesDate, Source: cloudRunPricing,
		Note: "request-based billing (CPU only during requests), Tier 1 regions"},
	{Name: CloudRunVCPUs, Unit: "vCPU-seconds", USD: 0.000024, Per: 1, Date: PricesDate, Source: cloudRunPricing,
		Note: "request-based billing, Tier 1; instance time rounded up to 100 ms"},
	{Name: CloudRunGiBs, Unit: "GiB-seconds", USD: 0.0000025, Per: 1, Date: PricesDate, Source: cloudRunPricing,
		Note: "request-based billing, Tier 1; instance time rounded up to 100 ms"},
	{Name: FirestoreReads, Unit: "document reads", USD: 0.03, Per: 100_000, Date: PricesDate, Source: firestorePricing,
		Note: "Standard edition, a regional database in us-central1 (nam5, multi-region: $0.06)"},
	{Name: FirestoreWrites, Unit: "document writes", USD: 0.09, Per: 100_000, Date: PricesDate, Source: firestorePricing,
		Note: "Standard edition, a regional database in us-central1 (nam5, multi-region: $0.18)"},
	{Name: FirestoreDeletes, Unit: "document deletes", USD: 0.01, Per: 100_000, Date: PricesDate, Source: firestorePricing,
		Note: "Standard edition, a regional database in us-central1 (nam5, multi-region: $0.02)"},
	{Name: PubSubThroughput, Unit: "bytes", USD: 40, Per: 1 << 40, Date: PricesDate, Source: pubSubPricing,
		Note: "$40 per TiB published or delivered, at least 1,000 bytes per message request"},
}

// price returns the table's price called name; the names are constants of
// this package, so a missing one is a bug.
func price(name string) Price {
	for _, p := range Prices {
		if p.Name == name {
			return p
		}
	}
	panic(fmt.Sprintf("cost: no price %q", name))
}
