// Package hellofunction is the Lambda function HelloFunction of the
// dataflow case.
package hellofunction

import "context"

type In struct {
	Who      string `json:"who"`
	Greeting string `json:"greeting"`
}

type Out struct {
	Message string `json:"message"`
}

func Handle(_ context.Context, in In) (Out, error) {
	return Out{Message: in.Greeting + ", " + in.Who + "!"}, nil
}
