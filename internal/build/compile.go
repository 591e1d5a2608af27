package build

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/unumc/unumc"
	"github.com/unumc/unumc/codegen"
	"github.com/unumc/unumc/internal/ir"
)

// Binaries are the compiled node programs of a workflow.
type Binaries struct {
	Dir   string            // the cache entry holding them
	Paths map[string]string // node identifier -> executable
}

// Compile generates and compiles every node program of w for target t in a
// cache entry under cacheRoot, keyed by everything the programs depend on: the
// runtime, the generated code and the files of the user's module. A second
// compile of an unchanged workflow returns at once.
//
// When progress is not nil, Compile says there when it has to run the Go
// compiler.
func Compile(ctx context.Context, w *ir.Workflow, mod *Module, t codegen.Target, cacheRoot string, progress io.Writer) (*Binaries, error) {
	return CompileWith(ctx, w, mod, t, Options{}, cacheRoot, progress)
}

// Options are how CompileWith runs the go command, beyond Compile's
// defaults (a build for this machine, stripped with -ldflags=-s -w). Both
// are part of the cache key.
type Options struct {
	// Env is added to the go command's environment: GOOS, GOARCH and
	// CGO_ENABLED to build for a cloud's machines.
	Env []string
	// Flags are added to go build's flags, such as -tags and -trimpath.
	Flags []string
}

// platform returns "GOOS/GOARCH" when Env sets either, for messages.
func (o Options) platform() string {
	goos, goarch := "", ""
	for _, kv := range o.Env {
		if v, ok := strings.CutPrefix(kv, "GOOS="); ok {
			goos = v
		} else if v, ok := strings.CutPrefix(kv, "GOARCH="); ok {
			goarch = v
		}
	}
	if goos == "" && goarch == "" {
		return ""
	}
	return cmp.Or(goos, runtime.GOOS) + "/" + cmp.Or(goarch, runtime.GOARCH)
}

// CompileWith is Compile with options for the go command.
//
// The programs are built in a workspace of the user's module, the
// generated one and, outside unumc's own module, the runtime (with the
// modules that the runtime packages the programs import need; see
// WriteRuntime). GOFLAGS loses any -mod or -modfile flag, which workspaces
// refuse.
func CompileWith(ctx context.Context, w *ir.Workflow, mod *Module, t codegen.Target, opt Options, cacheRoot string, progress io.Writer) (*Binaries, error) {
	files, err := Generate(w, t)
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	fmt.Fprintf(h, "unumc build v2\x00%s\x00%s\x00%s\x00%q\x00%q\x00", runtimeHash(), t.Name, mod.Root, opt.Env, opt.Flags)
	for _, p := range codegen.Paths(files) {
		fmt.Fprintf(h, "%s\x00%d\x00", p, len(files[p]))
		h.Write(files[p])
	}
	if err := fingerprint(h, mod.Root); err != nil {
		return nil, err
	}
	key := hex.EncodeToString(h.Sum(nil))[:20]
	dir := filepath.Join(cacheRoot, "build", key)
	bins := &Binaries{Dir: dir, Paths: map[string]string{}}
	for _, n := range w.Nodes {
		bins.Paths[n.Ident] = filepath.Join(dir, "bin", n.Ident)
	}
	if _, err := os.Stat(filepath.Join(dir, "ok")); err == nil {
		return bins, nil
	}

	if progress != nil {
		what := fmt.Sprintf("%d node programs of workflow %q", len(w.Nodes), w.Name)
		if p := opt.platform(); p != "" {
			what += " for " + p
		}
		fmt.Fprintf(progress, "unumc: compiling %s (cached for later runs)\n", what)
	}
	if err := os.MkdirAll(cacheRoot, 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(cacheRoot, "tmp-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	gen := filepath.Join(tmp, "gen")
	if err := WriteSources(gen, files); err != nil {
		return nil, err
	}
	rtGo, _ := unumcPins()
	goVersion := maxGoVersion(rtGo, mod.GoVersion)
	if err := os.WriteFile(filepath.Join(gen, "go.mod"), []byte("module unumc.generated/"+w.Root.Entry.Ident+"\n\ngo "+goVersion+"\n"), 0o644); err != nil {
		return nil, err
	}
	work := "go " + goVersion + "\n\nuse (\n\t" + strconv.Quote(mod.Root) + "\n\t./gen\n"
	if !mod.IsUnumc() {
		pkgs, err := RuntimeImports(files)
		if err != nil {
			return nil, err
		}
		if err := WriteRuntime(filepath.Join(tmp, "runtime"), RuntimeModules(pkgs)); err != nil {
			return nil, err
		}
		work += "\t./runtime\n"
	}
	work += ")\n"
	if err := os.WriteFile(filepath.Join(tmp, "go.work"), []byte(work), 0o644); err != nil {
		return nil, err
	}
	args := append([]string{"build", "-ldflags=-s -w"}, opt.Flags...)
	args = append(args, "-o", filepath.Join(tmp, "bin")+string(filepath.Separator), "./...")
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = gen
	cmd.Env = append(os.Environ(), "GOWORK="+filepath.Join(tmp, "go.work"))
	if flags, ok := workspaceGoflags(os.Getenv("GOFLAGS")); ok {
		cmd.Env = append(cmd.Env, "GOFLAGS="+flags)
	}
	cmd.Env = append(cmd.Env, opt.Env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, &CompileError{Workflow: w, Output: explainBuild(string(out), gen, w)}
	}
	if err := os.WriteFile(filepath.Join(tmp, "ok"), nil, 0o644); err != nil {
		return nil, err
	}
	os.RemoveAll(filepath.Join(tmp, "gen"))
	os.Remove(filepath.Join(tmp, "go.work"))
	os.Remove(filepath.Join(tmp, "go.work.sum"))
	os.RemoveAll(filepath.Join(tmp, "runtime"))
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, dir); err != nil {
		if _, statErr := os.Stat(filepath.Join(dir, "ok")); statErr == nil {
			return bins, nil // built concurrently by another run
		}
		return nil, err
	}
	return bins, nil
}

// workspaceGoflags returns GOFLAGS without the -mod and -modfile flags,
// which the go command refuses in a workspace, and whether it dropped any.
func workspaceGoflags(goflags string) (string, bool) {
	var keep []string
	dropped := false
	for _, f := range strings.Fields(goflags) {
		name, _, _ := strings.Cut(strings.TrimLeft(f, "-"), "=")
		if name == "mod" || name == "modfile" {
			dropped = true
			continue
		}
		keep = append(keep, f)
	}
	return strings.Join(keep, " "), dropped
}

// CompileError is a failure of the Go compiler on generated code, most often
// a user function whose signature is not func(context.Context, In) (Out, error).
type CompileError struct {
	Workflow *ir.Workflow
	Output   string
}

func (e *CompileError) Error() string {
	return "compiling the node programs of workflow " + e.Workflow.Name + " failed:\n" + e.Output
}

var genLine = regexp.MustCompile(`(?m)^(?:\./)?([a-z0-9_]+)/main\.go:(\d+):(\d+): `)

// explainBuild rewrites compiler messages about generated files to name the
// node and its source position instead of a temporary path.
func explainBuild(out, gen string, w *ir.Workflow) string {
	out = strings.ReplaceAll(out, gen+string(filepath.Separator), "")
	byIdent := map[string]*ir.Node{}
	for _, n := range w.Nodes {
		byIdent[n.Ident] = n
	}
	return genLine.ReplaceAllStringFunc(out, func(m string) string {
		sub := genLine.FindStringSubmatch(m)
		n := byIdent[sub[1]]
		if n == nil {
			return m
		}
		where := n.Pos.String()
		if n.Func != nil {
			where = n.Func.Pos.String()
			return fmt.Sprintf("%s: node %q: %s.%s must be a func(context.Context, In) (Out, error): ", where, n.Name, n.Func.Import, n.Func.Name)
		}
		return fmt.Sprintf("%s: node %q: ", where, n.Name)
	})
}

// maxGoVersion returns the later of two go directives.
func maxGoVersion(a, b string) string {
	if b == "" {
		return a
	}
	pa, pb := versionParts(a), versionParts(b)
	for i := range 3 {
		if pa[i] != pb[i] {
			if pa[i] > pb[i] {
				return a
			}
			return b
		}
	}
	return a
}

func versionParts(v string) [3]int {
	var p [3]int
	for i, s := range strings.SplitN(v, ".", 3) {
		fmt.Sscanf(s, "%d", &p[i])
	}
	return p
}

var (
	rtHashOnce sync.Once
	rtHash     string
)

// runtimeHash identifies the embedded runtime sources and the versions and
// checksums of the modules they need.
func runtimeHash() string {
	rtHashOnce.Do(func() {
		h := sha256.New()
		var paths []string
		fs.WalkDir(unumc.Runtime, ".", func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				paths = append(paths, p)
			}
			return nil
		})
		sort.Strings(paths)
		for _, p := range paths {
			data, _ := unumc.Runtime.ReadFile(p)
			fmt.Fprintf(h, "%s\x00%d\x00", p, len(data))
			h.Write(data)
		}
		fmt.Fprintf(h, "go.mod\x00%d\x00%s\x00go.sum\x00%d\x00%s", len(unumc.GoMod), unumc.GoMod, len(unumc.GoSum), unumc.GoSum)
		rtHash = hex.EncodeToString(h.Sum(nil))
	})
	return rtHash
}

// fingerprint hashes the names, sizes and modification times of the files
// of a module that a build can depend on.
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
			if p != root {
				if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
					return filepath.SkipDir // another module
				}
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") && name != "go.mod" && name != "go.sum" && !strings.HasSuffix(name, ".s") && !strings.HasSuffix(name, ".c") && !strings.HasSuffix(name, ".h") {
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
