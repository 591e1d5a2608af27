package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// unumc runs the CLI in-process in dir and returns its exit code and output.
func unumc(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	if dir != "" {
		t.Chdir(dir)
	}
	var out, errb bytes.Buffer
	code = run(append([]string{"unumc"}, args...), strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func testEnv(t *testing.T) {
	t.Helper()
	if os.Getenv("UNUMC_CACHE") == "" {
		t.Setenv("UNUMC_CACHE", filepath.Join(os.TempDir(), "unumc-test-cache"))
	}
	t.Setenv("UNUMC_STATE", t.TempDir())
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func TestRunPrintsOnlyTheOutput(t *testing.T) {
	testEnv(t)
	stats := filepath.Join(t.TempDir(), "stats.json")
	code, out, errs := unumc(t, repoRoot(t), "run", "examples/hello/hello.unum", "--input", `{"name": "Grace"}`, "--stats", stats)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("stdout is not one JSON document: %q", out)
	}
	want := map[string]any{"message": "HELLO, GRACE!", "signature": "-- unumc"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
	var st struct {
		State       string `json:"state"`
		Invocations int    `json:"invocations"`
		ItemsLeft   int    `json:"items_left"`
		Nodes       map[string]struct {
			Invocations int `json:"invocations"`
		} `json:"nodes"`
	}
	data, err := os.ReadFile(stats)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &st); err != nil {
		t.Fatal(err)
	}
	if st.State != "succeeded" || st.Invocations != 3 || st.ItemsLeft != 1 || st.Nodes["shout"].Invocations != 1 {
		t.Errorf("stats = %s", data)
	}

	// The same execution name joins the finished execution: same output, no new invocations.
	code, out1, _ := unumc(t, "", "run", "examples/hello/hello.unum", "--input", `{"name": "Ada"}`, "--name", "again")
	code2, out2, _ := unumc(t, "", "run", "examples/hello/hello.unum", "--input", `{"name": "Ada"}`, "--name", "again", "--stats", stats)
	data, _ = os.ReadFile(stats)
	if code != 0 || code2 != 0 || out1 != out2 || !bytes.Contains(data, []byte(`"invocations": 0`)) {
		t.Errorf("rerun with the same name: exits %d %d, outputs %q %q, stats %s", code, code2, out1, out2, data)
	}
}

func TestRunFailedWorkflow(t *testing.T) {
	testEnv(t)
	code, out, errs := unumc(t, repoRoot(t), "run", "golden/testdata/failure/failure.unum",
		"--input", `{"orders": [{"item": "pot", "qty": 99}]}`)
	if code != 1 || out != "" || !strings.HasSuffix(errs, "\nOutOfStock: pot is out of stock\n") && errs != "OutOfStock: pot is out of stock\n" {
		t.Errorf("exit %d, stdout %q, stderr %q; want 1, nothing, the error and cause", code, out, errs)
	}
}

func TestDiagnostics(t *testing.T) {
	dir := t.TempDir()
	src := "workflow w\n\nimport \"example.com/f\"\n\nnode Greet = f.Greet\n\nstart -> Gret -> Shout\n"
	if err := os.WriteFile(filepath.Join(dir, "w.unum"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"check", "run", "build", "graph"} {
		code, out, errs := unumc(t, dir, cmd, "w.unum")
		want := "w.unum:5:6: node \"Greet\" is declared but not used\n" +
			"w.unum:7:10: node \"Gret\" is not declared (did you mean \"Greet\"?)\n" +
			"w.unum:7:18: node \"Shout\" is not declared\n"
		if code != 1 || out != "" || errs != want {
			t.Errorf("%s: exit %d, stdout %q, stderr:\n%s\nwant exit 1 and:\n%s", cmd, code, out, errs, want)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"run"},
		{"check", "a.unum", "b.unum"},
		{"run", "x.unum", "--input", "{not json"},
		{"graph", "--as", "svg", "x.unum"},
		{"build", "-t", "mars", "x.unum"},
		{"run", "--bogus", "x.unum"},
	} {
		code, _, errs := unumc(t, "", args...)
		if code != 2 || errs == "" {
			t.Errorf("unumc %v: exit %d, stderr %q; want exit 2 with a message", args, code, errs)
		}
	}
}

func TestFmt(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "w.unum")
	messy := "workflow   w // name\nimport \"example.com/f\"\nnode A=f.A\nstart->A\n"
	os.WriteFile(path, []byte(messy), 0o644)
	code, out, errs := unumc(t, dir, "fmt", "w.unum")
	if code != 0 || errs != "" || out == messy || !strings.Contains(out, "// name") {
		t.Fatalf("fmt: exit %d, stderr %q, output:\n%s", code, errs, out)
	}
	if code, list, _ := unumc(t, "", "fmt", "-l", "w.unum"); code != 0 || list != "w.unum\n" {
		t.Errorf("fmt -l lists %q", list)
	}
	unumc(t, "", "fmt", "-w", "w.unum")
	if data, _ := os.ReadFile(path); string(data) != out {
		t.Errorf("fmt -w wrote:\n%s\nwant:\n%s", data, out)
	}
	if code, list, _ := unumc(t, "", "fmt", "-l", "w.unum"); code != 0 || list != "" {
		t.Errorf("after fmt -w, fmt -l lists %q", list)
	}
}

func TestGraph(t *testing.T) {
	root := repoRoot(t)
	code, out, errs := unumc(t, root, "graph", "examples/textproc/textproc.unum")
	if code != 0 || !strings.HasPrefix(out, "flowchart TD\n") || !strings.Contains(out, "subgraph") {
		t.Errorf("mermaid: exit %d, stderr %q, output:\n%s", code, errs, out)
	}
	code, out, _ = unumc(t, "", "graph", "--as", "dot", "examples/textproc/textproc.unum")
	if code != 0 || !strings.HasPrefix(out, "digraph \"textproc\" {") {
		t.Errorf("dot: exit %d, output:\n%s", code, out)
	}
	if dot, err := exec.LookPath("dot"); err == nil {
		cmd := exec.Command(dot, "-Tsvg")
		cmd.Stdin = strings.NewReader(out)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("graphviz rejects the DOT: %v\n%s", err, b)
		}
	}
}

// TestExternalModule uses unumc the way a team would in its own module:
// go generate writes the programs and wires the runtime in, offline, and
// both 'go build ./...' and 'unumc run' work.
func TestExternalModule(t *testing.T) {
	testEnv(t)
	dir := t.TempDir()
	write := func(name, content string) {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/shop\n\ngo 1.26\n")
	write("orders/orders.go", `package orders

import "context"

type Order struct {
	Item string `+"`json:\"item\"`"+`
	Qty  int    `+"`json:\"qty\"`"+`
}

func Price(_ context.Context, o Order) (int, error) { return o.Qty * 3, nil }

func Total(_ context.Context, prices []int) (int, error) {
	t := 0
	for _, p := range prices {
		t += p
	}
	return t, nil
}
`)
	write("flow/shop.unum", `workflow shop

import "example.com/shop/orders"

node Load  = orders.Load
node Price = orders.Price
node Total = orders.Total

start -> Load -> map . { Price } -> Total
`)
	write("orders/load.go", "package orders\n\nimport \"context\"\n\nfunc Load(_ context.Context, os []Order) ([]Order, error) { return os, nil }\n")

	if code, _, errs := unumc(t, filepath.Join(dir, "flow"), "build", "shop.unum"); code != 0 {
		t.Fatalf("build: exit %d: %s", code, errs)
	}
	for _, p := range []string{"flow/unum/price/main.go", ".unumc/rt/invocation.go", ".unumc/go.mod"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("build did not write %s", p)
		}
	}
	gomod, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
	if !strings.Contains(string(gomod), "replace github.com/unumc/unumc => ./.unumc") {
		t.Errorf("go.mod not wired:\n%s", gomod)
	}
	// Offline and with an empty module cache: the local target's runtime
	// needs no module but the standard library.
	cmd := exec.Command("go", "build", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=mod", "GOMODCACHE="+t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./... in the user's module, offline: %v\n%s", err, out)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, ".unumc", "go.mod")); strings.Contains(string(data), "require") {
		t.Errorf("the runtime of a local workflow requires modules:\n%s", data)
	}
	code, out, errs := unumc(t, "", "run", "shop.unum", "--input", `[{"item":"a","qty":2},{"item":"b","qty":5}]`)
	if code != 0 || out != "21\n" {
		t.Fatalf("run in the user's module: exit %d, stdout %q, stderr %s", code, out, errs)
	}
	if code, _, errs := unumc(t, "", "build", "--check", "shop.unum"); code != 0 {
		t.Errorf("build --check right after build: exit %d: %s", code, errs)
	}
	os.WriteFile(filepath.Join(dir, "flow/unum/price/main.go"), []byte("// Code generated by unumc. DO NOT EDIT.\npackage main\n"), 0o644)
	if code, _, errs := unumc(t, "", "build", "--check", "shop.unum"); code != 1 || !strings.Contains(errs, "stale") {
		t.Errorf("build --check on edited code: exit %d: %s", code, errs)
	}
}

func TestBuildSourcesAndBinaries(t *testing.T) {
	testEnv(t)
	out := t.TempDir()
	code, _, errs := unumc(t, repoRoot(t), "build", "examples/hello/hello.unum", "-t", "local", "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, node := range []string{"greet", "shout", "sign"} {
		if _, err := os.Stat(filepath.Join(out, node, "main.go")); err != nil {
			t.Errorf("no source for %s: %v", node, err)
		}
		bin := filepath.Join(out, "bin", node)
		cmd := exec.Command(bin)
		b, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(b), "unumc run") {
			t.Errorf("%s run by hand: %v, %q; want exit 2 pointing at unumc run", bin, err, b)
		}
	}
}

func TestRunUnderChaosPrintsTheSameOutput(t *testing.T) {
	testEnv(t)
	root := repoRoot(t)
	_, want, _ := unumc(t, root, "run", "examples/textproc/textproc.unum", "--input", "@examples/textproc/input.json")
	for _, seed := range []string{"1", "2", "3"} {
		code, got, errs := unumc(t, "", "run", "examples/textproc/textproc.unum", "--input", "@examples/textproc/input.json", "--chaos", seed)
		if code != 0 || got != want {
			t.Errorf("--chaos %s: exit %d, output %q, stderr %s; want %q", seed, code, got, errs, want)
		}
	}
}

// TestRunInputs runs an execution per line in one set of warm processes:
// one JSON line per execution, in the inputs' order, a failed one among
// them making the exit 1; a line that is not JSON is a usage error naming
// it, before anything runs.
func TestRunInputs(t *testing.T) {
	testEnv(t)
	root := repoRoot(t)
	inputs := filepath.Join(t.TempDir(), "orders.jsonl")
	lines := `{"orders": [{"item": "tea", "qty": 1}, {"item": "cup", "qty": 2}]}

{"orders": [{"item": "pot", "qty": 50}]}
{"orders": []}
{"orders": [{"item": "cup", "qty": 7}]}
`
	if err := os.WriteFile(inputs, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := unumc(t, root, "run", "golden/testdata/failure/failure.unum", "--inputs", inputs,
		"--name", "batch", "--parallel", "2")
	want := `{"execution":"batch-1","output":2}
{"execution":"batch-3","error":"OutOfStock","cause":"pot is out of stock"}
{"execution":"batch-4","output":0}
{"execution":"batch-5","output":1}
`
	if code != 1 || out != want || !strings.HasSuffix(errs, "unumc: 1 of 4 executions failed\n") {
		t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s\nwant exit 1, stdout:\n%s", code, out, errs, want)
	}

	// Each line is an execution like any other: run alone by its name,
	// it joins the ended execution.
	code, out, _ = unumc(t, "", "run", "golden/testdata/failure/failure.unum", "--name", "batch-5")
	if code != 0 || out != "1\n" {
		t.Errorf("batch-5 run again: exit %d, stdout %q; want 0, the recorded output", code, out)
	}

	if err := os.WriteFile(inputs, []byte("{}\n{\"orders\": [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs = unumc(t, "", "run", "golden/testdata/failure/failure.unum", "--inputs", inputs)
	if code != 2 || out != "" || !strings.Contains(errs, inputs+":2: not a JSON value") {
		t.Errorf("a bad line: exit %d, stdout %q, stderr %q; want 2 and the line", code, out, errs)
	}
}
