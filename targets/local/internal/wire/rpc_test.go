package wire

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"
)

// pipes returns the two ends of a connection made of two pipes.
func pipes(t *testing.T) (client, server Conn) {
	t.Helper()
	r1, w1, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r2, w2, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	return Conn{R: r2, W: w1}, Conn{R: r1, W: w2}
}

type sum struct{ A, B int }

func TestRPC(t *testing.T) {
	cc, sc := pipes(t)
	release := make(chan struct{})
	served := make(chan struct{})
	go func() {
		Serve(sc, map[string]Handler{
			"add": Method(func(a sum, r *int) error { *r = a.A + a.B; return nil }),
			"fail": Method(func(msg string, r *bool) error {
				return errors.New(msg)
			}),
			"wait": Method(func(_ int, r *bool) error { <-release; *r = true; return nil }),
		})
		close(served)
	}()
	cl := NewClient(cc)
	ctx := context.Background()

	// Calls in flight at once are answered in any order, each to its caller.
	slow := cl.Go("wait", 0, new(bool))
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			var got int
			if err := cl.Call(ctx, "add", sum{i, 1000}, &got); err != nil || got != i+1000 {
				t.Errorf("add(%d, 1000) = %d, %v", i, got, err)
			}
		})
	}
	wg.Wait()
	close(release)
	<-slow.Done
	if slow.Err != nil {
		t.Errorf("the slow call: %v", slow.Err)
	}

	var re RemoteError
	if err := cl.Call(ctx, "fail", "no such order", new(bool)); !errors.As(err, &re) || string(re) != "no such order" {
		t.Errorf("a method's error came back as %#v", err)
	}
	if err := cl.Call(ctx, "nope", 1, new(bool)); !errors.As(err, &re) {
		t.Errorf("an unknown method: %v", err)
	}
	// The connection still works after errors.
	var got int
	if err := cl.Call(ctx, "add", sum{2, 3}, &got); err != nil || got != 5 {
		t.Errorf("add after errors = %d, %v", got, err)
	}

	// Closing the client ends Serve, and later calls fail.
	cl.Close()
	select {
	case <-served:
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after the client closed")
	}
	if err := cl.Call(ctx, "add", sum{1, 1}, &got); !errors.Is(err, ErrClosed) {
		t.Errorf("a call after Close: %v", err)
	}
}

// A call waiting when the other side goes away fails with ErrClosed.
func TestRPCServerGone(t *testing.T) {
	cc, sc := pipes(t)
	cl := NewClient(cc)
	call := cl.Go("anything", 1, new(bool))
	sc.Close()
	select {
	case <-call.Done:
	case <-time.After(5 * time.Second):
		t.Fatal("the call did not fail")
	}
	if !errors.Is(call.Err, ErrClosed) {
		t.Errorf("error %v, want ErrClosed", call.Err)
	}
	cl.Close()
}
