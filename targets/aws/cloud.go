package aws

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/unumc/unumc/rt"
	"github.com/unumc/unumc/targets/aws/lambda"
)

// MaxStartInput is the largest input Start sends: the envelope must fit in
// Lambda's 256 KB limit on asynchronous payloads.
const MaxStartInput = 250_000

// Start starts execution name of the workflow whose entry node is start,
// deployed as stack, with input: one asynchronous invocation of the entry
// function. Starting a name again joins that execution.
func Start(ctx context.Context, api lambda.InvokeAPI, stack, start, name string, input json.RawMessage) error {
	if err := rt.ValidExecutionName(name); err != nil {
		return err
	}
	if len(input) == 0 {
		input = json.RawMessage("{}")
	}
	if !json.Valid(input) {
		return fmt.Errorf("the input is not valid JSON")
	}
	if len(input) > MaxStartInput {
		return fmt.Errorf("the input is %d bytes; Lambda takes at most %d in an asynchronous invocation", len(input), MaxStartInput)
	}
	env := &rt.Envelope{Version: rt.Version, Execution: name, Node: start, Input: input}
	payload, err := json.Marshal(env)
	if err != nil {
		return err
	}
	fn := FunctionName(stack, start)
	out, err := api.Invoke(ctx, &awslambda.InvokeInput{FunctionName: sdkaws.String(fn), InvocationType: types.InvocationTypeEvent, Payload: payload})
	if err != nil {
		return fmt.Errorf("lambda Invoke %s: %w", fn, err)
	}
	if out.StatusCode != 202 {
		return fmt.Errorf("lambda Invoke %s: status %d, want 202", fn, out.StatusCode)
	}
	return nil
}

// Status reads the outcome of an execution from its status record; an
// execution without one is running (or unknown: nothing records a start).
func Status(ctx context.Context, store rt.Store, execution string) (*rt.Status, error) {
	if err := rt.ValidExecutionName(execution); err != nil {
		return nil, err
	}
	key := rt.StatusKey(execution)
	got, err := store.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	it, ok := got[key]
	if !ok {
		return &rt.Status{State: rt.Running}, nil
	}
	var st rt.Status
	if err := json.Unmarshal(it.Value, &st); err != nil {
		return nil, fmt.Errorf("status record of %s: %v", execution, err)
	}
	return &st, nil
}

// DeployCommand is the SAM CLI command that deploys the artefacts Package
// wrote to dir as stack.
func DeployCommand(dir, stack, region string) []string {
	args := []string{"sam", "deploy",
		"--template-file", dir + "/template.yaml",
		"--stack-name", stack,
		"--capabilities", "CAPABILITY_IAM",
		"--resolve-s3",
		"--no-confirm-changeset",
		"--no-fail-on-empty-changeset",
	}
	if region != "" {
		args = append(args, "--region", region)
	}
	return args
}

// HaveSAM reports whether the SAM CLI is on PATH.
func HaveSAM() bool {
	_, err := exec.LookPath("sam")
	return err == nil
}
