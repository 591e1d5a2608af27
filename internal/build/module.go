package build

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
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

// runtimeVersion is the version of unumc that a wired module requires and
// replaces with the runtime written into it.
const runtimeVersion = "v0.0.0"

// WireModule makes a user's module build the generated files, as the
// modules of protobuf-go's users require its runtime. It writes the runtime
// under the module root as a module of its own and points go.mod at it with
// a require and a replace directive ('go mod edit'). Where the files import
// runtime packages that need other modules (a cloud target's node package,
// rt/states), the runtime's go.mod requires those modules at the versions of
// unumc's go.mod, and 'go get' of the packages adds them to the module's
// go.mod and go.sum as for any dependency: missing ones as indirect
// requirements, older ones upgraded, newer ones kept. Modules the runtime
// required when last wired stay required, for the programs of other targets
// the module may hold. When progress is not nil, WireModule says there what
// it changed in go.mod, as the go command would.
func WireModule(m *Module, files map[string][]byte, progress io.Writer) (err error) {
	if m.IsUnumc() {
		return nil
	}
	gomod := filepath.Join(m.Root, "go.mod")
	before, err := os.ReadFile(gomod)
	if err != nil {
		return err
	}
	defer func() {
		if after, rerr := os.ReadFile(gomod); err == nil && rerr == nil && progress != nil {
			reportGoMod(progress, before, after)
		}
	}()
	pkgs, err := RuntimeImports(files)
	if err != nil {
		return err
	}
	mods := RuntimeModules(pkgs)
	dir := filepath.Join(m.Root, RuntimeDirName)
	if old, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil {
		_, reqs := parseGoMod(old)
		all := allRuntimeModules()
		for mod := range reqs {
			if all[mod] {
				mods = append(mods, mod)
			}
		}
		slices.Sort(mods)
		mods = slices.Compact(mods)
	}
	if err := WriteRuntime(dir, mods); err != nil {
		return err
	}
	if err := goCommand(m.Root, "mod", "edit",
		"-require="+unumc.Module+"@"+runtimeVersion,
		"-replace="+unumc.Module+"=./"+RuntimeDirName); err != nil {
		return err
	}
	get := []string{"get"}
	for _, p := range pkgs {
		if len(runtimeModules[p]) > 0 {
			get = append(get, p+"@"+runtimeVersion)
		}
	}
	if len(get) == 1 {
		return nil
	}
	added, err := addSums(m.Root)
	if err != nil {
		return err
	}
	if err := goCommand(m.Root, get...); err != nil {
		pruneSums(m.Root, added) // best effort: go get's error is the one to report
		return err
	}
	return pruneSums(m.Root, added)
}

// addSums adds to the module's go.sum the lines of unumc's go.sum it lacks,
// and returns them. With them, 'go get' of the runtime's packages finds the
// checksums of every module it needs in go.sum, as unumc's own build
// verified them, and neither asks the checksum database (which an offline
// build, GOPROXY=off, cannot reach) nor trusts the module cache unverified.
func addSums(root string) (map[string]bool, error) {
	path := filepath.Join(root, "go.sum")
	have, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	present := map[string]bool{}
	for _, l := range strings.Split(string(have), "\n") {
		present[l] = true
	}
	added := map[string]bool{}
	var out bytes.Buffer
	out.Write(have)
	if len(have) > 0 && !bytes.HasSuffix(have, []byte("\n")) {
		out.WriteByte('\n')
	}
	for _, l := range strings.Split(string(unumc.GoSum), "\n") {
		if l != "" && !present[l] && !added[l] {
			added[l] = true
			out.WriteString(l + "\n")
		}
	}
	if len(added) == 0 {
		return added, nil
	}
	return added, os.WriteFile(path, out.Bytes(), 0o644)
}

// pruneSums removes from the module's go.sum the lines addSums added for
// modules that are not in its module graph after 'go get', so that go.sum
// gains the checksums the module needs and not all of unumc's.
func pruneSums(root string, added map[string]bool) error {
	if len(added) == 0 {
		return nil
	}
	cmd := exec.Command("go", "mod", "graph")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOWORK=off")
	graph, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("go mod graph in %s: %v", root, err)
	}
	inGraph := map[string]bool{}
	for _, f := range strings.Fields(string(graph)) {
		inGraph[f] = true // module@version
	}
	path := filepath.Join(root, "go.sum")
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	for _, l := range strings.SplitAfter(string(data), "\n") {
		if f := strings.Fields(l); len(f) == 3 && added[strings.TrimSuffix(l, "\n")] &&
			!inGraph[f[0]+"@"+strings.TrimSuffix(f[1], "/go.mod")] {
			continue
		}
		out.WriteString(l)
	}
	return os.WriteFile(path, out.Bytes(), 0o644)
}

// reportGoMod writes, in the go command's words, how the go directive and
// the requirements of a go.mod changed.
func reportGoMod(w io.Writer, before, after []byte) {
	goBefore, reqBefore := parseGoMod(before)
	goAfter, reqAfter := parseGoMod(after)
	if goBefore != goAfter {
		fmt.Fprintf(w, "unumc: go.mod: upgraded go %s => %s\n", goBefore, goAfter)
	}
	paths := make([]string, 0, len(reqAfter))
	for p := range reqAfter {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		switch old, v := reqBefore[p], reqAfter[p]; {
		case old == "":
			fmt.Fprintf(w, "unumc: go.mod: added %s %s\n", p, v)
		case old != v:
			fmt.Fprintf(w, "unumc: go.mod: upgraded %s %s => %s\n", p, old, v)
		}
	}
}

// goCommand runs the go command on the module in dir alone, not on a
// workspace that holds it.
func goCommand(dir string, args ...string) error {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %s in %s: %v\n%s", strings.Join(args, " "), dir, err, out)
	}
	return nil
}

// allRuntimeModules returns the set of modules some runtime package needs.
func allRuntimeModules() map[string]bool {
	set := map[string]bool{}
	for _, mods := range runtimeModules {
		for _, m := range mods {
			set[m] = true
		}
	}
	return set
}
