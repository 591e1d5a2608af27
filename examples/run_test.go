package examples_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/unumc/unumc/internal/runtest"
)

// TestRun runs every example on the local target, each node invocation in
// its own process, and checks its output and the bundled cases.
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs generated programs")
	}
	workflows, _ := filepath.Glob("*/*.unum")
	if len(workflows) == 0 {
		t.Fatal("no examples")
	}
	for _, wf := range workflows {
		t.Run(filepath.Base(filepath.Dir(wf)), func(t *testing.T) {
			runtest.Cases(context.Background(), t, wf)
		})
	}
}
