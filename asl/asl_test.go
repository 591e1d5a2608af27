package asl

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/unumc/unumc/internal/diag"
	"github.com/unumc/unumc/internal/ir"
)

var update = flag.Bool("update", false, "rewrite the expected outputs in testdata")

// updating reports whether goldens should be rewritten: -update, or
// UNUM_UPDATE=1 for `go test ./...` where other packages lack the flag.
func updating() bool { return *update || os.Getenv("UNUM_UPDATE") == "1" }

// TestGolden runs every testdata/*.txtar case. A case holds in.asl.json
// and either the ir.Dump of the checked workflow (ir) or the sorted
// diagnostics (errors).
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no test cases")
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			in, ok := section(ar, "in.asl.json")
			if !ok {
				t.Fatal("no in.asl.json section")
			}
			got := run(in)
			if updating() {
				want := &txtar.Archive{Comment: ar.Comment, Files: []txtar.File{{Name: "in.asl.json", Data: in}}}
				for _, s := range []string{"ir", "errors"} {
					if data, ok := got[s]; ok {
						want.Files = append(want.Files, txtar.File{Name: s, Data: data})
					}
				}
				if err := os.WriteFile(file, txtar.Format(want), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			for _, s := range []string{"ir", "errors"} {
				want, wok := section(ar, s)
				data, gok := got[s]
				switch {
				case wok && !gok:
					t.Errorf("no %s, want:\n%s", s, want)
				case gok && !wok:
					t.Errorf("unexpected %s:\n%s", s, data)
				case wok:
					if diff := cmp.Diff(string(want), string(data)); diff != "" {
						t.Errorf("%s (-want +got):\n%s", s, diff)
					}
				}
			}
		})
	}
}

func section(ar *txtar.Archive, name string) ([]byte, bool) {
	for _, f := range ar.Files {
		if f.Name == name {
			return f.Data, true
		}
	}
	return nil, false
}

// run loads in and returns the sections it produces.
func run(in []byte) map[string][]byte {
	out := map[string][]byte{}
	w, err := Load("in.asl.json", in, Options{})
	if err != nil {
		var list diag.List
		if !errors.As(err, &list) {
			out["errors"] = []byte("not a diag.List: " + err.Error() + "\n")
		} else {
			out["errors"] = []byte(list.Lines())
		}
		return out
	}
	out["ir"] = []byte(ir.Dump(w))
	return out
}

func TestDefaultName(t *testing.T) {
	for in, want := range map[string]string{
		"in.asl.json":             "in",
		"dir/order-flow.json":     "order_flow",
		`C:\flows\2fast.asl.json`: "w2fast",
		"machine.v2.json":         "machine_v2",
		"":                        "workflow",
		".json":                   "workflow",
	} {
		if got := defaultName(in); got != want {
			t.Errorf("defaultName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestOptions checks the workflow name and the binding of functions.
func TestOptions(t *testing.T) {
	src := []byte(`{"StartAt": "A", "States": {
		"A": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Charge:prod", "Next": "B"},
		"B": {"Type": "Task", "Resource": "${Ship}", "End": true}}}`)
	var bound []string
	w, err := Load("flows/order.asl.json", src, Options{
		Name: "orders",
		Bind: func(name string, pos diag.Pos) (*ir.Func, error) {
			bound = append(bound, fmt.Sprintf("%s@%s", name, pos))
			return &ir.Func{Import: "example.com/fn", Name: name}, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if w.Name != "orders" || w.Source != "flows/order.asl.json" {
		t.Errorf("name %q source %q", w.Name, w.Source)
	}
	want := []string{"Charge@flows/order.asl.json:2:37", "Ship@flows/order.asl.json:3:37"}
	if diff := cmp.Diff(want, bound); diff != "" {
		t.Errorf("bound (-want +got):\n%s", diff)
	}
	if f := w.Node("A").Func; f.String() != "example.com/fn.Charge" || f.Pos.Line != 2 {
		t.Errorf("A calls %s at %s", f, f.Pos)
	}

	_, err = Load("x.json", src, Options{Bind: func(name string, pos diag.Pos) (*ir.Func, error) {
		return nil, fmt.Errorf("no function %q", name)
	}})
	if got := fmt.Sprint(err); !strings.Contains(got, `x.json:2:37: States.A.Resource: no function "Charge"`) {
		t.Errorf("bind error: %v", err)
	}
}

// TestErrorsAreLists checks that every error Load returns is a diag.List
// and that Unsupported tells unsupported definitions from invalid ones.
func TestErrorsAreLists(t *testing.T) {
	for _, c := range []struct {
		src         string
		unsupported bool
	}{
		{``, false},
		{`[`, false},
		{`{"StartAt": "A"} x`, false},
		{`[]`, false},
		{`{}`, false},
		{`{"States":{"":{"Type":"Choice"}}}`, false}, // found by FuzzLoad
		{`{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": true}}}`, true},
		{`{"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass", "Output": "{% 1 %}", "End": true}}}`, true},
		{`{"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass", "OutputPath": "$", "End": true}}}`, false},
	} {
		_, err := Load("x.json", []byte(c.src), Options{})
		var list diag.List
		if !errors.As(err, &list) || len(list) == 0 {
			t.Errorf("Load(%q) error %v (%T), want a diag.List", c.src, err, err)
			continue
		}
		for _, e := range list {
			if !e.Pos.IsValid() {
				t.Errorf("Load(%q): %v has no position", c.src, e)
			}
		}
		if got := Unsupported(err); got != c.unsupported {
			t.Errorf("Unsupported(Load(%q)) = %v, want %v: %v", c.src, got, c.unsupported, err)
		}
	}
	if Unsupported(nil) || Unsupported(errors.New("unsupported: x")) {
		t.Error("Unsupported is true for an error that is not a diag.List")
	}
}
