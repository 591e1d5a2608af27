// Package sum is the function Sum of the variables case: the sum of its
// numbers, times a factor the workflow passes from a variable.
package sum

import "context"

type In struct {
	Numbers []int `json:"numbers"`
	Factor  int   `json:"factor"`
}

type Out struct {
	Sum int `json:"sum"`
}

func Handle(_ context.Context, in In) (Out, error) {
	s := 0
	for _, n := range in.Numbers {
		s += n
	}
	return Out{Sum: s * in.Factor}, nil
}
