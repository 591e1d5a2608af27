package build

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/unumc/unumc/internal/ir"
	"github.com/unumc/unumc/lang"
)

// Load reads and checks a workflow. format is "unum", or "" to decide by the
// file's extension.
func Load(path, format string) (*ir.Workflow, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if format == "" {
		format = FormatOf(path)
	}
	switch format {
	case "unum":
		return lang.Load(displayPath(path), src)
	}
	return nil, fmt.Errorf("%s: unknown workflow format %q (want .unum)", path, format)
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
