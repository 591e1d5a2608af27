package lang

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alecthomas/participle/v2/lexer"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/tools/txtar"

	"github.com/unumc/unumc/internal/diag"
	"github.com/unumc/unumc/internal/ir"
)

var update = flag.Bool("update", false, "rewrite the expected outputs in testdata")

// updating reports whether goldens should be rewritten: -update, or
// UNUM_UPDATE=1 for `go test ./...` where other packages lack the flag.
func updating() bool { return *update || os.Getenv("UNUM_UPDATE") == "1" }

// TestGolden runs every testdata/*.txtar case. A case holds in.unum and
// either the ir.Dump of the checked workflow (ir) or the sorted diagnostics
// (errors); fmt, when present, is the formatted input, and when absent the
// input must already be formatted. A case named print_* also holds what
// Print makes of the workflow (print).
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
			in, ok := section(ar, "in.unum")
			if !ok {
				t.Fatal("no in.unum section")
			}
			got := run(in, strings.HasPrefix(name, "print_"))
			checkRoundTrip(t, in)
			if updating() {
				want := &txtar.Archive{Comment: ar.Comment, Files: []txtar.File{{Name: "in.unum", Data: in}}}
				for _, s := range sections {
					if data, ok := got[s]; ok {
						want.Files = append(want.Files, txtar.File{Name: s, Data: data})
					}
				}
				if err := os.WriteFile(file, txtar.Format(want), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			for _, s := range sections {
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

// sections are the outputs a case may hold, in order.
var sections = []string{"ir", "errors", "fmt", "print"}

// run loads in and returns the sections it produces; print asks for the
// output of Print.
func run(in []byte, print bool) map[string][]byte {
	out := map[string][]byte{}
	w, err := Load("in.unum", in)
	if err != nil {
		var list diag.List
		if !errors.As(err, &list) {
			out["errors"] = []byte("not a diag.List: " + err.Error() + "\n")
		} else {
			out["errors"] = []byte(list.Lines())
		}
	} else {
		out["ir"] = []byte(ir.Dump(w))
		if print {
			p, err := Print(w)
			if err != nil {
				p = []byte("error: " + err.Error() + "\n")
			}
			out["print"] = p
		}
	}
	if f, err := Parse("in.unum", in); err == nil {
		if got := Format(f); !bytes.Equal(got, in) {
			out["fmt"] = got
		}
	}
	return out
}

// astOpts compares syntax trees without their positions.
var astOpts = cmp.Options{cmpopts.IgnoreTypes(lexer.Position{}), cmpopts.EquateEmpty()}

// checkRoundTrip checks that formatting is stable and keeps the tree.
func checkRoundTrip(t *testing.T, in []byte) {
	t.Helper()
	f1, err := Parse("in.unum", in)
	if err != nil {
		return
	}
	out1 := Format(f1)
	f2, err := Parse("in.unum", out1)
	if err != nil {
		t.Fatalf("formatted output does not parse: %v\n%s", err, out1)
	}
	if diff := cmp.Diff(f1, f2, astOpts); diff != "" {
		t.Errorf("parse(format(x)) != parse(x) (-x +format):\n%s\nformatted:\n%s", diff, out1)
	}
	if out2 := Format(f2); !bytes.Equal(out1, out2) {
		t.Errorf("format is not idempotent:\n%s", cmp.Diff(string(out1), string(out2)))
	}
}

func TestGrammar(t *testing.T) {
	const file = "testdata/grammar.ebnf"
	got := Grammar() + "\n"
	if updating() {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("grammar changed (-want +got):\n%s\nrun go test -update if this is intended", diff)
	}
}

func TestDefaultName(t *testing.T) {
	for in, want := range map[string]string{
		"in.unum":                "in",
		"dir/word-count.unum":    "word_count",
		`C:\flows\2fast.v1.unum`: "w2fast_v1",
		"":                       "workflow",
		".unum":                  "workflow",
		"héllo.unum":             "h_llo",
	} {
		if got := defaultName(in); got != want {
			t.Errorf("defaultName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPackageName(t *testing.T) {
	for in, want := range map[string]string{
		"github.com/unumc/unumc/examples/wordcount": "wordcount",
		"github.com/acme/effects/v2":                "effects",
		"example.com/v":                             "v",
		"v2":                                        "v2",
		"gopkg.in/yaml.v3":                          "yaml.v3",
	} {
		if got := packageName(in); got != want {
			t.Errorf("packageName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestParseErrorsAreLists checks that every error Parse and Load return is
// a diag.List, so callers can print all of it.
func TestParseErrorsAreLists(t *testing.T) {
	for _, src := range []string{"start ->", "$", `start -> A -> choose { when .s == "\q" -> A }`, "node A = a.A"} {
		_, err := Load("x.unum", []byte(src))
		var list diag.List
		if !errors.As(err, &list) || len(list) == 0 {
			t.Errorf("Load(%q) error %v (%T), want a diag.List", src, err, err)
		}
	}
}
