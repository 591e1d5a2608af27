package main

import (
	"archive/zip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestExternalModuleCloud builds for AWS and Google Cloud from a module of
// the user's own, offline (the module cache holds what unumc itself
// depends on): build -o wires the runtime and the target's SDK into the
// module, keeps the module's own requirements, changes nothing the second
// time, and go generate's build leaves a module that 'go build ./...'
// builds without touching go.mod again.
func TestExternalModuleCloud(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles node programs for two clouds")
	}
	testEnv(t)
	t.Setenv("GOPROXY", "off")
	t.Setenv("GOFLAGS", strings.TrimSpace(os.Getenv("GOFLAGS")+" -mod=mod"))
	pins, err := os.ReadFile(filepath.Join(repoRoot(t), "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	pin := func(mod string) string {
		m := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(mod) + ` (v\S+)`).FindSubmatch(pins)
		if m == nil {
			t.Fatalf("unumc's go.mod does not require %s", mod)
		}
		return mod + " " + string(m[1])
	}

	dir := t.TempDir()
	write := func(name, content string) {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	read := func(name string) string {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	// The module's own requirement: a library in a module of its own.
	write("go.mod", "module example.com/shop\n\ngo 1.26\n\nrequire example.com/tax v1.0.0\n\nreplace example.com/tax => ./tax\n")
	write("tax/go.mod", "module example.com/tax\n\ngo 1.26\n")
	write("tax/tax.go", "package tax\n\nfunc Add(n int) int { return n + n/10 }\n")
	write("orders/orders.go", `package orders

import (
	"context"

	"example.com/tax"
)

func Price(_ context.Context, qty int) (int, error) { return qty * 30, nil }

func Total(_ context.Context, price int) (int, error) { return tax.Add(price), nil }
`)
	write("flow/shop.unum", "workflow shop\n\nimport \"example.com/shop/orders\"\n\nnode Price = orders.Price\nnode Total = orders.Total\n\nstart -> Price -> Total\n")
	ownRequirements := func(when string) {
		t.Helper()
		gomod := read("go.mod")
		for _, want := range []string{"\texample.com/tax v1.0.0\n", "replace example.com/tax => ./tax\n",
			"\tgithub.com/unumc/unumc v0.0.0\n", "replace github.com/unumc/unumc => ./.unumc\n"} {
			if !strings.Contains(gomod, want) {
				t.Errorf("%s: go.mod lacks %q:\n%s", when, want, gomod)
			}
		}
	}
	flow := filepath.Join(dir, "flow")

	// AWS: two builds, the second changing nothing.
	out := filepath.Join(dir, "out-aws")
	if code, _, errs := unumc(t, flow, "build", "-t", "aws", "--arch", "x86_64", "-o", out, "shop.unum"); code != 0 {
		t.Fatalf("build -t aws -o: exit %d: %s", code, errs)
	}
	for _, p := range []string{"out-aws/zip/price.zip", "out-aws/zip/total.zip", "out-aws/template.yaml"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("build -t aws -o wrote no %s", p)
		}
	}
	if zr, err := zip.OpenReader(filepath.Join(out, "zip", "price.zip")); err != nil || len(zr.File) != 1 || zr.File[0].Name != "bootstrap" {
		t.Errorf("price.zip: %v; want a bootstrap", err)
	} else {
		zr.Close()
	}
	ownRequirements("after build -t aws")
	gomod := read("go.mod")
	for _, mod := range []string{"github.com/aws/aws-lambda-go", "github.com/aws/aws-sdk-go-v2/service/dynamodb", "github.com/aws/smithy-go"} {
		if want := pin(mod); !strings.Contains(gomod, want+" // indirect") {
			t.Errorf("go.mod does not require %s as indirect:\n%s", want, gomod)
		}
		if want := pin(mod); !strings.Contains(read(".unumc/go.mod"), want) {
			t.Errorf(".unumc/go.mod does not require %s", want)
		}
	}
	if strings.Contains(gomod, "cloud.google.com/go/firestore") {
		t.Errorf("build -t aws added Google Cloud's modules:\n%s", gomod)
	}
	gosum := read("go.sum")
	if code, _, errs := unumc(t, "", "build", "-t", "aws", "--arch", "x86_64", "-o", out, "shop.unum"); code != 0 {
		t.Fatalf("second build -t aws -o: exit %d: %s", code, errs)
	}
	if read("go.mod") != gomod || read("go.sum") != gosum {
		t.Errorf("the second build -t aws changed go.mod or go.sum:\n%s", read("go.mod"))
	}

	// Google Cloud, after AWS: both targets' modules, and again nothing new
	// the second time.
	out = filepath.Join(dir, "out-gcp")
	for i := range 2 {
		if code, _, errs := unumc(t, "", "build", "-t", "gcp", "-o", out, "shop.unum"); code != 0 {
			t.Fatalf("build -t gcp -o (%d): exit %d: %s", i+1, code, errs)
		}
		if i == 0 {
			gomod, gosum = read("go.mod"), read("go.sum")
		} else if read("go.mod") != gomod || read("go.sum") != gosum {
			t.Errorf("the second build -t gcp changed go.mod or go.sum:\n%s", read("go.mod"))
		}
	}
	for _, p := range []string{"out-gcp/deploy.sh", "out-gcp/gcp/price/node", "out-gcp/gcp/total/Dockerfile", "out-gcp/bin/total"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("build -t gcp -o wrote no %s", p)
		}
	}
	ownRequirements("after build -t gcp")
	for _, mod := range []string{"cloud.google.com/go/firestore", "github.com/GoogleCloudPlatform/functions-framework-go", "github.com/aws/aws-lambda-go"} {
		if want := pin(mod); !strings.Contains(gomod, want) || !strings.Contains(read(".unumc/go.mod"), want) {
			t.Errorf("go.mod or .unumc/go.mod does not require %s:\n%s", want, gomod)
		}
	}

	// go generate: the programs in the module, and go.mod and go.sum
	// complete for them (-mod=readonly).
	if code, _, errs := unumc(t, "", "build", "-t", "aws", "shop.unum"); code != 0 {
		t.Fatalf("build -t aws: exit %d: %s", code, errs)
	}
	cmd := exec.Command("go", "build", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=readonly")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./... of the module holding the Lambda programs: %v\n%s", err, out)
	}
	if read("go.mod") != gomod || read("go.sum") != gosum {
		t.Errorf("build -t aws after the -o builds changed go.mod or go.sum:\n%s", read("go.mod"))
	}
}
