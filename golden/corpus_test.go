package golden

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/unumc/unumc/asl"
	"github.com/unumc/unumc/codegen"
	"github.com/unumc/unumc/internal/build"
	"github.com/unumc/unumc/internal/diag"
	"github.com/unumc/unumc/internal/ir"
)

// corpusDir holds real Step Functions definitions that nobody here wrote.
const corpusDir = "../../shared/corpus/asl/valid"

// TestCorpusCompiles imports every valid definition of the shared corpus.
// Each must either compile — its generated programs type-check and pass go
// vet, with every Lambda function bound to one stub — or be refused with
// "unsupported: ..." diagnostics only. A crash or a definition rejected as
// invalid fails the test. The outcomes are logged as a table.
func TestCorpusCompiles(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*.json"))
	if len(files) == 0 {
		t.Skipf("no corpus at %s", corpusDir)
	}
	bind := func(name string, pos diag.Pos) (*ir.Func, error) {
		return &ir.Func{Import: "corpus.test/stub", Name: "Handle", Pos: pos}, nil
	}
	outcomes := map[string][]string{}
	tmp := t.TempDir()
	gen := filepath.Join(tmp, "gen")
	compiled := 0
	for i, f := range files {
		base := filepath.Base(f)
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var w *ir.Workflow
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: the importer panicked: %v", base, r)
					err = fmt.Errorf("panic")
				}
			}()
			w, err = asl.Load(base, src, asl.Options{Bind: bind})
		}()
		switch {
		case err != nil && err.Error() == "panic":
			outcomes["crash"] = append(outcomes["crash"], base)
			continue
		case err != nil && asl.Unsupported(err):
			reason := unsupportedReason(err)
			outcomes[reason] = append(outcomes[reason], base)
			continue
		case err != nil:
			t.Errorf("%s: a valid definition was rejected:\n%v", base, err)
			outcomes["rejected"] = append(outcomes["rejected"], base)
			continue
		}
		programs, err := codegen.Generate(w, codegen.Local)
		if err != nil {
			t.Errorf("%s: code generation: %v", base, err)
			continue
		}
		if err := build.WriteSources(filepath.Join(gen, fmt.Sprintf("w%03d", i)), programs); err != nil {
			t.Fatal(err)
		}
		outcomes["compiles"] = append(outcomes["compiles"], base)
		compiled++
	}

	// Every JSONPath-mode definition whose Tasks are all Lambda functions
	// must compile.
	lambdaOnly, missing := 0, 0
	for _, f := range files {
		base := filepath.Base(f)
		src, _ := os.ReadFile(f)
		if !lambdaOnlyJSONPath(src) {
			continue
		}
		lambdaOnly++
		if !slices.Contains(outcomes["compiles"], base) {
			missing++
			t.Errorf("%s: a JSONPath-mode definition whose Tasks are all Lambda functions does not compile", base)
		}
	}
	t.Logf("%d of %d JSONPath-mode, Lambda-only definitions compile", lambdaOnly-missing, lambdaOnly)

	var b strings.Builder
	reasons := make([]string, 0, len(outcomes))
	for r := range outcomes {
		reasons = append(reasons, r)
	}
	sort.Slice(reasons, func(i, j int) bool {
		if len(outcomes[reasons[i]]) != len(outcomes[reasons[j]]) {
			return len(outcomes[reasons[i]]) > len(outcomes[reasons[j]])
		}
		return reasons[i] < reasons[j]
	})
	fmt.Fprintf(&b, "%5s  %s\n", "files", "outcome")
	for _, r := range reasons {
		fmt.Fprintf(&b, "%5d  %s\n", len(outcomes[r]), r)
	}
	t.Logf("outcomes of %d corpus definitions:\n%s", len(files), b.String())
	if compiled == 0 {
		t.Fatal("no corpus definition compiled")
	}

	// One go vet over every generated program: it type-checks them all.
	if err := os.MkdirAll(filepath.Join(gen, "stub"), 0o755); err != nil {
		t.Fatal(err)
	}
	stub := "// Package stub stands for every Lambda function of the corpus.\npackage stub\n\nimport (\n\t\"context\"\n\t\"encoding/json\"\n)\n\n" +
		"func Handle(_ context.Context, in json.RawMessage) (json.RawMessage, error) { return in, nil }\n"
	if err := os.WriteFile(filepath.Join(gen, "stub", "stub.go"), []byte(stub), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(gen, "go.mod"), []byte("module corpus.test\n\ngo 1.26.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	work := fmt.Sprintf("go 1.26.0\n\nuse (\n\t%q\n\t./gen\n)\n", root)
	if err := os.WriteFile(filepath.Join(tmp, "go.work"), []byte(work), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(context.Background(), "go", "vet", "./...")
	cmd.Dir = gen
	cmd.Env = append(os.Environ(), "GOWORK="+filepath.Join(tmp, "go.work"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go vet of the programs generated from %d corpus definitions: %v\n%s", compiled, err, out)
	}
}

// lambdaOnlyJSONPath reports whether a definition is in JSONPath mode
// throughout and every Task calls a Lambda function: by ARN, through
// lambda:invoke (request-response), or by a ${...} placeholder. Distributed
// Maps, and Tasks that hand out a task token (a callback integration behind
// a placeholder), do not count.
func lambdaOnlyJSONPath(src []byte) bool {
	var def any
	if json.Unmarshal(src, &def) != nil {
		return false
	}
	lambda := regexp.MustCompile(`^(arn:aws[\w-]*:lambda:[^:]*:[^:]*:function:[^:]+(:[^:]+)?|arn:aws[\w-]*:states:::lambda:invoke|\$\{[^}]+\})$`)
	ok := true
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if v["QueryLanguage"] == "JSONata" || v["Mode"] == "DISTRIBUTED" {
				ok = false
			}
			for _, k := range []string{"ItemReader", "ItemBatcher", "ResultWriter", "ToleratedFailureCount", "ToleratedFailurePercentage"} {
				if _, has := v[k]; has {
					ok = false
				}
			}
			if v["Type"] == "Task" {
				r, _ := v["Resource"].(string)
				if !lambda.MatchString(r) {
					ok = false
				}
			}
			for _, e := range v {
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		case string:
			if v == "$$.Task.Token" {
				ok = false
			}
		}
	}
	walk(def)
	return ok
}

var quoted = regexp.MustCompile(`"[^"]*"`)

// unsupportedReason names the feature of the first unsupported diagnostic.
func unsupportedReason(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "unsupported: "); i >= 0 {
		msg = msg[i:]
	}
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	msg, _, _ = strings.Cut(msg, " (and ")
	// Group by feature, not by the names in it: "the \"sns:publish\" service
	// integration" and "the \"sqs:sendMessage\" ..." are one reason.
	return quoted.ReplaceAllString(msg, `"…"`)
}
