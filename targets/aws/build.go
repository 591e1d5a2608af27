package aws

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
// Architectures) in a cache entry under cacheRoot, as build.Compile does for
// the host. Bootstraps are static (CGO_ENABLED=0), built with the
// lambda.norpc tag (no net/rpc server for the retired go1.x runtime),
// -trimpath and stripped (-s -w). Outside unumc's module the node programs
// build against the runtime that build.WriteRuntime writes, whose go.mod
// requires the SDK at unumc's versions.
func Compile(ctx context.Context, w *ir.Workflow, mod *build.Module, arch, cacheRoot string, progress io.Writer) (*build.Binaries, error) {
	goarch, ok := Architectures[arch]
	if !ok {
		return nil, fmt.Errorf("unknown Lambda architecture %q (arm64 or x86_64)", arch)
	}
	return build.CompileWith(ctx, w, mod, Target, build.Options{
		Env:   []string{"GOOS=linux", "GOARCH=" + goarch, "CGO_ENABLED=0"},
		Flags: []string{"-tags=lambda.norpc", "-trimpath"},
	}, cacheRoot, progress)
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
