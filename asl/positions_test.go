package asl

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/unumc/unumc/internal/diag"
	"github.com/unumc/unumc/internal/ir"
	"github.com/unumc/unumc/rt/states"
)

// loaded returns the workflows of the golden cases and corpus files that
// load, by name.
func loaded(t *testing.T) map[string]*ir.Workflow {
	out := map[string]*ir.Workflow{}
	files, _ := filepath.Glob("testdata/*.txtar")
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if in, ok := section(ar, "in.asl.json"); ok {
			if w, err := Load("in.asl.json", in, Options{}); err == nil {
				out[file] = w
			}
		}
	}
	corpus, _ := filepath.Glob(filepath.Join(corpusDir, "valid", "*.json"))
	for _, file := range corpus {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if w, err := Load(filepath.Base(file), src, Options{}); err == nil {
			out[filepath.Base(file)] = w
		}
	}
	if len(out) == 0 {
		t.Fatal("nothing loads")
	}
	return out
}

// TestPositions checks that every position in the IR of every workflow
// that loads points into the file: nodes, transitions, paths, expressions,
// retriers and catchers.
func TestPositions(t *testing.T) {
	posType := reflect.TypeFor[diag.Pos]()
	for name, w := range loaded(t) {
		var walk func(v reflect.Value, path string)
		walk = func(v reflect.Value, path string) {
			switch v.Kind() {
			case reflect.Pointer, reflect.Interface:
				if !v.IsNil() {
					walk(v.Elem(), path)
				}
			case reflect.Slice:
				for i := range v.Len() {
					walk(v.Index(i), path)
				}
			case reflect.Struct:
				if v.Type() == posType {
					if p := v.Interface().(diag.Pos); !p.IsValid() || p.File != w.Source {
						t.Errorf("%s: %s has no position (%v)", name, path, p)
					}
					return
				}
				for i := range v.NumField() {
					f := v.Type().Field(i)
					switch {
					case f.Name == "Root" || f.Name == "Scope" || v.Type() == reflect.TypeFor[ir.Node]() && f.Name == "Join":
						continue // set by ir.Check
					case f.Name == "TimeoutPos" && v.FieldByName("Timeout").Int() == 0,
						f.Name == "AfterPreviousPos" && !v.FieldByName("AfterPrevious").Bool():
						continue
					case v.Type() == reflect.TypeFor[ir.FanOut]() && f.Name == "Items" && v.FieldByName("Kind").Interface() != ir.Map:
						continue
					case v.Type() == reflect.TypeFor[ir.Path]() && f.Name == "Pos" && v.FieldByName("Steps").Len() == 0 && strings.HasSuffix(path, ".Items"):
						continue // a Map over the whole input
					}
					walk(v.Field(i), path+"."+f.Name)
				}
			}
		}
		walk(reflect.ValueOf(w), "Workflow")
	}
}

// TestPathsCompile checks that the runtime reads every path the importer
// accepts as the importer does: rt/states compiles it, it is definite
// exactly when it has static steps, and those select what the runtime
// selects.
func TestPathsCompile(t *testing.T) {
	for name, w := range loaded(t) {
		var paths []*ir.JSONPath
		var expr func(e ir.Expr)
		expr = func(e ir.Expr) {
			switch e := e.(type) {
			case *ir.Select:
				paths = append(paths, &e.Path)
			case *ir.Intrinsic:
				for _, a := range e.Args {
					expr(a)
				}
			case *ir.Object:
				for _, f := range e.Fields {
					expr(f.Value)
				}
			case *ir.Array:
				for _, it := range e.Items {
					expr(it)
				}
			}
		}
		for _, n := range w.Nodes {
			if f := n.Flow; f != nil {
				paths = append(paths, f.InputPath, f.ResultPath, f.OutputPath)
				expr(f.Parameters)
				expr(f.ResultSelector)
			}
			if wt := n.Wait; wt != nil {
				paths = append(paths, wt.SecondsPath, wt.TimestampPath)
			}
			if fo, ok := n.Next.(*ir.FanOut); ok {
				paths = append(paths, fo.InputPath)
				expr(fo.ItemSelector)
			}
			if f, ok := n.Next.(*ir.Fail); ok {
				expr(f.ErrorExpr)
				expr(f.CauseExpr)
			}
		}
		for _, p := range paths {
			if p == nil || p.Null {
				continue
			}
			c, err := states.Compile(p.Text)
			switch {
			case err != nil && p.Static == nil:
				t.Errorf("%s: %s: rt/states does not compile %q: %v", name, p.Pos, p.Text, err)
				continue
			case err != nil:
				continue // generated code uses the static steps, never the text
			case p.Static == nil && c.Definite() && strings.Contains(p.Text, "[-"):
				continue // a negative index, which is not in a reference path
			}
			if c.Definite() != (p.Static != nil) {
				t.Errorf("%s: %s: %q: rt/states definite %v, static steps %v", name, p.Pos, p.Text, c.Definite(), p.Static)
				continue
			}
			if p.Static == nil || p.Context {
				continue
			}
			// A document with a marker where the static steps lead.
			var doc any = "marker"
			for i := len(p.Static.Steps) - 1; i >= 0; i-- {
				if s := p.Static.Steps[i]; s.IsIndex {
					a := make([]any, s.Index+1)
					a[s.Index] = doc
					doc = a
				} else {
					doc = map[string]any{s.Field: doc}
				}
			}
			got, err := c.Select(doc, "x")
			if err != nil || got != "marker" {
				t.Errorf("%s: %s: %q: rt/states selects %v (%v), the static steps lead to the marker", name, p.Pos, p.Text, got, err)
			}
		}
	}
}
