package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/unumc/unumc/internal/graph"
)

func graphCommand() *cli.Command {
	return &cli.Command{
		Name:      "graph",
		Usage:     "print a workflow as a Mermaid flowchart or a Graphviz DOT graph",
		ArgsUsage: "WORKFLOW",
		Flags: []cli.Flag{
			formatFlag,
			bindFlag,
			&cli.StringFlag{Name: "as", Value: "mermaid", Usage: "mermaid or dot"},
		},
		Action: func(c *cli.Context) error {
			as := c.String("as")
			if as != "mermaid" && as != "dot" {
				return usagef("--as must be mermaid or dot, not %q", as)
			}
			_, w, err := loadWorkflow(c)
			if err != nil {
				return err
			}
			if as == "dot" {
				fmt.Fprint(c.App.Writer, graph.DOT(w))
			} else {
				fmt.Fprint(c.App.Writer, graph.Mermaid(w))
			}
			return nil
		},
	}
}
