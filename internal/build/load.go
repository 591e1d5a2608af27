package build

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/unumc/unumc/asl"
	"github.com/unumc/unumc/internal/diag"
	"github.com/unumc/unumc/internal/ir"
	"github.com/unumc/unumc/lang"
)

// LoadOptions adjust how a workflow is read.
type LoadOptions struct {
	// Format is "unum", "asl", or "" to decide by the file's extension.
	Format string
	// Bind maps the Lambda function names of a Step Functions definition to
	// Go functions, "import/path.Func", over the default (see Binder).
	Bind map[string]string
}

// Load reads and checks a workflow. format is "unum", "asl", or "" to decide
// by the file's extension.
func Load(path, format string) (*ir.Workflow, error) {
	return LoadWith(path, LoadOptions{Format: format})
}

// LoadWith reads and checks a workflow with options.
func LoadWith(file string, opts LoadOptions) (*ir.Workflow, error) {
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	format := opts.Format
	if format == "" {
		format = FormatOf(file)
	}
	switch format {
	case "unum":
		return lang.Load(displayPath(file), src)
	case "asl":
		bind, err := Binder(file, opts.Bind)
		if err != nil {
			return nil, err
		}
		return asl.Load(displayPath(file), src, asl.Options{Bind: bind})
	}
	return nil, fmt.Errorf("%s: unknown workflow format %q (want .unum, .asl.json, or --format asl)", file, format)
}

// BindingsFile is the file next to a Step Functions definition that binds
// its Lambda function names to Go functions: a JSON object such as
// {"ProcessOrder": "example.com/shop/orders.Process"}.
const BindingsFile = "unumc.bindings.json"

// Binder returns how the Lambda functions of the definition at file bind
// to Go functions. A name N binds, in order of preference, to what bind
// says, to what the bindings file next to the definition says, and by
// default to the exported function Handle of the package in the directory
// functions/N next to the definition.
func Binder(file string, bind map[string]string) (func(name string, pos diag.Pos) (*ir.Func, error), error) {
	dir := filepath.Dir(file)
	explicit := map[string]string{}
	if data, err := os.ReadFile(filepath.Join(dir, BindingsFile)); err == nil {
		if err := json.Unmarshal(data, &explicit); err != nil {
			return nil, fmt.Errorf("%s: %v", filepath.Join(dir, BindingsFile), err)
		}
	}
	for k, v := range bind {
		explicit[k] = v
	}
	var base string // the import path of dir, found when first needed
	return func(name string, pos diag.Pos) (*ir.Func, error) {
		if target, ok := explicit[name]; ok {
			i := strings.LastIndex(target, ".")
			if i <= 0 || i == len(target)-1 || strings.HasSuffix(target[:i], "/") {
				return nil, fmt.Errorf("binding of %q: %q is not import/path.Func", name, target)
			}
			return &ir.Func{Import: target[:i], Name: target[i+1:], Pos: pos}, nil
		}
		if base == "" {
			mod, err := FindModule(dir)
			if err != nil {
				return nil, fmt.Errorf("binding %q to functions/%s: %v", name, name, err)
			}
			abs, err := filepath.Abs(dir)
			if err != nil {
				return nil, err
			}
			rel, err := filepath.Rel(mod.Root, abs)
			if err != nil {
				return nil, err
			}
			base = path.Join(mod.Path, filepath.ToSlash(rel))
		}
		return &ir.Func{Import: base + "/functions/" + name, Name: "Handle", Pos: pos}, nil
	}, nil
}

// Bindings parses NAME=import/path.Func pairs, as --bind gives them.
func Bindings(pairs []string) (map[string]string, error) {
	m := map[string]string{}
	for _, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" || v == "" {
			return nil, fmt.Errorf("binding %q is not NAME=import/path.Func", p)
		}
		m[k] = v
	}
	return m, nil
}

// FormatOf names the syntax of a workflow file by its extension.
func FormatOf(path string) string {
	switch {
	case strings.HasSuffix(path, ".unum"):
		return "unum"
	case strings.HasSuffix(path, ".asl.json"):
		return "asl"
	}
	return strings.TrimPrefix(filepath.Ext(path), ".")
}

// displayPath is the path diagnostics and generated headers use: relative
// to the working directory when the file is below it, slash-separated.
func displayPath(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		if wd, err := os.Getwd(); err == nil {
			if rel, err := filepath.Rel(wd, abs); err == nil && !strings.HasPrefix(rel, "..") {
				path = rel
			}
		}
	}
	return filepath.ToSlash(path)
}
