package golden

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/unumc/unumc/asl"
	"github.com/unumc/unumc/codegen"
	"github.com/unumc/unumc/internal/build"
	"github.com/unumc/unumc/internal/diag"
	"github.com/unumc/unumc/internal/ir"
	"github.com/unumc/unumc/lang"
)

// positions matches what differs between programs generated from a
// definition and from its import: source positions and the header's file.
var positions = regexp.MustCompile(`[\w.-]+\.(asl\.json|unum):\d+:\d+`)

// TestImportCompilesToSamePrograms checks what `unumc import` promises: the
// .unum source printed for a Step Functions definition compiles to the same
// node programs, but for the source positions in comments.
func TestImportCompilesToSamePrograms(t *testing.T) {
	defs, _ := filepath.Glob("testdata/*/*.asl.json")
	if len(defs) == 0 {
		t.Fatal("no Step Functions cases")
	}
	for _, def := range defs {
		t.Run(filepath.Base(filepath.Dir(def)), func(t *testing.T) {
			w, err := build.Load(def, "")
			if err != nil {
				t.Fatal(err)
			}
			src, err := lang.Print(w)
			if err != nil {
				t.Fatal(err)
			}
			imported, err := lang.Load(strings.TrimSuffix(def, ".asl.json")+".unum", src)
			if err != nil {
				t.Fatalf("the imported source does not load: %v\n%s", err, src)
			}
			want := generate(t, w)
			got := generate(t, imported)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("programs from the definition (-) and from its import (+) differ:\n%s\nimported source:\n%s", diff, src)
			}
		})
	}
}

func generate(t *testing.T, w *ir.Workflow) map[string]string {
	t.Helper()
	files, err := codegen.Generate(w, codegen.Local)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for p, b := range files {
		out[p] = positions.ReplaceAllString(string(b), "POS")
	}
	return out
}

// TestImportCorpus prints every corpus definition that imports as .unum and
// loads it back: the two IRs must be the same.
func TestImportCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*.json"))
	if len(files) == 0 {
		t.Skipf("no corpus at %s", corpusDir)
	}
	bind := func(name string, pos diag.Pos) (*ir.Func, error) {
		return &ir.Func{Import: "example.com/functions/" + name, Name: "Handle", Pos: pos}, nil
	}
	n := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		w, err := asl.Load(filepath.Base(f), src, asl.Options{Bind: bind})
		if err != nil {
			continue // TestCorpusCompiles accounts for these
		}
		n++
		printed, err := lang.Print(w)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
			continue
		}
		back, err := lang.Load("imported.unum", printed)
		if err != nil {
			t.Errorf("%s: the imported source does not load: %v\n%s", filepath.Base(f), err, printed)
			continue
		}
		strip := func(s string) string { return strings.ReplaceAll(s, " (synthetic)", "") }
		if diff := cmp.Diff(strip(ir.Dump(w)), strip(ir.Dump(back))); diff != "" {
			t.Errorf("%s: IR of the definition (-) and of its import (+) differ:\n%s", filepath.Base(f), diff)
		}
	}
	t.Logf("%d definitions imported and loaded back", n)
}
