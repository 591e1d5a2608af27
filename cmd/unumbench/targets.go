package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/unumc/unumc/codegen"
	"github.com/unumc/unumc/internal/build"
	"github.com/unumc/unumc/internal/ir"
	"github.com/unumc/unumc/targets/aws"
	"github.com/unumc/unumc/targets/gcp"
)

// sizeTarget builds a workflow's programs for one target, as unumc build
// -t NAME does, and returns the size of the first node's binary.
type sizeTarget struct {
	name string
	size func(ctx context.Context, w *ir.Workflow, mod *build.Module, cache, out string) (int64, string, error)
}

var sizeTargets = []sizeTarget{
	{"local", func(ctx context.Context, w *ir.Workflow, mod *build.Module, cache, out string) (int64, string, error) {
		bins, err := build.Compile(ctx, w, mod, codegen.Local, cache, nil)
		if err != nil {
			return 0, "", err
		}
		n, err := sizeOf(bins.Paths[w.Node(w.Start).Ident])
		return n, "host, stripped (-s -w)", err
	}},
	{"aws", func(ctx context.Context, w *ir.Workflow, mod *build.Module, cache, out string) (int64, string, error) {
		bins, err := aws.Compile(ctx, w, mod, aws.DefaultArchitecture, cache, nil)
		if err != nil {
			return 0, "", err
		}
		bin := bins.Paths[w.Node(w.Start).Ident]
		n, err := sizeOf(bin)
		if err != nil {
			return 0, "", err
		}
		zip := filepath.Join(out, "bootstrap.zip")
		if err := aws.Zip(bin, zip); err != nil {
			return 0, "", err
		}
		z, err := sizeOf(zip)
		return n, fmt.Sprintf("Lambda bootstrap, linux/%s static stripped; %.1f MB zipped", aws.DefaultArchitecture, float64(z)/(1<<20)), err
	}},
	{"gcp", func(ctx context.Context, w *ir.Workflow, mod *build.Module, cache, out string) (int64, string, error) {
		if _, err := gcp.Package(ctx, w, mod, "", "", out, cache, nil); err != nil {
			return 0, "", err
		}
		n, err := sizeOf(filepath.Join(out, "bin", w.Node(w.Start).Ident))
		return n, "Cloud Run function, linux/amd64 static stripped", err
	}},
}
