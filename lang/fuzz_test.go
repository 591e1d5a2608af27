package lang

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"
)

// roundTrips are awkward placements of comments and layouts: each must
// format to text that parses to the same tree and formats to itself.
var roundTrips = []string{
	"start -> A // c1\n -> B // c2\n",
	"node A = a.A /* x\n y */ node B = b.B",
	"start -> parallel { A /* c */ }",
	"start -> map . { A } // c",
	"start -> map . { A } /* c */ -> B",
	"start -> X -> choose { // c\n }",
	"start -> X -> choose {\n // c\n }",
	"start -> A // end",
	"// only comment",
	"/* a */ /* b */ start -> A",
	"start -> A /* a */ /* b */ // c\n/* d */ B -> C",
	"start -> parallel { map . { A /* x */ } }",
	"start -> parallel {\n A\n B\n} /* x */ -> C",
	"start -> parallel {\n\n A\n\n\n B\n\n // f\n\n}\n\n\n\nC -> D",
	"start -> A\r\n// crlf\r\nB -> C\r\n",
	"start -> map . {\n\n A }",
	"start -> map . {\n // c\n A }",
	"node A = a.A\n\n/* x */ node B = b.B\n",
	"start -> A ->\n\n// x\nB",
	"node Q = q.Q\n\nA -> // x\nB",
	"start -> X -> choose { when /* c */ has .a -> A // t\n /* e */ else -> B }",
	"start -> X -> choose { when has .a -> parallel { A B } -> C }",
	"start /* s */ -> A",
	"start -> A -> parallel { B } // t\n",
	"start -> A -> parallel { B -> C -> D -> E }",
	"start -> map .[\"a b\"][0].c { X }",
	"start -> map .[\"{\"] limit 2 { A } // brace in a key\n",
	"start -> X -> choose { when .a == -0 or .b == 1.50 or .c == 1E+2 -> Y }",
	"node A = a.A { timeout 1s } // c",
	"node A = a.A {\n // only a comment\n}",
	"node A = a.A { /* x */ }",
	"node A = a.A {} // t\nnode B = b.B",
	"node A = a.A /* c */ { catch X -> B retry Y /* d */ timeout 2m0s }",
	"node A = a.A {\n\n catch X -> B\n\n retry Y\n}",
	"node A = a.A { retry X every 1h0m max 0 } node Bb = b.B node C = c.C",
	"node \"a b\" = pass /* c */ { parameters {\"a\": /* x */ 1} // t\n }",
	"node A = a.A { parameters {\n \"a\": 1, // c\n \"b\": [1,\n // d\n 2, {\"e\": {}}] } }",
	"node A = a.A {\n result {\"a.$\": \"x\"} /* r */ inputpath null // i\n}",
	"start -> map . itemselector {\"a\": /* c */ 1} { A } // t",
	"start -> map . limit 2 itemselector {\"a\": {\"b\": 1}} /* c */ { A } -> B",
	"start -> parallel parameters {\"x\": [1, {\"y\": 2}]} inputpath \"$.x\" {\n A\n B // c\n}",
	"start -> A -> parallel { fail E \"\" \"B\" }",
	"start -> A -> parallel { fail E \"\" causepath \"B\" }",
	"start -> A -> parallel { fail E \"\" causepath\n\"B\" }",
	"start -> A -> fail errorpath \"$.e\"\n\"B\" -> C",
	"node W = wait until \"$.x\" { outputpath null } node \"start\" = pass start -> \"start\" -> W",
	"workflow \"x y\" node A = lambda a.A node pass = pass node wait = wait 5s",
	"start -> X -> choose { when .a number < 1 and .b string != .c -> fail \"e e\" causepath \"$.c\" }",
	"node A = a.A { parameters {\"\\u00e9\": \"\\/\", \"n\": -0.0e+5, \"c\": computed \"$.c\"} resultselector computed \"$\" }",
	"node A = a.A { retry \"x y\", \"map\" catch \"q\" -> \"a\\\"b\" }",
}

func TestRoundTrip(t *testing.T) {
	for _, in := range roundTrips {
		checkRoundTrip(t, []byte(in))
	}
}

// FuzzParse checks that Load never panics, that formatting whatever parses
// gives text that parses to the same tree and formats to itself, and that
// Print writes whatever loads as text that loads back to the same workflow
// (Print checks that itself).
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob("testdata/*.txtar")
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			f.Fatal(err)
		}
		if in, ok := section(ar, "in.unum"); ok {
			f.Add(in)
		}
	}
	for _, s := range roundTrips {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if w, err := Load("fuzz.unum", src); err == nil {
			if _, err := Print(w); err != nil {
				t.Fatalf("%v\ninput:\n%s", err, src)
			}
		}
		f1, err := Parse("fuzz.unum", src)
		if err != nil {
			return
		}
		out := Format(f1)
		f2, err := Parse("fuzz.unum", out)
		if err != nil {
			t.Fatalf("formatted output does not parse: %v\ninput:\n%s\noutput:\n%s", err, src, out)
		}
		if diff := cmp.Diff(f1, f2, astOpts); diff != "" {
			t.Fatalf("parse(format(x)) != parse(x) (-x +format):\n%s\ninput:\n%s\noutput:\n%s", diff, src, out)
		}
		if again := Format(f2); !bytes.Equal(out, again) {
			t.Fatalf("format is not idempotent:\n%s", cmp.Diff(string(out), string(again)))
		}
	})
}
