package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2"
	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// TestPushRedelivers publishes a burst of messages to a PushSubscription
// whose endpoint fails the first three pushes of each, as a node process
// that crashes with several deliveries in flight fails them, and checks
// that every message is delivered again until a push succeeds. With a retry
// policy on the subscription (see PushSubscription) most of the messages
// were never pushed again.
func TestPushRedelivers(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Pub/Sub emulator")
	}
	Need(t)
	ctx := context.Background()
	ps, err := pubsub.NewClient(ctx, "unumc-test")
	if err != nil {
		t.Fatal(err)
	}
	defer ps.Close()
	const n, failures = 16, 3
	var mu sync.Mutex
	pushes := map[string]int{}
	done := make(chan string, n)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Message struct {
				MessageID string `json:"messageId"`
			} `json:"message"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Errorf("push body: %v", err)
		}
		id := body.Message.MessageID
		mu.Lock()
		pushes[id]++
		k := pushes[id]
		mu.Unlock()
		time.Sleep(50 * time.Millisecond) // deliveries overlap, as a node's do
		if k <= failures {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		if k == failures+1 {
			done <- id
		}
	})}
	go srv.Serve(l)
	defer srv.Close()

	id := fmt.Sprintf("push-%d", time.Now().UnixNano())
	topic := "projects/unumc-test/topics/" + id
	if _, err := ps.TopicAdminClient.CreateTopic(ctx, &pubsubpb.Topic{Name: topic}); err != nil {
		t.Fatal(err)
	}
	defer ps.TopicAdminClient.DeleteTopic(ctx, &pubsubpb.DeleteTopicRequest{Topic: topic})
	sub := PushSubscription("projects/unumc-test/subscriptions/"+id, topic, "http://"+l.Addr().String()+"/")
	if _, err := ps.SubscriptionAdminClient.CreateSubscription(ctx, sub); err != nil {
		t.Fatal(err)
	}
	defer ps.SubscriptionAdminClient.DeleteSubscription(ctx, &pubsubpb.DeleteSubscriptionRequest{Subscription: sub.Name})
	pub := ps.Publisher(topic)
	defer pub.Stop()
	var results []*pubsub.PublishResult
	for i := range n {
		results = append(results, pub.Publish(ctx, &pubsub.Message{Data: []byte(fmt.Sprint(i))}))
	}
	for _, r := range results {
		if _, err := r.Get(ctx); err != nil {
			t.Fatal(err)
		}
	}
	timeout := time.After(30 * time.Second)
	for range n {
		select {
		case <-done:
		case <-timeout:
			mu.Lock()
			defer mu.Unlock()
			t.Fatalf("after 30s not every message was pushed %d times; pushes by message ID: %v", failures+1, pushes)
		}
	}
}
