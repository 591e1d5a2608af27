package lambda

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/unumc/unumc/rt"
	"github.com/unumc/unumc/targets/aws/ddb"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestConfigFromEnv(t *testing.T) {
	c, err := ConfigFromEnv(env(map[string]string{EnvTable: "t", EnvFunctions: `{"b":"stack-b"}`, EnvStatusTTL: "1h"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Table != "t" || c.Functions["b"] != "stack-b" || c.StatusTTL != time.Hour || c.CheckpointTTL != DefaultCheckpointTTL || c.InlineLimit != DefaultInlineLimit || c.Collect != CollectByExpiry {
		t.Errorf("config %+v", c)
	}
	if c, err := ConfigFromEnv(env(map[string]string{EnvTable: "t", EnvCollect: "delete"})); err != nil || c.Collect != CollectByDelete {
		t.Errorf("UNUMC_COLLECT=delete: %+v, %v", c, err)
	}
	for _, bad := range []map[string]string{
		{},
		{EnvTable: "t", EnvFunctions: "{"},
		{EnvTable: "t", EnvInlineLimit: "0"},
		{EnvTable: "t", EnvCheckpointTTL: "soon"},
		{EnvTable: "t", EnvChaosKill: "1"},
		{EnvTable: "t", EnvCollect: "never"},
	} {
		if _, err := ConfigFromEnv(env(bad)); err == nil {
			t.Errorf("ConfigFromEnv(%v) accepted", bad)
		}
	}
}

type invokes struct{ got []*awslambda.InvokeInput }

func (i *invokes) Invoke(_ context.Context, in *awslambda.InvokeInput, _ ...func(*awslambda.Options)) (*awslambda.InvokeOutput, error) {
	i.got = append(i.got, in)
	return &awslambda.InvokeOutput{StatusCode: 202}, nil
}

// TestInvoker checks that successors are invoked asynchronously by the
// function name the environment gives, and that any other node is refused.
func TestInvoker(t *testing.T) {
	api := &invokes{}
	inv := &invoker{api: api, functions: map[string]string{"b": "stack-b"}}
	ctx := context.Background()
	if err := inv.Invoke(ctx, &rt.Envelope{Version: rt.Version, Execution: "e", Node: "b"}); err != nil {
		t.Fatal(err)
	}
	if err := inv.Invoke(ctx, &rt.Envelope{Version: rt.Version, Execution: "e", Node: "c"}); err == nil || !strings.Contains(err.Error(), `"c"`) {
		t.Errorf("invoking a node not in %s: %v", EnvFunctions, err)
	}
	if len(api.got) != 1 || *api.got[0].FunctionName != "stack-b" || api.got[0].InvocationType != types.InvocationTypeEvent {
		t.Fatalf("invocations %+v", api.got)
	}
	var e rt.Envelope
	if err := json.Unmarshal(api.got[0].Payload, &e); err != nil || e.Node != "b" {
		t.Errorf("payload %s: %v", api.got[0].Payload, err)
	}
	if n := inv.take(); n != 1 {
		t.Errorf("counted %d invokes", n)
	}
}

// TestHandlerReports checks the report line of an invocation that fails
// before touching the store.
func TestHandlerReports(t *testing.T) {
	var log bytes.Buffer
	node := &rt.Node{Workflow: "w", Name: "A", Ident: "a", Start: "a"}
	h := NewHandler(node, &Config{Functions: map[string]string{}}, ddb.New(nil, "t"), &invokes{}, &log)
	err := h.Handle(context.Background(), json.RawMessage(`{"v":1,"execution":"e","node":"b"}`))
	if err == nil {
		t.Fatal("an envelope for another node was handled")
	}
	var r ddb.Report
	if err := json.Unmarshal(log.Bytes(), &r); err != nil {
		t.Fatalf("report %q: %v", log.String(), err)
	}
	if r.Stats != ddb.ReportVersion || r.Execution != "e" || r.Node != "a" || r.Counts.Invocations != 1 || r.Counts.FailedAttempts != 1 || r.Error == "" {
		t.Errorf("report %+v", r)
	}
}
