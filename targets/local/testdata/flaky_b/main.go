// Node b of workflow flaky: misbehaves as its input's mode asks, to test the
// runner's retries, timeouts and resumption.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/unumc/unumc/rt"
	"github.com/unumc/unumc/rt/unumctx"
	"github.com/unumc/unumc/targets/local/proc"
)

// Order says what to do.
type Order struct {
	// Mode is one of:
	//	crash-once          exit 3 in the user function on the first attempt
	//	crash-always        exit 3 in the user function on every attempt
	//	crash-after-commit  exit 4 after the result is committed, on the first attempt
	//	hang-once           sleep for an hour on the first attempt
	//	wait-file           wait while the file at File exists
	//	drop                commit, then return without a continuation (a protocol bug)
	Mode string `json:"mode"`
	File string `json:"file,omitempty"`
	N    int    `json:"n"`
}

// Done is the output: 10 n, and the attempt that computed it.
type Done struct {
	N       int `json:"n"`
	Attempt int `json:"attempt"`
}

func work(ctx context.Context, in Order) (Done, error) {
	info, _ := unumctx.From(ctx)
	switch {
	case in.Mode == "crash-once" && info.Attempt == 1, in.Mode == "crash-always":
		fmt.Fprintf(os.Stderr, "b: crashing on purpose in attempt %d\n", info.Attempt)
		os.Exit(3)
	case in.Mode == "hang-once" && info.Attempt == 1:
		fmt.Println("b: hanging")
		time.Sleep(time.Hour)
	case in.Mode == "wait-file":
		fmt.Println("b: waiting")
		for {
			if _, err := os.Stat(in.File); err != nil {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return Done{N: 10 * in.N, Attempt: info.Attempt}, nil
}

func main() {
	proc.Main(&rt.Node{
		Workflow: "flaky", Name: "b", Ident: "b", Start: "a",
		Handle: func(ctx context.Context, x *rt.Invocation) error {
			res, err := x.Call(ctx, rt.Func(work))
			if res == nil {
				return err
			}
			var in Order
			json.Unmarshal(x.Env.Input, &in)
			switch info, _ := unumctx.From(ctx); {
			case in.Mode == "crash-after-commit" && info.Attempt == 1:
				fmt.Fprintln(os.Stderr, "b: crashing after the commit")
				os.Exit(4)
			case in.Mode == "drop":
				return nil
			}
			return x.End(ctx)
		},
	})
}
