package emulator

import "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"

// PushSubscription is the push subscription from topic to endpoint (full
// resource names) that tests on the Pub/Sub emulator create: an
// acknowledgement deadline of 60s and no retry policy.
//
// The emulator (0.8.20) loses messages under a retry policy. A push that
// fails puts the message's ack ID in a map from redelivery time to ack
// IDs, unless the ID is already there alone under its time; an ID that
// shares its time with another (the policy's backoff is whole seconds, so
// pushes that fail in the same millisecond, as when a process with several
// deliveries in flight crashes, share it) goes in again under a later time
// on every pull while it waits. The first entry redelivers it; the second
// looks up the delivery the first removed, and the NullPointerException
// (in MessageBacklog.nackMessage) cancels the periodic task that
// redelivers: no message of the subscription whose push failed is
// delivered again. Without a retry policy the emulator redelivers a failed
// push after one second, on another path. TestPushRedelivers checks these
// settings; deploy.sh's subscriptions on Pub/Sub itself keep their policy.
func PushSubscription(name, topic, endpoint string) *pubsubpb.Subscription {
	return &pubsubpb.Subscription{
		Name:               name,
		Topic:              topic,
		PushConfig:         &pubsubpb.PushConfig{PushEndpoint: endpoint},
		AckDeadlineSeconds: 60,
	}
}
