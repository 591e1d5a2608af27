package build

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"

	"github.com/unumc/unumc"
)

// Module is the Go module that holds a workflow's functions.
type Module struct {
	Root      string // absolute directory holding go.mod
	Path      string // module path
	GoVersion string // the go directive
}

// FindModule finds the module enclosing dir.
func FindModule(dir string) (*Module, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	for d := dir; ; d = filepath.Dir(d) {
		data, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil {
			m := &Module{Root: d}
			sc := bufio.NewScanner(bytes.NewReader(data))
			for sc.Scan() {
				f := strings.Fields(sc.Text())
				switch {
				case len(f) >= 2 && f[0] == "module":
					m.Path = strings.Trim(f[1], `"`)
				case len(f) >= 2 && f[0] == "go":
					m.GoVersion = f[1]
				}
			}
			if m.Path == "" {
				return nil, fmt.Errorf("%s: no module directive", filepath.Join(d, "go.mod"))
			}
			return m, nil
		}
		if filepath.Dir(d) == d {
			return nil, fmt.Errorf("%s is not inside a Go module: the workflow's functions must live in one (run 'go mod init')", dir)
		}
	}
}

// IsUnumc reports whether the module is unumc itself, which needs no wiring.
func (m *Module) IsUnumc() bool { return m.Path == unumc.Module }

// ImportPath returns the import path of a directory inside the module.
func (m *Module) ImportPath(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(m.Root, abs)
	if err != nil || strings.HasPrefix(rel, "..") {
		return "", fmt.Errorf("%s is outside module %s", dir, m.Path)
	}
	if rel == "." {
		return m.Path, nil
	}
	return path.Join(m.Path, filepath.ToSlash(rel)), nil
}

// RuntimeDirName is where, in a user's module, unumc writes the copy of its
// runtime that the module's go.mod replaces unumc with.
const RuntimeDirName = ".unumc"

// WriteRuntime writes the embedded runtime as a module rooted at dir,
// removing whatever was there. The module needs nothing but the standard
// library, so it builds offline.
func WriteRuntime(dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	err := fs.WalkDir(unumc.Runtime, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, "_test.go") {
			return err
		}
		data, err := unumc.Runtime.ReadFile(p)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
	if err != nil {
		return err
	}
	gomod := "// Written by unumc: the runtime its generated programs import. DO NOT EDIT.\n\nmodule " + unumc.Module + "\n\ngo 1.26.0\n"
	return os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644)
}

// WireModule makes a user's module build generated code: it writes the
// runtime under the module root and points go.mod at it with a require and a
// replace directive, through 'go mod edit'.
func WireModule(m *Module) error {
	if m.IsUnumc() {
		return nil
	}
	if err := WriteRuntime(filepath.Join(m.Root, RuntimeDirName)); err != nil {
		return err
	}
	cmd := exec.Command("go", "mod", "edit",
		"-require="+unumc.Module+"@v0.0.0",
		"-replace="+unumc.Module+"=./"+RuntimeDirName)
	cmd.Dir = m.Root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go mod edit in %s: %v\n%s", m.Root, err, out)
	}
	return nil
}
