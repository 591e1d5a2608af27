package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/unumc/unumc/codegen"
	"github.com/unumc/unumc/internal/build"
	"github.com/unumc/unumc/internal/ir"
	"github.com/unumc/unumc/rt"
	"github.com/unumc/unumc/targets/local"
)

func runCommand() *cli.Command {
	return &cli.Command{
		Name:      "run",
		Usage:     "compile a workflow and run it on this machine; print its output",
		ArgsUsage: "WORKFLOW",
		Description: `run compiles every node (cached by content), then runs the workflow with
each invocation in its node's own process, coordinated only through an
embedded durable store under the state directory. On success it prints the
workflow's output, and nothing else, on stdout. If the workflow fails it
prints "Error: cause" on stderr and exits 1.

An execution is named by --name, or gets a fresh name. Running again with the
name of an execution that ended prints its recorded outcome; with the name of
one that was interrupted, it resumes it.

With --inputs FILE, run starts one execution per line of FILE (JSON Lines; -
for standard input), named NAME-1, NAME-2, ... after their lines, up to
--parallel of them at once, all in one set of node processes that stay warm
from one execution to the next. It prints a JSON line per execution, in the
order of the inputs: {"execution", "output"} for one that succeeded,
{"execution", "error", "cause"} for one that failed. It exits 1 if any
failed.`,
		Flags: []cli.Flag{
			formatFlag,
			bindFlag,
			&cli.StringFlag{Name: "input", Aliases: []string{"i"}, Value: "{}", Usage: "the workflow's input: JSON, or @FILE, or @- for standard input"},
			&cli.StringFlag{Name: "inputs", Usage: "run an execution for each line of `FILE` (JSON Lines; - for standard input) in one set of warm processes"},
			&cli.IntFlag{Name: "parallel", Value: 16, Usage: "with --inputs, the most executions running at once"},
			&cli.StringFlag{Name: "name", Usage: "the execution's name (default: a fresh one); with --inputs, the prefix of theirs"},
			&cli.StringFlag{Name: "state", Usage: "state directory (default: $UNUMC_STATE or ~/.local/state/unumc)"},
			&cli.StringFlag{Name: "stats", Usage: "write a JSON summary of the run's invocations and store requests to `FILE`"},
			&cli.BoolFlag{Name: "fresh", Usage: "start a new process for every invocation instead of reusing warm ones"},
			&cli.IntFlag{Name: "procs", Usage: "most invocations running at once (default 2*GOMAXPROCS+2)"},
			&cli.IntFlag{Name: "warm", Usage: "most node processes alive at once, idle ones kept warm included (default --procs plus one a node, at most 32 more)"},
			&cli.Int64Flag{Name: "chaos", Usage: "inject faults from the schedule of `SEED`: killed processes, duplicate and reordered deliveries, failed store requests"},
		},
		Action: runAction,
	}
}

func runAction(c *cli.Context) error {
	if c.IsSet("inputs") {
		if c.IsSet("input") || c.IsSet("stats") || c.IsSet("chaos") {
			return usagef("--inputs cannot be used with --input, --stats or --chaos")
		}
		return runInputs(c)
	}
	input, err := readInput(c)
	if err != nil {
		return err
	}
	name, err := executionName(c, "")
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
	defer stop()
	opts, err := localOptions(ctx, c)
	if err != nil {
		return err
	}
	opts.Execution, opts.Input, opts.Chaos = name, input, chaos(c)
	res, err := local.Run(ctx, opts)
	if res != nil && c.String("stats") != "" {
		if werr := writeStats(c.String("stats"), name, res); werr != nil && err == nil {
			err = werr
		}
	}
	if err != nil {
		if errors.Is(err, context.Canceled) || ctx.Err() != nil {
			fmt.Fprintf(c.App.ErrWriter, "unumc: interrupted; the execution is kept: resume it with --name %s\n", name)
			return &exitError{exitFailure}
		}
		msg := err.Error()
		if res != nil && res.Log != "" {
			msg += "\n(node output is in " + res.Log + "; resume with --name " + name + ")"
		}
		return errors.New(msg)
	}
	switch res.Status.State {
	case rt.Succeeded:
		fmt.Fprintf(c.App.Writer, "%s\n", res.Status.Output)
		return nil
	case rt.Failed:
		fmt.Fprintf(c.App.ErrWriter, "%s: %s\n", res.Status.Error, res.Status.Cause)
		return &exitError{exitFailure}
	}
	return fmt.Errorf("execution %s ended in state %q", name, res.Status.State)
}

// localOptions compiles the workflow of the command line's argument for
// the local target and returns the runner's options for it, from the
// flags that run and run --inputs share.
func localOptions(ctx context.Context, c *cli.Context) (local.Options, error) {
	path, w, err := loadWorkflow(c)
	if err != nil {
		return local.Options{}, err
	}
	mod, err := build.FindModule(filepath.Dir(path))
	if err != nil {
		return local.Options{}, err
	}
	cache, err := cacheDir()
	if err != nil {
		return local.Options{}, err
	}
	state, err := stateDir(c)
	if err != nil {
		return local.Options{}, err
	}
	bins, err := build.Compile(ctx, w, mod, codegen.Local, cache, c.App.ErrWriter)
	if err != nil {
		return local.Options{}, err
	}
	return local.Options{
		StateDir:   state,
		Workflow:   w.Name,
		Binaries:   bins.Paths,
		Successors: ir.Invokes(w),
		Start:      w.Node(w.Start).Ident,
		Fresh:      c.Bool("fresh"),
		MaxProcs:   c.Int("procs"),
		Warm:       c.Int("warm"),
	}, nil
}

// readInput reads --input: inline JSON, @FILE, or @- for standard input.
func readInput(c *cli.Context) (json.RawMessage, error) {
	in := c.String("input")
	var data []byte
	switch {
	case in == "@-":
		var err error
		if data, err = readAll(c.App.Reader); err != nil {
			return nil, err
		}
	case strings.HasPrefix(in, "@"):
		var err error
		if data, err = os.ReadFile(in[1:]); err != nil {
			return nil, usagef("--input: %v", err)
		}
	default:
		data = []byte(in)
	}
	if !json.Valid(data) {
		return nil, usagef("--input is not valid JSON")
	}
	return json.RawMessage(strings.TrimSpace(string(data))), nil
}

// executionName returns --name, or a fresh name, checked as the name of
// an execution once suffix is added to it.
func executionName(c *cli.Context, suffix string) (string, error) {
	name := c.String("name")
	if name == "" {
		name = freshName()
	}
	if err := rt.ValidExecutionName(name + suffix); err != nil {
		return "", usagef("--name: %v", err)
	}
	return name, nil
}

// freshName makes an execution name that sorts by start time.
func freshName() string {
	var b [4]byte
	rand.Read(b[:])
	return time.Now().UTC().Format("20060102T150405") + "-" + hex.EncodeToString(b[:])
}

func writeStats(path, execution string, res *local.Result) error {
	out := struct {
		Execution string `json:"execution"`
		State     string `json:"state,omitempty"`
		*local.Stats
	}{Execution: execution, Stats: res.Stats}
	if res.Status != nil {
		out.State = res.Status.State
	}
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

func chaos(c *cli.Context) *local.Chaos {
	if !c.IsSet("chaos") {
		return nil
	}
	return local.DefaultChaos(c.Int64("chaos"))
}
