package ddb

// Counts are the billable requests of one invocation, or of an execution
// when summed; the fields and their JSON are those of the local target's
// Counts (unumc run --stats), counted per DynamoDB and Lambda request:
//
//   - Reads: BatchGetItem and GetItem requests, a retry of unprocessed keys
//     one more; ItemsRead the items they returned.
//   - Writes: PutItem, UpdateItem and BatchWriteItem (chunk) puts; Creates
//     the conditional PutItems among them and CreateConflicts those whose
//     condition failed.
//   - Deletes: DeleteItem and BatchWriteItem deletes; ItemsDeleted the keys
//     deleted, present or not (DynamoDB does not say which without
//     returning the items).
//   - Invokes: Lambda Invoke requests.
type Counts struct {
	Invocations     int   `json:"invocations"`
	FailedAttempts  int   `json:"failed_attempts"`
	Invokes         int   `json:"invokes"`
	Reads           int   `json:"reads"`
	ItemsRead       int   `json:"items_read"`
	Writes          int   `json:"writes"`
	Creates         int   `json:"creates"`
	CreateConflicts int   `json:"create_conflicts"`
	Deletes         int   `json:"deletes"`
	ItemsDeleted    int   `json:"items_deleted"`
	Bytes           int64 `json:"bytes"`
	BusyMS          int64 `json:"busy_ms"`
}

// Add adds d to c.
func (c *Counts) Add(d Counts) {
	c.Invocations += d.Invocations
	c.FailedAttempts += d.FailedAttempts
	c.Invokes += d.Invokes
	c.Reads += d.Reads
	c.ItemsRead += d.ItemsRead
	c.Writes += d.Writes
	c.Creates += d.Creates
	c.CreateConflicts += d.CreateConflicts
	c.Deletes += d.Deletes
	c.ItemsDeleted += d.ItemsDeleted
	c.Bytes += d.Bytes
	c.BusyMS += d.BusyMS
}

// Report is the line a node program logs after each invocation, as JSON on
// one line of standard output (so in CloudWatch Logs on AWS), from which an
// execution's Counts are summed.
type Report struct {
	Stats     string `json:"unumc_stats"` // ReportVersion: marks the line
	Execution string `json:"execution"`
	Node      string `json:"node"`
	Instance  string `json:"instance"`
	Counts    Counts `json:"counts"`
	Error     string `json:"error,omitempty"`
}

// ReportVersion is Report.Stats of the reports this package writes.
const ReportVersion = "v1"
