package main

import (
	"archive/zip"
	"bytes"
	"context"
	"debug/elf"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/unumc/unumc/internal/build"
	"github.com/unumc/unumc/targets/aws"
	"github.com/unumc/unumc/targets/aws/awstest"
)

// TestBuildAWS checks build -t aws -o: a zip per node holding an executable
// static linux bootstrap for the architecture, and the SAM template.
func TestBuildAWS(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles Lambda bootstraps")
	}
	testEnv(t)
	out := t.TempDir()
	code, _, errs := unumc(t, repoRoot(t), "build", "-t", "aws", "--arch", "x86_64", "-o", out, "examples/hello/hello.unum")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, node := range []string{"greet", "shout", "sign"} {
		zr, err := zip.OpenReader(filepath.Join(out, "zip", node+".zip"))
		if err != nil {
			t.Fatal(err)
		}
		if len(zr.File) != 1 || zr.File[0].Name != "bootstrap" || zr.File[0].Mode().Perm() != 0o755 {
			t.Fatalf("%s.zip: want only an executable bootstrap, got %v", node, zr.File)
		}
		st, _ := os.Stat(filepath.Join(out, "zip", node+".zip"))
		t.Logf("%s.zip: %d bytes, bootstrap %d bytes", node, st.Size(), zr.File[0].UncompressedSize64)
		if st.Size() > 8<<20 {
			t.Errorf("%s.zip is %d bytes; the bootstrap should be small (-s -w, lambda.norpc)", node, st.Size())
		}
		f, _ := zr.File[0].Open()
		tmp := filepath.Join(t.TempDir(), "bootstrap")
		data := make([]byte, zr.File[0].UncompressedSize64)
		if _, err := readFull(f, data); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(tmp, data, 0o755)
		e, err := elf.Open(tmp)
		if err != nil {
			t.Fatalf("bootstrap is not ELF: %v", err)
		}
		if e.Machine != elf.EM_X86_64 {
			t.Errorf("bootstrap machine %v", e.Machine)
		}
		for _, p := range e.Progs {
			if p.Type == elf.PT_INTERP {
				t.Errorf("bootstrap is dynamically linked")
			}
		}
		if syms, _ := e.Symbols(); len(syms) > 0 {
			t.Errorf("bootstrap has a symbol table: not stripped")
		}
		e.Close()
		zr.Close()
	}
	tmpl, err := os.ReadFile(filepath.Join(out, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"GreetFunction:", "ShoutFunction:", "SignFunction:", `Runtime: "provided.al2023"`, `- "x86_64"`, `CodeUri: "zip/greet.zip"`} {
		if !strings.Contains(string(tmpl), want) {
			t.Errorf("template.yaml lacks %s", want)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "greet", "main.go")); err != nil {
		t.Errorf("sources: %v", err)
	}
}

func readFull(r interface{ Read([]byte) (int, error) }, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := r.Read(b[n:])
		n += m
		if err != nil {
			if n == len(b) {
				return n, nil
			}
			return n, err
		}
	}
	return n, nil
}

// TestDeployAWSWithoutSAM checks that deploy without the SAM CLI builds the
// artefacts and prints the exact command.
func TestDeployAWSWithoutSAM(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles Lambda bootstraps")
	}
	testEnv(t)
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	os.Symlink(goBin, filepath.Join(bin, "go"))
	t.Setenv("PATH", bin) // go, and no sam
	out := t.TempDir()
	code, stdout, errs := unumc(t, repoRoot(t), "deploy", "-t", "aws", "--arch", "x86_64", "--stack", "hello-test", "--region", "eu-west-1", "-o", out, "examples/hello/hello.unum")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	want := "sam deploy --template-file " + out + "/template.yaml --stack-name hello-test --capabilities CAPABILITY_IAM --resolve-s3 --no-confirm-changeset --no-fail-on-empty-changeset --region eu-west-1\n"
	if stdout != want {
		t.Errorf("stdout %q, want %q", stdout, want)
	}
	if _, err := os.Stat(filepath.Join(out, "zip", "greet.zip")); err != nil {
		t.Error(err)
	}
}

// TestStartStatusAWS starts an execution with start -t aws and reads it with
// status -t aws, both through the default credential chain and the SDK's
// endpoint variables, against the protocol peers running the functions.
func TestStartStatusAWS(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles Lambda bootstraps")
	}
	testEnv(t)
	ctx := context.Background()
	endpoint := awstest.Dynalite(t)
	wf := filepath.Join(repoRoot(t), "examples/hello/hello.unum")
	w, err := build.Load(wf, "")
	if err != nil {
		t.Fatal(err)
	}
	mod, _ := build.FindModule(filepath.Dir(wf))
	bins, err := aws.Compile(ctx, w, mod, "x86_64", os.Getenv("UNUMC_CACHE"), nil)
	if err != nil {
		t.Fatal(err)
	}
	stack := "cli"
	if err := awstest.CreateTable(ctx, awstest.Client(endpoint), aws.TableName(stack)); err != nil {
		t.Fatal(err)
	}
	succ := aws.Successors(w)
	var funcs []awstest.Function
	for _, n := range w.Nodes {
		names := map[string]string{}
		for _, s := range succ[n.Ident] {
			names[s] = aws.FunctionName(stack, s)
		}
		js, _ := json.Marshal(names)
		funcs = append(funcs, awstest.Function{Name: aws.FunctionName(stack, n.Ident), Bootstrap: bins.Paths[n.Ident],
			Env: []string{"UNUMC_TABLE=" + aws.TableName(stack), "UNUMC_FUNCTIONS=" + string(js)}})
	}
	l, err := awstest.NewLambda(funcs, awstest.Options{DynamoDB: endpoint})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	t.Setenv("AWS_ENDPOINT_URL_LAMBDA", l.URL)
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", endpoint)
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_REGION", awstest.Region)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))

	code, out, errs := unumc(t, repoRoot(t), "start", "-t", "aws", "--stack", stack, "--name", "cli-1", "--input", `{"name":"Ada"}`, "examples/hello/hello.unum")
	if code != 0 || out != "cli-1\n" {
		t.Fatalf("start: exit %d, stdout %q: %s", code, out, errs)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		code, out, errs = unumc(t, "", "status", "-t", "aws", "--stack", stack, "cli-1")
		if code != 0 {
			t.Fatalf("status: exit %d: %s", code, errs)
		}
		var st struct {
			State  string          `json:"state"`
			Output json.RawMessage `json:"output"`
		}
		if err := json.Unmarshal([]byte(out), &st); err != nil {
			t.Fatalf("status output %q: %v", out, err)
		}
		if st.State == "succeeded" {
			var compact bytes.Buffer
			json.Compact(&compact, st.Output)
			if compact.String() != `{"message":"HELLO, ADA!","signature":"-- unumc"}` {
				t.Errorf("output %s", st.Output)
			}
			break
		}
		if st.State != "running" || time.Now().After(deadline) {
			t.Fatalf("status %s\n%s", out, l.Logs())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
