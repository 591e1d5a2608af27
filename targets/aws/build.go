package aws

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/unumc/unumc/codegen"
	"github.com/unumc/unumc/internal/build"
	"github.com/unumc/unumc/internal/ir"
)

// Target is the AWS target of codegen: each node's main is lambda.Main.
var Target = codegen.Target{Name: "aws", MainPath: "github.com/unumc/unumc/targets/aws/lambda"}

// Architectures are the Lambda architectures and their GOARCH.
var Architectures = map[string]string{"arm64": "arm64", "x86_64": "amd64"}

// DefaultArchitecture is the architecture deploy builds for: Graviton
// functions cost less per GB-second.
const DefaultArchitecture = "arm64"

// Compile compiles every node of w as a Lambda bootstrap for arch (a key of
// Architectures) in a cache entry under cacheRoot, keyed by the generated
// code, the module's files and arch. Bootstraps are static (CGO_ENABLED=0),
// built with the lambda.norpc tag (no net/rpc server for the retired go1.x
// runtime) and stripped (-s -w).
func Compile(ctx context.Context, w *ir.Workflow, mod *build.Module, arch, cacheRoot string, progress io.Writer) (*build.Binaries, error) {
	goarch, ok := Architectures[arch]
	if !ok {
		return nil, fmt.Errorf("unknown Lambda architecture %q (arm64 or x86_64)", arch)
	}
	if !mod.IsUnumc() {
		// The embedded runtime that build wires into other modules is
		// stdlib-only; this target's main needs aws-lambda-go and the SDK.
		return nil, fmt.Errorf("the aws target builds workflows inside the unumc module for now; %s is in module %s", w.Source, mod.Path)
	}
	files, err := build.Generate(w, Target)
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	fmt.Fprintf(h, "unumc aws build v1\x00%s\x00%s\x00", arch, mod.Root)
	for _, p := range codegen.Paths(files) {
		fmt.Fprintf(h, "%s\x00%d\x00", p, len(files[p]))
		h.Write(files[p])
	}
	if err := fingerprint(h, mod.Root); err != nil {
		return nil, err
	}
	dir := filepath.Join(cacheRoot, "aws", hex.EncodeToString(h.Sum(nil))[:20])
	bins := &build.Binaries{Dir: dir, Paths: map[string]string{}}
	for _, n := range w.Nodes {
		bins.Paths[n.Ident] = filepath.Join(dir, "bin", n.Ident)
	}
	if _, err := os.Stat(filepath.Join(dir, "ok")); err == nil {
		return bins, nil
	}
	if progress != nil {
		fmt.Fprintf(progress, "unumc: compiling %d Lambda functions of workflow %q for linux/%s\n", len(w.Nodes), w.Name, goarch)
	}
	if err := os.MkdirAll(cacheRoot, 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(cacheRoot, "tmp-aws-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	// A workspace of the module and the generated one, as internal/build
	// makes: the module's go.mod, which requires the SDK, resolves the
	// generated code's imports.
	gen := filepath.Join(tmp, "gen")
	if err := build.WriteSources(gen, files); err != nil {
		return nil, err
	}
	goVersion := "1.26.0"
	if mod.GoVersion != "" {
		goVersion = mod.GoVersion
	}
	if err := os.WriteFile(filepath.Join(gen, "go.mod"), []byte("module unumc.generated/"+w.Root.Entry.Ident+"\n\ngo "+goVersion+"\n"), 0o644); err != nil {
		return nil, err
	}
	work := "go " + goVersion + "\n\nuse (\n\t" + strconv.Quote(mod.Root) + "\n\t./gen\n)\n"
	if err := os.WriteFile(filepath.Join(tmp, "go.work"), []byte(work), 0o644); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w",
		"-o", filepath.Join(tmp, "bin")+string(filepath.Separator), "./...")
	cmd.Dir = gen
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+goarch, "CGO_ENABLED=0", "GOWORK="+filepath.Join(tmp, "go.work"))
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, &build.CompileError{Workflow: w, Output: strings.ReplaceAll(string(out), gen+string(filepath.Separator), "")}
	}
	os.RemoveAll(gen)
	os.Remove(filepath.Join(tmp, "go.work"))
	if err := os.WriteFile(filepath.Join(tmp, "ok"), nil, 0o644); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, dir); err != nil {
		if _, statErr := os.Stat(filepath.Join(dir, "ok")); statErr == nil {
			return bins, nil // built concurrently
		}
		return nil, err
	}
	return bins, nil
}

// fingerprint hashes the names, sizes and modification times of the Go
// files of a module, as internal/build does for its cache.
func fingerprint(w io.Writer, root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") && name != "go.mod" && name != "go.sum" {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		fmt.Fprintf(w, "%s\x00%d\x00%d\x00", rel, info.Size(), info.ModTime().UnixNano())
		return nil
	})
}

// Zip writes the bootstrap at bin into a deployment package at dst, with
// a fixed time stamp so that an unchanged function zips the same.
func Zip(bin, dst string) error {
	data, err := os.ReadFile(bin)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	f, err := os.Create(dst)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(f)
	hdr := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate, Modified: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}
	hdr.SetMode(0o755)
	w, err := zw.CreateHeader(hdr)
	if err == nil {
		_, err = w.Write(data)
	}
	if err == nil {
		err = zw.Close()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Package compiles w for arch and writes the deployment artefacts to out:
// zip/<node>.zip for each node and template.yaml. It returns the paths of
// the zips by node identifier.
func Package(ctx context.Context, w *ir.Workflow, mod *build.Module, arch, out, cacheRoot string, progress io.Writer) (map[string]string, error) {
	bins, err := Compile(ctx, w, mod, arch, cacheRoot, progress)
	if err != nil {
		return nil, err
	}
	zips := map[string]string{}
	for _, n := range w.Nodes {
		dst := filepath.Join(out, "zip", n.Ident+".zip")
		if err := Zip(bins.Paths[n.Ident], dst); err != nil {
			return nil, err
		}
		zips[n.Ident] = dst
	}
	tmpl, err := Template(w, arch)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(out, "template.yaml"), tmpl.YAML(), 0o644); err != nil {
		return nil, err
	}
	return zips, nil
}
