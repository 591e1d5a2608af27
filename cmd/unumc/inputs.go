package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/unumc/unumc/rt"
	"github.com/unumc/unumc/targets/local"
)

// An inputLine is one execution of `run --inputs`: its line's JSON.
type inputLine struct {
	line  int
	input json.RawMessage
}

// outcome is the JSON line `run --inputs` prints for one execution.
type outcome struct {
	Execution string          `json:"execution"`
	Output    json.RawMessage `json:"output,omitempty"`
	Error     string          `json:"error,omitempty"`
	Cause     string          `json:"cause,omitempty"`
}

// readInputs reads --inputs: a JSON value per non-blank line. A line that
// is not JSON is a usage error naming it, before anything runs.
func readInputs(c *cli.Context) ([]inputLine, error) {
	var r io.Reader
	path := c.String("inputs")
	if path == "-" {
		r = c.App.Reader
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, usagef("--inputs: %v", err)
		}
		defer f.Close()
		r = f
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 64<<20)
	var lines []inputLine
	for n := 1; sc.Scan(); n++ {
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		if !json.Valid(text) {
			return nil, usagef("%s:%d: not a JSON value", path, n)
		}
		lines = append(lines, inputLine{line: n, input: bytes.Clone(text)})
	}
	if err := sc.Err(); err != nil {
		return nil, usagef("--inputs: %v", err)
	}
	return lines, nil
}

// runInputs is `run --inputs`: every line an execution, in one Host.
func runInputs(c *cli.Context) error {
	lines, err := readInputs(c)
	if err != nil {
		return err
	}
	parallel := c.Int("parallel")
	if parallel < 1 {
		return usagef("--parallel must be at least 1")
	}
	prefix, err := executionName(c, "-1")
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
	defer stop()
	opts, err := localOptions(ctx, c)
	if err != nil {
		return err
	}
	host, err := local.Open(opts)
	if err != nil {
		return err
	}

	// Executions run up to parallel at once; their lines are printed in
	// the inputs' order, each as soon as those before it are.
	outcomes := make([]chan outcome, len(lines))
	for i := range outcomes {
		outcomes[i] = make(chan outcome, 1)
	}
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	launched := make(chan struct{}) // closed once every execution is started or given up
	go func() {
		defer close(launched)
		for i, l := range lines {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
			}
			name := fmt.Sprintf("%s-%d", prefix, l.line)
			if ctx.Err() != nil {
				outcomes[i] <- outcome{Execution: name, Error: "unumc.Interrupted", Cause: "not started"}
				continue
			}
			wg.Go(func() {
				defer func() { <-sem }()
				outcomes[i] <- runOne(ctx, host, name, l.input)
			})
		}
	}()
	enc := json.NewEncoder(c.App.Writer)
	failed := 0
	for _, ch := range outcomes {
		o := <-ch
		if o.Error != "" {
			failed++
		}
		if err := enc.Encode(o); err != nil {
			stop()
			<-launched
			wg.Wait()
			host.Close()
			return err
		}
	}
	<-launched
	wg.Wait()
	if err := host.Close(); err != nil {
		return err
	}
	if ctx.Err() != nil {
		fmt.Fprintf(c.App.ErrWriter, "unumc: interrupted; the executions are kept: resume them with --name %s and the same inputs\n", prefix)
		return &exitError{exitFailure}
	}
	if failed > 0 {
		fmt.Fprintf(c.App.ErrWriter, "unumc: %d of %d executions failed\n", failed, len(lines))
		return &exitError{exitFailure}
	}
	return nil
}

// runOne runs one execution of --inputs and says how it ended. An error of
// the runner (an instance that failed every attempt, say) is its outcome's
// error "unumc.Run", with the log to read.
func runOne(ctx context.Context, host *local.Host, name string, input json.RawMessage) outcome {
	o := outcome{Execution: name}
	res, err := host.Run(ctx, name, input)
	switch {
	case errors.Is(err, context.Canceled) || ctx.Err() != nil:
		o.Error, o.Cause = "unumc.Interrupted", "the execution is kept"
	case err != nil:
		o.Error, o.Cause = "unumc.Run", err.Error()
		if res != nil && res.Log != "" {
			o.Cause += " (node output is in " + res.Log + ")"
		}
	case res.Status.State == rt.Succeeded:
		o.Output = res.Status.Output
	default:
		o.Error, o.Cause = res.Status.Error, res.Status.Cause
	}
	return o
}
