package main

import (
	"github.com/urfave/cli/v2"

	"github.com/unumc/unumc/lang"
)

func importCommand() *cli.Command {
	return &cli.Command{
		Name:      "import",
		Usage:     "print a Step Functions definition as .unum source, to migrate and then edit by hand",
		ArgsUsage: "DEFINITION.asl.json",
		Description: "The definition is checked as `unumc check` does; its Lambda functions are bound as for\n" +
			"`unumc build` (Handle in functions/NAME next to it, unless --bind or unumc.bindings.json says\n" +
			"otherwise), and the .unum source compiles to the same node programs.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Value: "asl", Usage: "syntax of the input: asl or unum"},
			bindFlag,
		},
		Action: func(c *cli.Context) error {
			_, w, err := loadWorkflow(c)
			if err != nil {
				return err
			}
			src, err := lang.Print(w)
			if err != nil {
				return err
			}
			_, err = c.App.Writer.Write(src)
			return err
		},
	}
}
