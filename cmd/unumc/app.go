package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/unumc/unumc/internal/build"
	"github.com/unumc/unumc/internal/diag"
	"github.com/unumc/unumc/internal/ir"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // diagnostics, a failed build, a failed workflow
	exitUsage   = 2
)

// usageError marks errors in how unumc was called.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// exitError carries an exit code whose message has already been printed.
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// run is the whole CLI, callable from tests in-process.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	app := &cli.App{
		Name:           "unumc",
		Usage:          "compile workflows of Go functions into self-orchestrating programs",
		Reader:         stdin,
		Writer:         stdout,
		ErrWriter:      stderr,
		ExitErrHandler: func(*cli.Context, error) {}, // exit codes are mapped below, not by os.Exit inside Run
		HideVersion:    true,
		Commands: []*cli.Command{
			runCommand(),
			buildCommand(),
			checkCommand(),
			fmtCommand(),
			graphCommand(),
			importCommand(),
			statusCommand(),
			deployCommand(),
			startCommand(),
			costCommand(),
		},
		OnUsageError: func(_ *cli.Context, err error, _ bool) error { return &usageError{err.Error()} },
	}
	err := app.Run(interspersed(app, args))
	var ee *exitError
	var ue *usageError
	var dl diag.List
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "unumc: %s\n", ue.msg)
		return exitUsage
	case errors.As(err, &dl):
		fmt.Fprint(stderr, dl.Lines())
		return exitFailure
	}
	fmt.Fprintf(stderr, "unumc: %v\n", err)
	if isFlagError(err) {
		return exitUsage
	}
	return exitFailure
}

// isFlagError recognises urfave/cli's own errors about flags and arguments.
func isFlagError(err error) bool {
	s := err.Error()
	for _, p := range []string{"flag provided but not defined", "flag needs an argument", "invalid value", "No help topic", "Required flag"} {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

// workflowArg returns the single workflow argument of a command.
func workflowArg(c *cli.Context) (string, error) {
	if c.NArg() != 1 {
		return "", usagef("%s needs one workflow file, got %d arguments", c.Command.Name, c.NArg())
	}
	return c.Args().First(), nil
}

var formatFlag = &cli.StringFlag{Name: "format", Usage: "workflow syntax: unum or asl (default: by file extension, .unum or .asl.json)"}

var bindFlag = &cli.StringSliceFlag{Name: "bind", Usage: "bind a Step Functions Lambda function `NAME=import/path.Func` (default: Handle in functions/NAME next to the definition)"}

// loadWorkflow loads and checks the workflow named on the command line.
func loadWorkflow(c *cli.Context) (string, *ir.Workflow, error) {
	path, err := workflowArg(c)
	if err != nil {
		return "", nil, err
	}
	if _, err := os.Stat(path); err != nil {
		return "", nil, err
	}
	bind, err := build.Bindings(c.StringSlice("bind"))
	if err != nil {
		return "", nil, usagef("%v", err)
	}
	w, err := build.LoadWith(path, build.LoadOptions{Format: c.String("format"), Bind: bind})
	return path, w, err
}

// cacheDir is where compiled node programs are kept.
func cacheDir() (string, error) {
	if d := os.Getenv("UNUMC_CACHE"); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "unumc"), nil
}

// stateDir is where the local target keeps its store, queue and logs.
func stateDir(c *cli.Context) (string, error) {
	if d := c.String("state"); d != "" {
		return d, nil
	}
	if d := os.Getenv("UNUMC_STATE"); d != "" {
		return d, nil
	}
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "unumc"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".local", "state", "unumc"), nil
}

func readAll(r io.Reader) ([]byte, error) {
	var b bytes.Buffer
	_, err := b.ReadFrom(r)
	return b.Bytes(), err
}

// interspersed moves a command's flags before its arguments, so that
// "unumc run wf.unum --input x" works: urfave/cli/v2 stops reading flags at
// the first argument. A "--" ends the flags.
func interspersed(app *cli.App, args []string) []string {
	if len(args) < 3 {
		return args
	}
	cmd := app.Command(args[1])
	if cmd == nil {
		return args
	}
	boolean := map[string]bool{}
	known := map[string]bool{}
	for _, f := range cmd.Flags {
		_, isBool := f.(*cli.BoolFlag)
		for _, n := range f.Names() {
			known[n] = true
			boolean[n] = isBool
		}
	}
	var flags, rest []string
	rem := args[2:]
	for i := 0; i < len(rem); i++ {
		a := rem[i]
		if a == "--" {
			rest = append(rest, rem[i+1:]...)
			break
		}
		name := strings.TrimLeft(a, "-")
		if !strings.HasPrefix(a, "-") || a == "-" || name == "" {
			rest = append(rest, a)
			continue
		}
		flags = append(flags, a)
		if k, _, hasValue := strings.Cut(name, "="); !hasValue && known[k] && !boolean[k] && i+1 < len(rem) {
			i++
			flags = append(flags, rem[i])
		}
	}
	out := append([]string{args[0], args[1]}, flags...)
	if len(rest) > 0 {
		out = append(out, "--")
		out = append(out, rest...)
	}
	return out
}
