package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGCPBuildAndDeployWithoutGcloud builds a workflow for Google Cloud and
// checks the artefacts; deploy without gcloud prints the script rather than
// failing.
func TestGCPBuildAndDeployWithoutGcloud(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles node programs")
	}
	testEnv(t)
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	t.Setenv("PATH", filepath.Dir(goBin)) // go, and no gcloud
	wf := filepath.Join(repoRoot(t), "golden", "testdata", "chain", "chain.unum")
	out := t.TempDir()
	code, _, stderr := unumc(t, "", "build", "-t", "gcp", "-o", out, wf)
	if code != 0 {
		t.Fatalf("build -t gcp: exit %d\n%s", code, stderr)
	}
	for _, f := range []string{"deploy.sh", "gcp/double/Dockerfile", "gcp/double/node", "bin/label", "double/main.go"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("build -t gcp -o DIR wrote no %s", f)
		}
	}
	main, _ := os.ReadFile(filepath.Join(out, "double", "main.go"))
	if !strings.Contains(string(main), "function.Main(node)") {
		t.Errorf("the node's main does not call function.Main:\n%s", main)
	}
	code, stdout, stderr := unumc(t, "", "deploy", "-t", "gcp", "--project", "p1", "--region", "europe-west4", "-o", t.TempDir(), wf)
	if code != 0 {
		t.Fatalf("deploy -t gcp: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "gcloud is not installed") || !strings.Contains(stdout, `PROJECT="${PROJECT:-p1}"`) ||
		!strings.Contains(stdout, `REGION="${REGION:-europe-west4}"`) || !strings.Contains(stdout, "gcloud run deploy unum-chain-double") {
		t.Errorf("deploy without gcloud printed:\n%s\nstderr:\n%s", stdout, stderr)
	}
}
