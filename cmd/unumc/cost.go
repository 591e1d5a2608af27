package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/unumc/unumc/codegen"
	"github.com/unumc/unumc/internal/build"
	"github.com/unumc/unumc/internal/cost"
	"github.com/unumc/unumc/internal/ir"
	"github.com/unumc/unumc/rt"
	"github.com/unumc/unumc/targets/local"
)

func costCommand() *cli.Command {
	return &cli.Command{
		Name:      "cost",
		Usage:     "run a workflow locally and price what it would bill on a cloud target, next to Step Functions",
		ArgsUsage: "WORKFLOW",
		Description: `cost runs one execution of the workflow on this machine, as run does, and
prices what the same execution would bill on the target: function requests
and billed time at the given memory from the measured durations, the store
requests as the target's store makes them (DynamoDB read and write units
by item size; Firestore document reads, writes and deletes), and on Google
Cloud the Pub/Sub messages. Next to it are Unum's published request pattern
at today's prices and AWS Step Functions Standard (state transitions,
counted by ASL semantics) and Express, calling the same functions as Lambda
tasks. The prices and the models are in docs/cost.md.`,
		Flags: []cli.Flag{
			formatFlag,
			bindFlag,
			&cli.StringFlag{Name: "input", Aliases: []string{"i"}, Value: "{}", Usage: "the workflow's input: JSON, or @FILE, or @- for standard input"},
			&cli.StringFlag{Name: "target", Aliases: []string{"t"}, Value: cost.TargetAWS, Usage: "the target to price: aws or gcp"},
			&cli.IntFlag{Name: "executions", Value: cost.DefaultExecutions, Usage: "how many executions to price"},
			&cli.IntFlag{Name: "memory", Usage: fmt.Sprintf("memory of each function in MB (default %d on aws, as it deploys; %d MiB on gcp, Cloud Run's default)", cost.DefaultLambdaMB, cost.DefaultCloudRunMiB)},
			&cli.StringFlag{Name: "arch", Value: "arm64", Usage: "Lambda architecture: arm64 (as aws deploys) or x86_64"},
			&cli.BoolFlag{Name: "json", Usage: "print the report as JSON"},
			&cli.StringFlag{Name: "state", Usage: "state directory (default: $UNUMC_STATE or ~/.local/state/unumc)"},
		},
		Action: costAction,
	}
}

func costAction(c *cli.Context) error {
	opts := cost.Options{Target: c.String("target"), MemoryMB: c.Int("memory"), Arch: c.String("arch"), Executions: c.Int("executions")}
	switch {
	case opts.Target != cost.TargetAWS && opts.Target != cost.TargetGCP:
		return usagef("-t must be aws or gcp, not %q", opts.Target)
	case opts.Arch != "arm64" && opts.Arch != "x86_64":
		return usagef("--arch must be arm64 or x86_64, not %q", opts.Arch)
	case opts.MemoryMB < 0 || opts.MemoryMB > 0 && opts.MemoryMB < 128:
		return usagef("--memory must be at least 128 (MB), not %d", opts.MemoryMB)
	case opts.Executions < 1:
		return usagef("--executions must be at least 1, not %d", opts.Executions)
	}
	input, err := readInput(c)
	if err != nil {
		return err
	}
	path, w, err := loadWorkflow(c)
	if err != nil {
		return err
	}
	mod, err := build.FindModule(filepath.Dir(path))
	if err != nil {
		return err
	}
	cacheDirectory, err := cacheDir()
	if err != nil {
		return err
	}
	state, err := stateDir(c)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
	defer stop()
	bins, err := build.Compile(ctx, w, mod, codegen.Local, cacheDirectory, c.App.ErrWriter)
	if err != nil {
		return err
	}
	name := freshName()
	start := w.Node(w.Start).Ident
	// Each delivery's duration, so that each is rounded up as the target
	// bills it, rather than worked out from sums.
	var mu sync.Mutex
	durations := map[string][]time.Duration{}
	res, err := local.Run(ctx, local.Options{
		StateDir:   state,
		Workflow:   w.Name,
		Binaries:   bins.Paths,
		Successors: ir.Invokes(w),
		Start:      start,
		Execution:  name,
		Input:      input,
		// As each target's functions run: AWS's collect records by expiry
		// and write a bounded map's element records.
		CollectByExpiry: opts.Target == cost.TargetAWS,
		ElementRecords:  opts.Target == cost.TargetAWS,
		Observe: func(d local.Delivery) {
			mu.Lock()
			durations[d.Node] = append(durations[d.Node], d.Ended.Sub(d.Began))
			mu.Unlock()
		},
	})
	if err != nil {
		if res != nil && res.Log != "" {
			err = fmt.Errorf("%w\n(node output is in %s)", err, res.Log)
		}
		return err
	}
	if res.Status == nil || res.Status.State != rt.Succeeded && res.Status.State != rt.Failed {
		return errors.New("the execution did not end")
	}
	if res.Status.State == rt.Failed {
		// A failed execution bills too: price it as it ran.
		fmt.Fprintf(c.App.ErrWriter, "unumc: the execution failed (%s: %s); pricing it as it ran\n", res.Status.Error, res.Status.Cause)
	}
	rep, err := cost.Estimate(cost.Run{
		Workflow:  w,
		Stats:     res.Stats,
		Durations: durations,
		Start:     &rt.Envelope{Version: rt.Version, Execution: name, Node: start, Input: input},
	}, opts)
	if err != nil {
		return err
	}
	if c.Bool("json") {
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return rep.WriteText(c.App.Writer)
}
