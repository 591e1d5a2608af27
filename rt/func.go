package rt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"runtime/debug"
)

// UserFunc is a user function adapted to JSON in and out.
type UserFunc func(ctx context.Context, input json.RawMessage) (json.RawMessage, error)

// Func adapts a user function func(context.Context, In) (Out, error): the
// input is decoded into In, the output encoded from Out. A panic in f is
// returned as an error, not a crash.
func Func[In, Out any](f func(context.Context, In) (Out, error)) UserFunc {
	return func(ctx context.Context, input json.RawMessage) (out json.RawMessage, err error) {
		defer func() {
			if r := recover(); r != nil {
				err = &PanicError{Value: r, Stack: string(debug.Stack())}
			}
		}()
		var in In
		if len(input) > 0 {
			if err := json.Unmarshal(input, &in); err != nil {
				return nil, &InputError{Err: err}
			}
		}
		o, err := f(ctx, in)
		if err != nil {
			return nil, err
		}
		return json.Marshal(o)
	}
}

// PanicError is a panic recovered from a user function.
type PanicError struct {
	Value any
	Stack string
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// InputError is an input that does not decode into the function's parameter.
type InputError struct{ Err error }

func (e *InputError) Error() string { return "cannot decode input: " + e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// Failure is an error as a workflow sees it: a name and a cause, as in Step
// Functions.
type Failure struct {
	Error string `json:"error"`
	Cause string `json:"cause,omitempty"`
}

// NamedError is an error that chooses its error name, the name a retrier or
// catcher matches, instead of its Go type's name.
type NamedError interface {
	error
	ErrorName() string
}

// FailureOf names an error the way aws-lambda-go does on Lambda: by its Go
// type's name, pointer stripped ("errorString", "*MyError" -> "MyError"),
// unless an error in its chain (errors.As) implements NamedError with a
// name other than "". A panic is named after the panic value's type; an
// input that does not decode after the decoding error's type.
func FailureOf(err error) *Failure {
	var named NamedError
	if errors.As(err, &named) {
		if name := named.ErrorName(); name != "" {
			return &Failure{Error: name, Cause: err.Error()}
		}
	}
	var p *PanicError
	if errors.As(err, &p) {
		return &Failure{Error: typeName(p.Value), Cause: err.Error()}
	}
	var in *InputError
	if errors.As(err, &in) {
		return &Failure{Error: typeName(in.Err), Cause: err.Error()}
	}
	return &Failure{Error: typeName(err), Cause: err.Error()}
}

func typeName(v any) string {
	t := reflect.TypeOf(v)
	if t == nil {
		return "error"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Name() == "" {
		return t.String()
	}
	return t.Name()
}
