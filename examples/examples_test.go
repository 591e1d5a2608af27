// Package examples_test checks that the example workflows hang together:
// every .unum file declares nodes that name real user functions of its
// example's package, uses every node and import, and comes with its input,
// its expected output and a line in README.md. (It reads the .unum files
// with a rough scanner; the compiler's front end is the real judge.)
package examples_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const module = "github.com/unumc/unumc/examples/"

var examples = []string{"hello", "iot", "textproc", "wordcount", "excamera", "choice", "loop", "nestedmap", "payments"}

func TestExamples(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range examples {
		t.Run(name, func(t *testing.T) {
			checkExample(t, name, string(readme))
		})
	}
	dirs, _ := filepath.Glob("*/*.unum")
	if len(dirs) != len(examples) {
		t.Errorf("found .unum files %v; want one in each of %v", dirs, examples)
	}
}

var (
	workflowRE = regexp.MustCompile(`^\s*workflow\s+(\w+)`)
	importRE   = regexp.MustCompile(`(?m)^\s*import\s+(?:(\w+)\s+)?"([^"]+)"`)
	nodeRE     = regexp.MustCompile(`(?m)^\s*node\s+(\w+)\s*=\s*(\w+)\.(\w+)\s*(?:\{.*)?$`)
	startRE    = regexp.MustCompile(`(?m)^\s*start\s*->`)
)

func checkExample(t *testing.T, name, readme string) {
	src, err := os.ReadFile(filepath.Join(name, name+".unum"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(src), "//") && !strings.HasPrefix(string(src), "/*") {
		t.Errorf("%s.unum does not start with a comment saying what it shows", name)
	}
	code := stripComments(string(src))
	if m := workflowRE.FindStringSubmatch(code); m == nil || m[1] != name {
		t.Errorf("%s.unum does not start with `workflow %s`", name, name)
	}

	funcs := userFuncs(t, name)
	imports := map[string]bool{}
	for _, m := range importRE.FindAllStringSubmatch(code, -1) {
		alias := m[1]
		if alias == "" {
			alias = m[2][strings.LastIndex(m[2], "/")+1:]
		}
		if m[2] != module+name {
			t.Errorf("import %q: the example's functions are in %s", m[2], module+name)
		}
		imports[alias] = false
	}
	flow := code
	if loc := startRE.FindStringIndex(code); loc != nil {
		flow = code[loc[0]:]
	} else {
		t.Errorf("%s.unum has no `start ->` chain", name)
	}
	used := map[string]bool{}
	for _, m := range nodeRE.FindAllStringSubmatch(code, -1) {
		node, pkg, fn := m[1], m[2], m[3]
		if _, ok := imports[pkg]; !ok {
			t.Errorf("node %s: %s is not imported", node, pkg)
		}
		imports[pkg] = true
		if !funcs[fn] {
			t.Errorf("node %s: %s.%s is not a user function func(context.Context, In) (Out, error)", node, pkg, fn)
		}
		used[fn] = true
		if !regexp.MustCompile(`\b` + node + `\b`).MatchString(flow) {
			t.Errorf("node %s is declared but not used", node)
		}
	}
	for alias, ok := range imports {
		if !ok {
			t.Errorf("import %s is not used", alias)
		}
	}
	for fn := range funcs {
		if !used[fn] {
			t.Errorf("user function %s is not a node of the workflow", fn)
		}
	}

	for _, f := range []string{"input.json", "want.json", name + "_test.go"} {
		if _, err := os.Stat(filepath.Join(name, f)); err != nil {
			t.Error(err)
		}
	}
	cmd := "go run ./cmd/unumc run examples/" + name + "/" + name + ".unum --input @examples/" + name + "/input.json"
	if !strings.Contains(readme, cmd) {
		t.Errorf("README.md does not show `%s`", cmd)
	}
}

// userFuncs lists the exported functions of an example's package that have
// the shape of a user function: func(context.Context, In) (Out, error).
func userFuncs(t *testing.T, dir string) map[string]bool {
	fset := token.NewFileSet()
	matches, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	funcs := map[string]bool{}
	for _, path := range matches {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		if f.Name.Name != dir {
			t.Errorf("%s: package %s, want %s", path, f.Name.Name, dir)
		}
		for _, imp := range f.Imports {
			if strings.HasPrefix(imp.Path.Value, `"github.com/unumc/`) && imp.Path.Value != `"github.com/unumc/unumc/rt/unumctx"` {
				t.Errorf("%s imports %s; user code imports nothing from unumc but the optional unumctx", path, imp.Path.Value)
			}
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if ok && fd.Recv == nil && fd.Name.IsExported() && isUserFunc(fd.Type) {
				funcs[fd.Name.Name] = true
			}
		}
	}
	return funcs
}

func isUserFunc(ft *ast.FuncType) bool {
	params, results := fieldTypes(ft.Params), fieldTypes(ft.Results)
	if len(params) != 2 || len(results) != 2 {
		return false
	}
	ctx, ok := params[0].(*ast.SelectorExpr)
	if !ok || ctx.Sel.Name != "Context" || !isIdent(ctx.X, "context") {
		return false
	}
	return isIdent(results[1], "error")
}

func fieldTypes(fl *ast.FieldList) []ast.Expr {
	var types []ast.Expr
	if fl == nil {
		return nil
	}
	for _, f := range fl.List {
		for range max(1, len(f.Names)) {
			types = append(types, f.Type)
		}
	}
	return types
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

// stripComments blanks out the comments of .unum source, leaving strings.
func stripComments(src string) string {
	var b strings.Builder
	for i := 0; i < len(src); i++ {
		switch {
		case src[i] == '"':
			j := i + 1
			for j < len(src) && src[j] != '"' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			b.WriteString(src[i:min(j+1, len(src))])
			i = j
		case strings.HasPrefix(src[i:], "//"):
			for i < len(src) && src[i] != '\n' {
				i++
			}
			b.WriteByte('\n')
		case strings.HasPrefix(src[i:], "/*"):
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return b.String()
			}
			b.WriteString(strings.Repeat("\n", strings.Count(src[i:i+2+end], "\n")))
			i += 2 + end + 1
		default:
			b.WriteByte(src[i])
		}
	}
	return b.String()
}

func TestStripComments(t *testing.T) {
	got := stripComments("a // x\nb /* y\nz */ c \"s // t\" d")
	if want := "a \nb \n c \"s // t\" d"; got != want {
		t.Errorf("stripComments = %q, want %q", got, want)
	}
}
