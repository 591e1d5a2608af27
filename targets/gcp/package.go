package gcp

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/unumc/unumc/internal/build"
	"github.com/unumc/unumc/internal/ir"
)

// Package writes what build -t gcp -o out makes, after the sources: each
// node program compiled as a static linux/amd64 binary at out/bin/<node>,
// a directory out/gcp/<node> with a copy and the Dockerfile that gcloud run
// deploy --source builds, and out/deploy.sh. project and region are the
// script's defaults (project may be empty). It returns the script's path.
func Package(ctx context.Context, w *ir.Workflow, mod *build.Module, project, region, out, cacheRoot string, progress io.Writer) (string, error) {
	bins, err := compileStatic(ctx, w, mod, cacheRoot, progress)
	if err != nil {
		return "", err
	}
	for ident, bin := range bins.Paths {
		for _, dst := range []string{filepath.Join(out, "bin", ident), filepath.Join(out, "gcp", ident, "node")} {
			if err := copyFile(bin, dst, 0o755); err != nil {
				return "", err
			}
		}
		if err := os.WriteFile(filepath.Join(out, "gcp", ident, "Dockerfile"), []byte(Dockerfile), 0o644); err != nil {
			return "", err
		}
	}
	script := filepath.Join(out, "deploy.sh")
	plan := Plan{Project: project, Region: region, W: w, Dir: "."}
	if err := os.WriteFile(script, []byte(plan.Script()), 0o755); err != nil {
		return "", err
	}
	return script, nil
}

// compileStatic compiles the node programs for Cloud Run: linux/amd64
// without cgo, so that they run on a distroless static image. The
// environment is the go command's, and part of the cache key.
func compileStatic(ctx context.Context, w *ir.Workflow, mod *build.Module, cacheRoot string, progress io.Writer) (*build.Binaries, error) {
	bins, err := build.CompileWith(ctx, w, mod, Target, build.Options{
		Env: []string{"GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0"},
	}, cacheRoot, progress)
	if err != nil {
		return nil, fmt.Errorf("compiling for Cloud Run (linux/amd64, static): %w", err)
	}
	return bins, nil
}

func copyFile(src, dst string, mode os.FileMode) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, data, mode)
}
