// Package hello holds the functions of the hello workflow: a chain that
// greets someone, shouts the greeting and signs it.
package hello

import (
	"context"
	"errors"
	"strings"
)

// Person is the workflow input.
type Person struct {
	Name string `json:"name"`
}

// Message is a piece of text passed along the chain.
type Message struct {
	Text string `json:"text"`
}

// Signed is the workflow result: the message and who sent it. (Its fields are
// in alphabetical order of their JSON names, so the result reads the same
// whether or not a runtime re-sorts object keys.)
type Signed struct {
	Message   string `json:"message"`
	Signature string `json:"signature"`
}

// Signature is what Sign signs with.
const Signature = "-- unumc"

// Greet greets a person by name.
func Greet(ctx context.Context, in Person) (Message, error) {
	name := strings.TrimSpace(in.Name)
	if name == "" {
		return Message{}, errors.New("greet: no name given")
	}
	return Message{Text: "Hello, " + name + "!"}, nil
}

// Shout turns a message into capitals.
func Shout(ctx context.Context, in Message) (Message, error) {
	return Message{Text: strings.ToUpper(in.Text)}, nil
}

// Sign signs a message.
func Sign(ctx context.Context, in Message) (Signed, error) {
	return Signed{Message: in.Text, Signature: Signature}, nil
}
