package build

import (
	"bufio"
	"bytes"
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/unumc/unumc"
)

// RuntimeDirName is where, in a user's module, unumc writes the copy of its
// runtime that the module's go.mod replaces unumc with.
const RuntimeDirName = ".unumc"

// WriteRuntime writes the embedded runtime as a module rooted at dir,
// removing whatever was there. Its go.mod requires modules, which must be
// modules the runtime's packages need (see RuntimeModules), at the versions
// unumc's go.mod pins, and its go.sum holds their checksums from unumc's.
// With no modules it needs only the standard library, and builds offline.
func WriteRuntime(dir string, modules []string) error {
	goVersion, pins := unumcPins()
	var req strings.Builder
	for _, m := range modules {
		v, ok := pins[m]
		if !ok {
			return fmt.Errorf("unumc's go.mod does not require %s, which its runtime needs", m)
		}
		fmt.Fprintf(&req, "\t%s %s\n", m, v)
	}
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
	gomod := "// Written by unumc: the runtime its generated programs import. DO NOT EDIT.\n\nmodule " + unumc.Module + "\n\ngo " + goVersion + "\n"
	if len(modules) > 0 {
		gomod += "\nrequire (\n" + req.String() + ")\n"
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
		return err
	}
	if sum := sumsOf(modules, pins); len(sum) > 0 {
		return os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644)
	}
	return nil
}

// RuntimeModules returns the modules that the packages of the embedded
// runtime named by pkgs need (import paths; other packages need none),
// sorted and without duplicates.
func RuntimeModules(pkgs []string) []string {
	var mods []string
	for _, p := range pkgs {
		mods = append(mods, runtimeModules[p]...)
	}
	slices.Sort(mods)
	return slices.Compact(mods)
}

// RuntimeImports returns the packages of unumc that generated files import,
// sorted.
func RuntimeImports(files map[string][]byte) ([]string, error) {
	set := map[string]bool{}
	fset := token.NewFileSet()
	for name, src := range files {
		if !strings.HasSuffix(name, ".go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, src, parser.ImportsOnly)
		if err != nil {
			return nil, err
		}
		for _, imp := range f.Imports {
			p, err := strconv.Unquote(imp.Path.Value)
			if err == nil && strings.HasPrefix(p, unumc.Module+"/") {
				set[p] = true
			}
		}
	}
	pkgs := make([]string, 0, len(set))
	for p := range set {
		pkgs = append(pkgs, p)
	}
	slices.Sort(pkgs)
	return pkgs, nil
}

var (
	pinsOnce  sync.Once
	goVersion string
	pins      map[string]string
)

// unumcPins returns the go version and the requirements of unumc's go.mod.
func unumcPins() (string, map[string]string) {
	pinsOnce.Do(func() { goVersion, pins = parseGoMod(unumc.GoMod) })
	return goVersion, pins
}

// parseGoMod returns the go directive and the required versions, by module
// path, of a go.mod file as the go command writes them.
func parseGoMod(data []byte) (goVersion string, reqs map[string]string) {
	reqs = map[string]string{}
	inRequire := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		if i := strings.Index(line, "//"); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
		case inRequire && f[0] == ")":
			inRequire = false
		case inRequire && len(f) == 2:
			reqs[unquote(f[0])] = unquote(f[1])
		case f[0] == "require" && len(f) == 2 && f[1] == "(":
			inRequire = true
		case f[0] == "require" && len(f) == 3:
			reqs[unquote(f[1])] = unquote(f[2])
		case f[0] == "go" && len(f) == 2:
			goVersion = f[1]
		}
	}
	return goVersion, reqs
}

func unquote(s string) string {
	if u, err := strconv.Unquote(s); err == nil {
		return u
	}
	return s
}

// sumsOf returns the lines of unumc's go.sum for the modules at their
// pinned versions: the checksums of their contents and of their go.mod
// files.
func sumsOf(modules []string, pins map[string]string) []byte {
	want := map[string]bool{}
	for _, m := range modules {
		want[m+" "+pins[m]] = true
		want[m+" "+pins[m]+"/go.mod"] = true
	}
	var out bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(unumc.GoSum))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 3 && want[f[0]+" "+f[1]] {
			out.WriteString(sc.Text() + "\n")
		}
	}
	return out.Bytes()
}
