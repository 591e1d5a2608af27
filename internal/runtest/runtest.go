// Package runtest runs a workflow's bundled inputs on the local target and
// checks the outputs, for the golden cases and the examples alike.
//
// Next to WORKFLOW.unum it reads input.json with want.json, and
// cases/NAME.input.json with either NAME.want.json (the output) or
// NAME.error.txt ("Error: cause" of a failed execution).
package runtest

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/unumc/unumc/codegen"
	"github.com/unumc/unumc/internal/build"
	"github.com/unumc/unumc/internal/ir"
	"github.com/unumc/unumc/rt"
	"github.com/unumc/unumc/targets/local"
)

// Case is one input and what it must produce.
type Case struct {
	Name  string
	Input json.RawMessage
	Want  json.RawMessage // the output, or nil when Error is set
	Error string          // "Error: cause"
}

// Load lists the cases bundled with a workflow.
func Load(workflow string) ([]Case, error) {
	dir := filepath.Dir(workflow)
	var cases []Case
	read := func(name, input, want, errFile string) error {
		in, err := os.ReadFile(input)
		if err != nil {
			return err
		}
		c := Case{Name: name, Input: in}
		if data, err := os.ReadFile(want); err == nil {
			c.Want = data
		} else if data, err := os.ReadFile(errFile); err == nil {
			c.Error = strings.TrimSpace(string(data))
		} else {
			return err
		}
		cases = append(cases, c)
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, "input.json")); err == nil {
		if err := read("main", filepath.Join(dir, "input.json"), filepath.Join(dir, "want.json"), filepath.Join(dir, "error.txt")); err != nil {
			return nil, err
		}
	}
	inputs, _ := filepath.Glob(filepath.Join(dir, "cases", "*.input.json"))
	for _, in := range inputs {
		base := strings.TrimSuffix(in, ".input.json")
		if err := read(filepath.Base(base), in, base+".want.json", base+".error.txt"); err != nil {
			return nil, err
		}
	}
	return cases, nil
}

// CacheDir is where tests keep compiled node programs between runs.
func CacheDir() string {
	if d := os.Getenv("UNUMC_CACHE"); d != "" {
		return d
	}
	return filepath.Join(os.TempDir(), "unumc-test-cache")
}

// Compile loads and compiles a workflow for the local target.
func Compile(ctx context.Context, t testing.TB, workflow string) (*ir.Workflow, *build.Binaries) {
	t.Helper()
	w, err := build.Load(workflow, "")
	if err != nil {
		t.Fatal(err)
	}
	mod, err := build.FindModule(filepath.Dir(workflow))
	if err != nil {
		t.Fatal(err)
	}
	bins, err := build.Compile(ctx, w, mod, codegen.Local, CacheDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return w, bins
}

// Cases compiles a workflow and runs every bundled case as a subtest,
// checking the output or error, and that the protocol collected every record
// but the execution's status.
func Cases(ctx context.Context, t *testing.T, workflow string) {
	cases, err := Load(workflow)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatalf("%s: no cases (input.json with want.json, or cases/)", workflow)
	}
	w, bins := Compile(ctx, t, workflow)
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			res, err := local.Run(ctx, local.Options{
				StateDir:   t.TempDir(),
				Workflow:   w.Name,
				Binaries:   bins.Paths,
				Successors: ir.Invokes(w),
				Start:      w.Node(w.Start).Ident,
				Execution:  "test-" + c.Name,
				Input:      c.Input,
			})
			if err != nil {
				if res != nil {
					if log, _ := os.ReadFile(res.Log); len(log) > 0 {
						t.Logf("log:\n%s", log)
					}
				}
				t.Fatal(err)
			}
			Check(t, c, res.Status)
			if res.Stats.ItemsLeft != 1 || res.Stats.StatusItems != 1 {
				t.Errorf("%d items left in the store, %d of them status records; want only the status record", res.Stats.ItemsLeft, res.Stats.StatusItems)
			}
		})
	}
}

// Check compares an execution's outcome with a case's expectation.
func Check(t testing.TB, c Case, st *rt.Status) {
	t.Helper()
	if c.Error != "" {
		if st.State != rt.Failed {
			t.Fatalf("execution %s with output %s, want failure %q", st.State, st.Output, c.Error)
		}
		if got := st.Error + ": " + st.Cause; got != c.Error {
			t.Fatalf("failure %q, want %q", got, c.Error)
		}
		return
	}
	if st.State != rt.Succeeded {
		t.Fatalf("execution %s: %s: %s", st.State, st.Error, st.Cause)
	}
	var got, want any
	if err := json.Unmarshal(st.Output, &got); err != nil {
		t.Fatalf("output is not JSON: %v: %s", err, st.Output)
	}
	if err := json.Unmarshal(c.Want, &want); err != nil {
		t.Fatalf("want is not JSON: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
}
