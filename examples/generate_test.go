package examples_test

import (
	"os/exec"
	"testing"

	"github.com/unumc/unumc/codegen"
	"github.com/unumc/unumc/internal/build"
)

// TestGeneratedCodeIsFresh fails when the committed programs of the example
// that uses go generate differ from what unumc generates now.
func TestGeneratedCodeIsFresh(t *testing.T) {
	w, err := build.Load("hello/hello.unum", "")
	if err != nil {
		t.Fatal(err)
	}
	files, err := build.Generate(w, codegen.Local)
	if err != nil {
		t.Fatal(err)
	}
	if stale := build.Stale("hello/unum", files); len(stale) > 0 {
		t.Fatalf("examples/hello/unum is stale; run 'go generate ./examples/hello':\n%v", stale)
	}
	if out, err := exec.Command("go", "vet", "./hello/unum/...").CombinedOutput(); err != nil {
		t.Fatalf("go vet of the generated programs: %v\n%s", err, out)
	}
}
