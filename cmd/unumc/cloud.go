package main

import (
	"path/filepath"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/unumc/unumc/codegen"
	"github.com/unumc/unumc/internal/build"
	"github.com/unumc/unumc/internal/ir"
)

// A cloud is a remote platform: besides building for it, unumc deploys a
// workflow there and starts and inspects its executions. Each platform's
// file registers one from an init function (see registerCloud).
type cloud struct {
	Target codegen.Target
	// Flags are the platform's own options of deploy, start and status.
	// Platforms that mean the same thing share a name (--region, --project);
	// the first registered definition of a name is the one shown.
	Flags []cli.Flag
	// Deploy deploys workflow w, whose build (sources, the artefacts of
	// Package) deploy has written to out, or prints the exact commands that
	// would when the platform's CLI is missing.
	Deploy func(c *cli.Context, w *ir.Workflow, out string) error
	// Start starts an execution and prints its name.
	Start func(c *cli.Context) error
	// Status prints an execution's state as status does locally.
	Status func(c *cli.Context, execution string) error
	// Package is what build -o does for the platform after writing the
	// sources to out and wiring the module, instead of compiling binaries
	// for this machine: its deployment artefacts.
	Package func(c *cli.Context, w *ir.Workflow, mod *build.Module, out string) error
	// BuildFlags are the platform's own options of build (and of deploy,
	// which builds).
	BuildFlags []cli.Flag
}

var clouds = map[string]*cloud{}

// build writes what build -t PLATFORM -o out makes, and deploy before it
// deploys: the sources of the node programs, the runtime and its
// requirements in the workflow's module (build.WireModule, since the
// platform's runtime needs modules of its SDK), and the artefacts of
// Package.
func (cl *cloud) build(c *cli.Context, w *ir.Workflow, mod *build.Module, files map[string][]byte, out string) error {
	if err := build.WriteSources(out, files); err != nil {
		return err
	}
	if err := build.WireModule(mod, files, c.App.ErrWriter); err != nil {
		return err
	}
	return cl.Package(c, w, mod, out)
}

// deployBuild loads the workflow that deploy names and builds it as build
// -o does, in -o or by default in .unumc-PLATFORM/WORKFLOW next to the
// workflow's file. It returns the workflow and the output directory.
func (cl *cloud) deployBuild(c *cli.Context) (*ir.Workflow, string, error) {
	path, w, err := loadWorkflow(c)
	if err != nil {
		return nil, "", err
	}
	mod, err := build.FindModule(filepath.Dir(path))
	if err != nil {
		return nil, "", err
	}
	out := c.String("o")
	if out == "" {
		out = filepath.Join(filepath.Dir(path), ".unumc-"+cl.Target.Name, w.Name)
	}
	files, err := build.Generate(w, cl.Target)
	if err != nil {
		return nil, "", err
	}
	if err := cl.build(c, w, mod, files, out); err != nil {
		return nil, "", err
	}
	return w, out, nil
}

func registerCloud(c *cloud) {
	clouds[c.Target.Name] = c
	targets[c.Target.Name] = c.Target
}

func cloudNames() []string {
	var names []string
	for n := range clouds {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// cloudFlags is the union of every platform's flags, by name.
func cloudFlags() []cli.Flag {
	seen := map[string]bool{}
	var out []cli.Flag
	for _, n := range cloudNames() {
		for _, f := range clouds[n].Flags {
			if name := f.Names()[0]; !seen[name] {
				seen[name] = true
				out = append(out, f)
			}
		}
	}
	return out
}

// cloudBuildFlags is the union of every platform's build flags, by name.
func cloudBuildFlags() []cli.Flag {
	seen := map[string]bool{}
	var out []cli.Flag
	for _, n := range cloudNames() {
		for _, f := range clouds[n].BuildFlags {
			if name := f.Names()[0]; !seen[name] {
				seen[name] = true
				out = append(out, f)
			}
		}
	}
	return out
}

// cloudOf returns the platform the command's --target names.
func cloudOf(c *cli.Context) (*cloud, error) {
	name := c.String("target")
	if cl, ok := clouds[name]; ok {
		return cl, nil
	}
	if len(clouds) == 0 {
		return nil, usagef("%s: no remote platform is built into this unumc", c.Command.Name)
	}
	return nil, usagef("%s: unknown platform %q (available: %s)", c.Command.Name, name, strings.Join(cloudNames(), ", "))
}

func deployCommand() *cli.Command {
	return &cli.Command{
		Name:      "deploy",
		Usage:     "build a workflow for a cloud platform and deploy it there, or print the commands that would",
		ArgsUsage: "WORKFLOW",
		Flags: append([]cli.Flag{
			formatFlag, bindFlag,
			&cli.StringFlag{Name: "target", Aliases: []string{"t"}, Value: "aws", Usage: "platform: " + strings.Join(cloudNames(), ", ")},
			&cli.StringFlag{Name: "o", Usage: "output directory for the build and its deployment artefacts"},
		}, append(cloudFlags(), cloudBuildFlags()...)...),
		Action: func(c *cli.Context) error {
			cl, err := cloudOf(c)
			if err != nil {
				return err
			}
			w, out, err := cl.deployBuild(c)
			if err != nil {
				return err
			}
			return cl.Deploy(c, w, out)
		},
	}
}

func startCommand() *cli.Command {
	return &cli.Command{
		Name:      "start",
		Usage:     "start an execution of a deployed workflow on a cloud platform and print its name",
		ArgsUsage: "WORKFLOW",
		Flags: append([]cli.Flag{
			formatFlag, bindFlag,
			&cli.StringFlag{Name: "target", Aliases: []string{"t"}, Value: "aws", Usage: "platform: " + strings.Join(cloudNames(), ", ")},
			&cli.StringFlag{Name: "input", Aliases: []string{"i"}, Usage: "the execution's input: JSON, or @FILE"},
			&cli.StringFlag{Name: "name", Usage: "the execution's name (default: a fresh one); starting a name again joins that execution"},
		}, cloudFlags()...),
		Action: func(c *cli.Context) error {
			cl, err := cloudOf(c)
			if err != nil {
				return err
			}
			return cl.Start(c)
		},
	}
}
