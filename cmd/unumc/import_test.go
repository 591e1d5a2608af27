package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRunStepFunctionsDefinition runs an ASL file as a user would, its
// Lambda function bound to Handle in functions/NAME next to it.
func TestRunStepFunctionsDefinition(t *testing.T) {
	testEnv(t)
	root := repoRoot(t)
	code, out, errs := unumc(t, root, "run", "golden/testdata/asl-parallel/parallel.asl.json",
		"--input", `{"order": {"id": "o-1", "item": "lamp", "fail": false}}`)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("stdout is not one JSON document: %q", out)
	}
	if diff := cmp.Diff(map[string]any{"order": "o-1", "total": 142.0}, got); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
}

func TestBindFlag(t *testing.T) {
	root := repoRoot(t)
	code, _, errs := unumc(t, root, "check", "golden/testdata/asl-parallel/parallel.asl.json",
		"--bind", "LookupFunctionArn=example.com/missing.Handle")
	if code != 0 {
		t.Fatalf("check exit %d: %s", code, errs)
	}
	code, out, _ := unumc(t, root, "import", "golden/testdata/asl-parallel/parallel.asl.json",
		"--bind", "LookupFunctionArn=example.com/pricing.Lookup")
	if code != 0 || !strings.Contains(out, `import "example.com/pricing"`) || !strings.Contains(out, "node Lookup = pricing.Lookup") {
		t.Errorf("exit %d, the binding is not in the import:\n%s", code, out)
	}
	code, _, errs = unumc(t, root, "check", "golden/testdata/asl-parallel/parallel.asl.json", "--bind", "nonsense")
	if code != 2 || !strings.Contains(errs, "NAME=import/path.Func") {
		t.Errorf("a malformed --bind: exit %d, stderr %q; want 2 and a usage message", code, errs)
	}
}

// TestImport prints a definition as .unum, which formats to itself and
// checks; an invalid definition fails with positioned diagnostics.
func TestImport(t *testing.T) {
	root := repoRoot(t)
	code, out, errs := unumc(t, root, "import", "golden/testdata/asl-dataflow/dataflow.asl.json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"workflow dataflow", `inputpath "$.lambda"`, `resultpath null`, `node Pause = wait seconds "$.lambda.pause"`, "node Wrap = lambda Echo.Handle", "start -> Hello -> Discard -> Pause -> Select -> Wrap"} {
		if !strings.Contains(out, want) {
			t.Errorf("import lacks %q:\n%s", want, out)
		}
	}
	dir := filepath.Join(root, "golden", "testdata", "asl-dataflow")
	tmp := filepath.Join(dir, "imported.unum")
	if err := os.WriteFile(tmp, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(tmp)
	if code, _, errs := unumc(t, "", "check", tmp); code != 0 {
		t.Errorf("the imported source does not check: %s", errs)
	}
	if code, fmtOut, _ := unumc(t, "", "fmt", "-l", tmp); code != 0 || fmtOut != "" {
		t.Errorf("the imported source is not formatted: exit %d, %q", code, fmtOut)
	}

	bad := filepath.Join(t.TempDir(), "bad.asl.json")
	os.WriteFile(bad, []byte("{\n  \"StartAt\": \"A\",\n  \"States\": {\n    \"A\": {\"Type\": \"Pass\", \"Next\": \"B\"}\n  }\n}\n"), 0o644)
	code, _, errs = unumc(t, "", "import", bad)
	if code != 1 || !strings.Contains(errs, "bad.asl.json:4:") || !strings.Contains(errs, `"B"`) {
		t.Errorf("an invalid definition: exit %d, stderr %q; want 1 and a positioned error naming \"B\"", code, errs)
	}
}
