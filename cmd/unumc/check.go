package main

import (
	"fmt"

	"github.com/urfave/cli/v2"
)

func checkCommand() *cli.Command {
	return &cli.Command{
		Name:      "check",
		Usage:     "report every error in a workflow",
		ArgsUsage: "WORKFLOW",
		Flags:     []cli.Flag{formatFlag, bindFlag},
		Action: func(c *cli.Context) error {
			path, w, err := loadWorkflow(c)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.App.Writer, "%s: workflow %q is valid: %d nodes\n", path, w.Name, len(w.Nodes))
			return nil
		},
	}
}
