package gcp

import (
	"context"
	"encoding/json"
	"fmt"

	"cloud.google.com/go/firestore"
	"cloud.google.com/go/pubsub/v2"

	"github.com/unumc/unumc/rt"
	"github.com/unumc/unumc/targets/gcp/fstore"
)

// Start starts an execution: it publishes the entry envelope to the start
// node's topic and returns once Pub/Sub has stored it. Starting a name
// again joins that execution, as locally: the entry instance's checkpoint
// or the execution's status makes the second delivery forward or stop.
func Start(ctx context.Context, ps *pubsub.Client, topic, start, execution string, input json.RawMessage) error {
	if err := rt.ValidExecutionName(execution); err != nil {
		return err
	}
	if len(input) > 0 && !json.Valid(input) {
		return fmt.Errorf("the input is not valid JSON")
	}
	env := &rt.Envelope{Version: rt.Version, Execution: execution, Node: start, Input: input}
	data, err := json.Marshal(env)
	if err != nil {
		return err
	}
	pub := ps.Publisher(topic)
	defer pub.Stop()
	if _, err := pub.Publish(ctx, &pubsub.Message{Data: data}).Get(ctx); err != nil {
		return fmt.Errorf("publish to %s: %w", topic, err)
	}
	return nil
}

// Status reads an execution's outcome from the workflow's collection; nil
// while it has none.
func Status(ctx context.Context, fs *firestore.Client, collection, execution string) (*rt.Status, error) {
	key := rt.StatusKey(execution)
	got, err := fstore.New(fs, collection).Get(ctx, key)
	if err != nil {
		return nil, err
	}
	it, ok := got[key]
	if !ok {
		return nil, nil
	}
	var st rt.Status
	if err := json.Unmarshal(it.Value, &st); err != nil {
		return nil, fmt.Errorf("status of %s: %v", execution, err)
	}
	return &st, nil
}
