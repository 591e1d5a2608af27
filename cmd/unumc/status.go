package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/unumc/unumc/targets/local"
)

func statusCommand() *cli.Command {
	return &cli.Command{
		Name:      "status",
		Usage:     "print the state of an execution as JSON: running, succeeded (with output) or failed (with error and cause)",
		ArgsUsage: "EXECUTION",
		Description: `status looks the execution up in the local state directory. An execution
that is running, or was interrupted, is "running"; run the same workflow with
--name EXECUTION to resume it. Exit code 1 if the execution is unknown.`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "workflow", Aliases: []string{"w"}, Usage: "the workflow's name (default: search every workflow's state)"},
			&cli.StringFlag{Name: "state", Usage: "state directory (default: $UNUMC_STATE or ~/.local/state/unumc)"},
			&cli.StringFlag{Name: "target", Aliases: []string{"t"}, Value: "local", Usage: "platform the execution runs on: " + strings.Join(targetNames(), ", ")},
		}, cloudFlags()...),
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef("status needs one execution name, got %d arguments", c.NArg())
			}
			if c.String("target") != "local" {
				cl, err := cloudOf(c)
				if err != nil {
					return err
				}
				return cl.Status(c, c.Args().First())
			}
			state, err := stateDir(c)
			if err != nil {
				return err
			}
			d, err := local.Describe(state, c.String("workflow"), c.Args().First())
			if errors.Is(err, local.ErrUnknownExecution) {
				return fmt.Errorf("execution %q: %w in %s", c.Args().First(), err, state)
			}
			if err != nil {
				return err
			}
			out := struct {
				*local.Description
				Output json.RawMessage `json:"output,omitempty"`
				Error  string          `json:"error,omitempty"`
				Cause  string          `json:"cause,omitempty"`
			}{Description: d}
			if d.Status != nil {
				out.Output, out.Error, out.Cause = d.Status.Output, d.Status.Error, d.Status.Cause
			}
			data, err := json.MarshalIndent(out, "", "  ")
			if err != nil {
				return err
			}
			fmt.Fprintf(c.App.Writer, "%s\n", data)
			return nil
		},
	}
}
