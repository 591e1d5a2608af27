package main

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/unumc/unumc/internal/diag"
	"github.com/unumc/unumc/lang"
)

func fmtCommand() *cli.Command {
	return &cli.Command{
		Name:      "fmt",
		Usage:     "print .unum files in canonical form",
		ArgsUsage: "FILE... (or - for standard input)",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "w", Usage: "write the result back to each file instead of printing it"},
			&cli.BoolFlag{Name: "l", Usage: "list the files whose formatting differs"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return usagef("fmt needs at least one file")
			}
			var errs diag.List
			for _, path := range c.Args().Slice() {
				var src []byte
				var err error
				if path == "-" {
					src, err = io.ReadAll(c.App.Reader)
					path = "<stdin>"
				} else {
					src, err = os.ReadFile(path)
				}
				if err != nil {
					return err
				}
				f, err := lang.Parse(path, src)
				if err != nil {
					if dl, ok := err.(diag.List); ok {
						errs.Append(dl)
						continue
					}
					return err
				}
				out := lang.Format(f)
				switch {
				case c.Bool("l"):
					if !bytes.Equal(src, out) {
						fmt.Fprintln(c.App.Writer, path)
					}
				case c.Bool("w"):
					if !bytes.Equal(src, out) {
						if err := os.WriteFile(path, out, 0o644); err != nil {
							return err
						}
					}
				default:
					c.App.Writer.Write(out)
				}
			}
			return errs.Err()
		},
	}
}
