package hello

import (
	"context"
	"testing"

	"github.com/unumc/unumc/examples/internal/reference"
)

func TestGreet(t *testing.T) {
	got, err := Greet(context.Background(), Person{Name: "  Grace "})
	if err != nil {
		t.Fatal(err)
	}
	if want := (Message{Text: "Hello, Grace!"}); got != want {
		t.Errorf("Greet = %+v, want %+v", got, want)
	}
	if _, err := Greet(context.Background(), Person{Name: " "}); err == nil {
		t.Error("Greet with a blank name: no error")
	}
}

func TestShout(t *testing.T) {
	got, err := Shout(context.Background(), Message{Text: "Hello, Ada!"})
	if err != nil {
		t.Fatal(err)
	}
	if want := (Message{Text: "HELLO, ADA!"}); got != want {
		t.Errorf("Shout = %+v, want %+v", got, want)
	}
}

func TestSign(t *testing.T) {
	got, err := Sign(context.Background(), Message{Text: "HI"})
	if err != nil {
		t.Fatal(err)
	}
	if want := (Signed{Message: "HI", Signature: Signature}); got != want {
		t.Errorf("Sign = %+v, want %+v", got, want)
	}
}

// TestWorkflow runs the workflow by hand, start -> Greet -> Shout -> Sign,
// passing each output to the next node as JSON, and compares the result with
// want.json.
func TestWorkflow(t *testing.T) {
	ctx := context.Background()
	in := reference.Load[Person](t, "input.json")

	greeting, err := Greet(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	shouted, err := Shout(ctx, reference.Via[Message](t, greeting))
	if err != nil {
		t.Fatal(err)
	}
	out, err := Sign(ctx, reference.Via[Message](t, shouted))
	if err != nil {
		t.Fatal(err)
	}
	reference.CheckWant(t, out, "want.json")
}
