package aws

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/unumc/unumc/internal/ir"
	"github.com/unumc/unumc/targets/aws/ddb"
	"github.com/unumc/unumc/targets/aws/lambda"
)

// Successors returns, for every node identifier, the identifiers of the
// nodes its program may invoke (ir.Invokes): what each function's
// IAM policy allows and its environment names.
func Successors(w *ir.Workflow) map[string][]string { return ir.Invokes(w) }

// Names of deployed resources, derived from the stack's name so that
// start and status find them without reading the stack's outputs.

// FunctionName is the name of the function of node ident in stack.
func FunctionName(stack, ident string) string { return stack + "-" + ident }

// TableName is the name of the table of stack.
func TableName(stack string) string { return stack + "-executions" }

// StoreActions are the DynamoDB actions a function needs, and all it gets.
var StoreActions = []string{
	"dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:DeleteItem",
	"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
}

// FunctionTimeout is each function's timeout in seconds: room for retries
// and waits, billed only when used.
const FunctionTimeout = 300

// Template returns the SAM template of w's functions built for arch: the
// table (on demand, TTL on ddb.AttrExpires), and for each node a function
// whose environment names the table and its successors' functions and whose
// policy allows exactly the table's item operations on that table and
// lambda:InvokeFunction on those functions. Functions and the table are
// named after the stack (FunctionName, TableName), which also keeps the
// functions of a loop from depending on each other's attributes.
func Template(w *ir.Workflow, arch string) (M, error) {
	if _, ok := Architectures[arch]; !ok {
		return nil, fmt.Errorf("unknown Lambda architecture %q (arm64 or x86_64)", arch)
	}
	succ := Successors(w)
	resources := M{{"Table", M{
		{"Type", "AWS::DynamoDB::Table"},
		{"Properties", M{
			{"TableName", sub(TableName("${AWS::StackName}"))},
			{"BillingMode", "PAY_PER_REQUEST"},
			{"AttributeDefinitions", []any{M{{"AttributeName", ddb.AttrKey}, {"AttributeType", "S"}}}},
			{"KeySchema", []any{M{{"AttributeName", ddb.AttrKey}, {"KeyType", "HASH"}}}},
			{"TimeToLiveSpecification", M{{"AttributeName", ddb.AttrExpires}, {"Enabled", true}}},
		}},
	}}}
	logical := map[string]string{}
	for _, n := range w.Nodes {
		id := LogicalID(n.Ident)
		if other, dup := logical[id]; dup {
			return nil, fmt.Errorf("nodes %q and %q both make the resource name %s", other, n.Ident, id)
		}
		logical[id] = n.Ident
		var fnEnv []string
		var arns []any
		for _, s := range succ[n.Ident] {
			q, _ := json.Marshal(s)
			fnEnv = append(fnEnv, fmt.Sprintf("%s:\"%s\"", q, FunctionName("${AWS::StackName}", s)))
			arns = append(arns, sub("arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:"+FunctionName("${AWS::StackName}", s)))
		}
		statements := []any{M{
			{"Effect", "Allow"},
			{"Action", anys(StoreActions)},
			{"Resource", M{{"Fn::GetAtt", []any{"Table", "Arn"}}}},
		}}
		if len(arns) > 0 {
			statements = append(statements, M{{"Effect", "Allow"}, {"Action", "lambda:InvokeFunction"}, {"Resource", arns}})
		}
		resources = append(resources, KV{id, M{
			{"Type", "AWS::Serverless::Function"},
			{"Properties", M{
				{"FunctionName", sub(FunctionName("${AWS::StackName}", n.Ident))},
				{"Description", fmt.Sprintf("node %q of unumc workflow %q", n.Name, w.Name)},
				{"CodeUri", "zip/" + n.Ident + ".zip"},
				{"Handler", "bootstrap"},
				{"Runtime", "provided.al2023"},
				{"Architectures", []any{arch}},
				{"MemorySize", 256},
				{"Timeout", FunctionTimeout},
				{"Environment", M{{"Variables", M{
					{lambda.EnvTable, M{{"Ref", "Table"}}},
					{lambda.EnvFunctions, sub("{" + strings.Join(fnEnv, ",") + "}")},
				}}}},
				{"EventInvokeConfig", M{{"MaximumRetryAttempts", 2}}},
				{"Policies", []any{M{{"Version", "2012-10-17"}, {"Statement", statements}}}},
			}},
		}})
	}
	return M{
		{"AWSTemplateFormatVersion", "2010-09-09"},
		{"Transform", "AWS::Serverless-2016-10-31"},
		{"Description", fmt.Sprintf("unumc workflow %q: one Lambda function per node and the DynamoDB table of their executions", w.Name)},
		{"Resources", resources},
		{"Outputs", M{
			{"Table", M{{"Value", M{{"Ref", "Table"}}}}},
			{"StartFunction", M{{"Value", sub(FunctionName("${AWS::StackName}", w.Node(w.Start).Ident))}}},
		}},
	}, nil
}

// LogicalID is the template's resource name of node ident's function:
// "find_mentions" -> "FindMentionsFunction".
func LogicalID(ident string) string {
	var b strings.Builder
	up := true
	for _, r := range ident {
		switch {
		case r == '_':
			up = true
		case up && r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
			up = false
		case r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'):
			b.WriteRune(r)
			up = false
		default:
			fmt.Fprintf(&b, "X%X", r)
		}
	}
	return b.String() + "Function"
}

func sub(s string) M { return M{{"Fn::Sub", s}} }

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// M is an ordered mapping of a template; values are M, []any, string, int
// or bool.
type M []KV

// KV is one entry of an M.
type KV struct {
	K string
	V any
}

// Get returns the value at key, or nil.
func (m M) Get(key string) any {
	for _, kv := range m {
		if kv.K == key {
			return kv.V
		}
	}
	return nil
}

// YAML renders m as a YAML document, every string double-quoted.
func (m M) YAML() []byte {
	var b bytes.Buffer
	b.WriteString("# Generated by unumc build -t aws. DO NOT EDIT.\n")
	writeMap(&b, m, 0)
	return b.Bytes()
}

func writeMap(b *bytes.Buffer, m M, indent int) {
	for _, kv := range m {
		b.WriteString(strings.Repeat(" ", indent))
		b.WriteString(yamlKey(kv.K) + ":")
		writeValue(b, kv.V, indent)
	}
}

// writeValue writes v after a "key:" or "-" at indent.
func writeValue(b *bytes.Buffer, v any, indent int) {
	switch v := v.(type) {
	case M:
		if len(v) == 0 {
			b.WriteString(" {}\n")
			return
		}
		b.WriteString("\n")
		writeMap(b, v, indent+2)
	case []any:
		if len(v) == 0 {
			b.WriteString(" []\n")
			return
		}
		b.WriteString("\n")
		for _, e := range v {
			b.WriteString(strings.Repeat(" ", indent+2) + "-")
			writeValue(b, e, indent+2)
		}
	default:
		b.WriteString(" " + scalar(v) + "\n")
	}
}

func yamlKey(k string) string {
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return scalar(k)
		}
	}
	return k
}

// scalar renders a string as a JSON string, which is a YAML double-quoted
// string, and numbers and booleans as themselves.
func scalar(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	return strings.TrimSuffix(b.String(), "\n")
}
