package ir

import (
	"strings"
	"testing"

	"github.com/unumc/unumc/internal/diag"
)

func TestParseJSONPath(t *testing.T) {
	for _, tc := range []struct {
		text   string
		ref    bool
		static string // Path.String of Static, "-" for dynamic
		ctx    bool
		v      string // the variable
		err    bool
	}{
		{text: "$", static: "."},
		{text: "$.a.b[2]", static: ".a.b[2]"},
		{text: "$['odd key'].x", static: `.["odd key"].x`},
		{text: `$["x"][0]`, static: ".x[0]"},
		{text: "$$.Map.Item.Value", static: ".Map.Item.Value", ctx: true},
		{text: "$.[0].a", static: ".[0].a"},
		{text: "$..a", static: "-"},
		{text: "$.a[*].b", static: "-"},
		{text: "$.a[?(@.n > 1)]", static: "-"},
		{text: "$.a[0:2]", static: "-"},
		{text: "$['a','b']", static: "-"},
		{text: "$.a[*]", ref: true, err: true},
		{text: "a.b", err: true},
		{text: "$.a[0", err: true},
		{text: "$.", err: true},
		{text: "$.a[-1]", static: "-"},
		{text: "$total.count", static: "$total.count", v: "total"}, // a workflow variable
		{text: "$total", static: "$total", v: "total"},
		{text: "$t[?(@.n > 1)]", static: "-", v: "t"},
		{text: "$states.input", err: true}, // JSONata's
		{text: "$-x", err: true},
	} {
		p, err := ParseJSONPath(tc.text, diag.Pos{}, tc.ref)
		if tc.err {
			if err == nil {
				t.Errorf("%q: no error", tc.text)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.text, err)
			continue
		}
		got := "-"
		if p.Static != nil {
			got = p.Static.String()
		}
		if got != tc.static || p.Context != tc.ctx || p.Var != tc.v {
			t.Errorf("%q: static %s context %v variable %q, want %s %v %q", tc.text, got, p.Context, p.Var, tc.static, tc.ctx, tc.v)
		}
	}
}

func TestParseIntrinsic(t *testing.T) {
	for _, tc := range []struct{ in, out, err string }{
		{in: "States.UUID()", out: "States.UUID()"},
		{in: "States.Format('Hello, {}! \\{not\\}', $.name)", out: "States.Format('Hello, {}! \\{not\\}', $.name)"},
		{in: "States.Array('it\\'s', 1, 2.5, true, null, $.a[0])", out: "States.Array('it\\'s', 1, 2.5, true, null, $.a[0])"},
		{in: "States.ArrayLength(States.StringSplit($.s, ','))", out: "States.ArrayLength(States.StringSplit($.s, ','))"},
		{in: "States.JsonMerge($.a, $['b c'], false)", out: "States.JsonMerge($.a, $['b c'], false)"},
		{in: "States.Fromat('x')", err: `unknown intrinsic function "States.Fromat" (did you mean "States.Format"?)`},
		{in: "States.MathAdd(1)", err: "States.MathAdd takes 2 arguments, not 1"},
		{in: "States.UUID(", err: "missing an argument"},
		{in: "States.Array('x'", err: `missing ")"`},
		{in: "States.Array('x)", err: "unterminated string"},
		{in: "States.Array(x)", err: `invalid argument "x"`},
		{in: "States.MathAdd('1', 2)", err: "argument 1 of States.MathAdd must be a number, not a string"},
		{in: "States.Array($v, $v.a[0])", out: "States.Array($v, $v.a[0])"},
		{in: "States.UUID() x", err: "unexpected"},
	} {
		e, problems := ParseIntrinsic(tc.in, diag.Pos{})
		got := strings.Join(problems, "; ")
		if tc.err != "" {
			if e != nil || !strings.Contains(got, tc.err) {
				t.Errorf("%s: problems %q, want %q", tc.in, got, tc.err)
			}
			continue
		}
		if e == nil {
			t.Errorf("%s: %s", tc.in, got)
			continue
		}
		if got := IntrinsicString(e); got != tc.out {
			t.Errorf("%s: prints %s, want %s", tc.in, got, tc.out)
		}
	}
}

// TestJaywayIdioms checks the rewrites of what Step Functions' JSONPath
// library reads and the runtime's does not, and that nothing else changes.
func TestJaywayIdioms(t *testing.T) {
	for text, want := range map[string]string{
		"$[(@.length-1)].bar":                       "$[-1].bar",
		"$.a[( @.length - 12 )]":                    "$.a[-12]",
		"$.r[?(@.OutputKey == FooBar)].OutputValue": "$.r[?(@.OutputKey == 'FooBar')].OutputValue",
		"$.r[?(@.k != x && @.n > 1)]":               "$.r[?(@.k != 'x' && @.n > 1)]",
		"$.r[?(@.ok == true)]":                      "$.r[?(@.ok == true)]",
		"$.r[?(@.k == 'FooBar')]":                   "$.r[?(@.k == 'FooBar')]",
		"$.r[?(@.k == @.j)]":                        "$.r[?(@.k == @.j)]",
		"$.a.b":                                     "$.a.b",
	} {
		p, err := ParseJSONPath(text, diag.Pos{}, false)
		if err != nil {
			t.Errorf("%q: %v", text, err)
			continue
		}
		if p.Text != want {
			t.Errorf("%q: read as %q, want %q", text, p.Text, want)
		}
	}
}
