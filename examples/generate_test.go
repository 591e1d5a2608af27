package examples_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/unumc/unumc/codegen"
	"github.com/unumc/unumc/internal/build"
	"github.com/unumc/unumc/lang"
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

// TestWorkflowsAreFormatted keeps every committed workflow in the form
// 'unumc fmt' prints.
func TestWorkflowsAreFormatted(t *testing.T) {
	files, _ := filepath.Glob("*/*.unum")
	golden, _ := filepath.Glob("../golden/testdata/*/*.unum")
	for _, p := range append(files, golden...) {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		f, err := lang.Parse(p, src)
		if err != nil {
			t.Fatal(err)
		}
		if got := lang.Format(f); !bytes.Equal(got, src) {
			t.Errorf("%s is not formatted; run 'unumc fmt -w %s'", p, p)
		}
	}
}
