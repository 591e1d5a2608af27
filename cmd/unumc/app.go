package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

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

			buildCommand(),
			checkCommand(),
			fmtCommand(),
			graphCommand(),
		},
		OnUsageError: func(_ *cli.Context, err error, _ bool) error { return &usageError{err.Error()} },
	}
	err := app.Run(args)
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
		if len(s) >= len(p) && contains(s, p) {
			return true
		}
	}
	return false
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
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

var formatFlag = &cli.StringFlag{Name: "format", Usage: "workflow syntax: unum (default: by file extension)"}

// loadWorkflow loads and checks the workflow named on the command line.
func loadWorkflow(c *cli.Context) (string, *ir.Workflow, error) {
	path, err := workflowArg(c)
	if err != nil {
		return "", nil, err
	}
	if _, err := os.Stat(path); err != nil {
		return "", nil, err
	}
	w, err := build.Load(path, c.String("format"))
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
