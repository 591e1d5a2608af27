package cost

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
)

// items are the rows of the text table: every Line item, in order, with
// its label and the service that bills it.
var items = []struct{ item, label, service string }{
	{ItemLambdaRequests, "Lambda requests", "Lambda"},
	{ItemLambdaGBs, "Lambda GB-s", "Lambda"},
	{ItemRunRequests, "Cloud Run requests", "Cloud Run"},
	{ItemRunVCPUs, "Cloud Run vCPU-s", "Cloud Run"},
	{ItemRunGiBs, "Cloud Run GiB-s", "Cloud Run"},
	{ItemDynamoDBRequests, "DynamoDB requests", "DynamoDB"},
	{ItemDynamoDBReads, "DynamoDB read units", "DynamoDB"},
	{ItemDynamoDBWrites, "DynamoDB write units", "DynamoDB"},
	{ItemFirestoreReads, "Firestore reads", "Firestore"},
	{ItemFirestoreWrites, "Firestore writes", "Firestore"},
	{ItemFirestoreDeletes, "Firestore deletes", "Firestore"},
	{ItemPubSubBytes, "Pub/Sub bytes", "Pub/Sub"},
	{ItemTransitions, "state transitions", "Step Functions"},
	{ItemExpressRequests, "Express requests", "Step Functions"},
	{ItemExpressGBs, "Express GB-s", "Step Functions"},
}

// WriteText writes the report as a table: a header saying what was priced
// and measured, the quantities one execution bills in each column, then
// the cost of one execution, of Executions by service and in all, and each
// column's cost relative to unumc's.
func (r *Report) WriteText(w io.Writer) error {
	sh := r.Shape
	fmt.Fprintf(w, "workflow %s on %s: %s; prices of %s (docs/cost.md)\n", r.Workflow, r.Target, r.Setup, r.PricesDate)
	how := "each rounded up"
	if !sh.DurationsExact {
		how = "worked out from their sum"
	}
	fmt.Fprintf(w, "one execution run locally: %d invocations, %d Lambda tasks, %d state transitions, %d fan-in branches; deliveries billed %d ms on Lambda, %d ms on Cloud Run (%s); %d ms wall\n",
		sh.Invocations, sh.Tasks, sh.Transitions, sh.FanInBranches, sh.LambdaMS, sh.CloudRunMS, how, sh.WallMS)
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	fmt.Fprintln(w)

	// Numbers align right; the labels, padded to one width first, left.
	var rows [][]string
	row := func(cells ...string) { rows = append(rows, cells) }
	head := []string{"per execution"}
	for _, c := range r.Columns {
		head = append(head, c.Name)
	}
	row(head...)
	var services []string
	for _, it := range items {
		cells := []string{it.label}
		any := false
		for _, c := range r.Columns {
			l, ok := c.line(it.item)
			if !ok {
				cells = append(cells, "-")
				continue
			}
			any = true
			cells = append(cells, Quantity(l.Quantity))
		}
		if any {
			row(cells...)
			if !contains(services, it.service) {
				services = append(services, it.service)
			}
		}
	}
	cells := []string{"cost"}
	for _, c := range r.Columns {
		cells = append(cells, USD(c.PerExecution))
	}
	row(cells...)
	per := "per " + Count(r.Executions) + " executions"
	row(append([]string{per}, blank(len(r.Columns))...)...)
	for _, s := range services {
		cells := []string{s}
		for _, c := range r.Columns {
			usd, billed := c.service(s)
			if !billed {
				cells = append(cells, "-")
				continue
			}
			cells = append(cells, USD(usd*float64(r.Executions)))
		}
		row(cells...)
	}
	cells = []string{"total"}
	for _, c := range r.Columns {
		cells = append(cells, USD(c.PerExecutions))
	}
	row(cells...)
	cells = []string{"relative to unumc"}
	for _, c := range r.Columns {
		cells = append(cells, strconv.FormatFloat(c.Relative, 'f', 2, 64)+"x")
	}
	row(cells...)
	width := 0
	for _, r := range rows {
		width = max(width, len(r[0]))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, r := range rows {
		r[0] += strings.Repeat(" ", width-len(r[0]))
		fmt.Fprint(tw, strings.Join(r, "\t")+"\t\n")
	}
	return tw.Flush()
}

func (c Column) line(item string) (Line, bool) {
	for _, l := range c.Lines {
		if l.Item == item {
			return l, true
		}
	}
	return Line{}, false
}

// service sums the column's billed lines of a service.
func (c Column) service(name string) (usd float64, billed bool) {
	for _, it := range items {
		if it.service != name {
			continue
		}
		if l, ok := c.line(it.item); ok && l.Price != "" {
			usd += l.USD
			billed = true
		}
	}
	return usd, billed
}

func blank(n int) []string { return make([]string, n) }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Quantity formats a count: whole numbers as they are, fractions with
// three significant digits.
func Quantity(q float64) string {
	if q == math.Trunc(q) && math.Abs(q) < 1e15 {
		return Count(int(q))
	}
	return sig3(q)
}

// Count formats a whole number with thousands separators: 1,000,000.
func Count(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + Count(-n)
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// USD formats dollars: cents from $0.01 up, else three significant digits.
func USD(v float64) string {
	if math.Abs(v) >= 0.01 {
		return "$" + strconv.FormatFloat(v, 'f', 2, 64)
	}
	return "$" + sig3(v)
}

// sig3 formats v with three significant digits and no exponent.
func sig3(v float64) string {
	if v == 0 {
		return "0"
	}
	digits := 2 - int(math.Floor(math.Log10(math.Abs(v))))
	if digits < 0 {
		digits = 0
	}
	return strconv.FormatFloat(v, 'f', digits, 64)
}
