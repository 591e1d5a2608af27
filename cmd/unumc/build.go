package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/unumc/unumc/codegen"
	"github.com/unumc/unumc/internal/build"
)

// targetFlag selects the platform to build for. It is made when the command
// is, after every platform's init has registered itself.
func targetFlag() cli.Flag {
	return &cli.StringFlag{Name: "target", Aliases: []string{"t"}, Value: "local", Usage: "platform to build for: " + strings.Join(targetNames(), ", ")}
}

// targets are the platforms build knows, by name. Each platform's file adds
// its own entry from an init function.
var targets = map[string]codegen.Target{"local": codegen.Local}

func targetNames() []string {
	names := make([]string, 0, len(targets))
	for n := range targets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func target(c *cli.Context) (codegen.Target, error) {
	if t, ok := targets[c.String("target")]; ok {
		return t, nil
	}
	return codegen.Target{}, usagef("unknown target %q (available: %s)", c.String("target"), strings.Join(targetNames(), ", "))
}

func buildCommand() *cli.Command {
	return &cli.Command{
		Name:      "build",
		Usage:     "generate one Go program per node, as source in the module (for go generate), and with -o binaries too",
		ArgsUsage: "WORKFLOW",
		Description: `Without -o, build writes the node programs as Go source into the Go module
that holds the workflow, at unum/<node>/main.go next to the workflow file, so
that 'go build ./...' builds every node and generated code is reviewed in
pull requests. In a module other than unumc's own it also writes the runtime
to .unumc/ at the module root and points go.mod at it; for a cloud target it
also adds the modules of the target's SDK to go.mod and go.sum, as 'go get'
of the target's runtime package would.

With -o DIR, build writes the sources under DIR and compiles each node into
DIR/bin/<node>; for a cloud target it wires the module as above and writes
the target's deployment artefacts to DIR instead.

--check writes nothing and fails if the committed sources are stale.`,
		Flags: append([]cli.Flag{
			formatFlag,
			bindFlag,
			targetFlag(),
			&cli.StringFlag{Name: "o", Usage: "output directory for sources and binaries"},
			&cli.BoolFlag{Name: "check", Usage: "fail, writing nothing, if the generated sources differ from what is there"},
		}, cloudBuildFlags()...),
		Action: func(c *cli.Context) error {
			t, err := target(c)
			if err != nil {
				return err
			}
			path, w, err := loadWorkflow(c)
			if err != nil {
				return err
			}
			files, err := build.Generate(w, t)
			if err != nil {
				return err
			}
			out := c.String("o")
			if out == "" {
				out = filepath.Join(filepath.Dir(path), "unum")
			}
			if c.Bool("check") {
				if stale := build.Stale(out, files); len(stale) > 0 {
					for _, s := range stale {
						fmt.Fprintf(c.App.ErrWriter, "%s\n", filepath.Join(out, s))
					}
					fmt.Fprintf(c.App.ErrWriter, "generated code for %s is stale: run 'unumc build %s'\n", path, path)
					return &exitError{exitFailure}
				}
				return nil
			}
			mod, err := build.FindModule(filepath.Dir(path))
			if err != nil {
				return err
			}
			if cl := clouds[t.Name]; cl != nil && c.String("o") != "" {
				return cl.build(c, w, mod, files, out)
			}
			if err := build.WriteSources(out, files); err != nil {
				return err
			}
			if c.String("o") == "" {
				return build.WireModule(mod, files, c.App.ErrWriter)
			}
			cache, err := cacheDir()
			if err != nil {
				return err
			}
			bins, err := build.Compile(c.Context, w, mod, t, cache, c.App.ErrWriter)
			if err != nil {
				return err
			}
			for ident, p := range bins.Paths {
				if err := copyFile(p, filepath.Join(out, "bin", ident)); err != nil {
					return err
				}
			}
			fmt.Fprintf(c.App.ErrWriter, "built %d node programs of workflow %q in %s\n", len(bins.Paths), w.Name, out)
			return nil
		},
	}
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
