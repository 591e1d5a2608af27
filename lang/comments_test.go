package lang

import (
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

// TestCommentsAnywhere puts comments and empty lines between random tokens of
// every test input and checks that formatting keeps them: the result must
// parse to the same tree, format to itself and hold every comment.
func TestCommentsAnywhere(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	fillers := []string{" /* b */ ", "// l\n", "\n\n// l\n", "\n/* x\ny */\n", "\n\n", " /* b */ // l\n"}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		in, _ := section(ar, "in.unum")
		if _, err := Parse("in.unum", in); err != nil {
			continue
		}
		lex, err := unumLexer.LexString("in.unum", string(in))
		if err != nil {
			t.Fatal(err)
		}
		for round := 0; round < 5; round++ {
			var b strings.Builder
			comments := 0
			for tok, err := lex.Next(); ; tok, err = lex.Next() {
				if err != nil {
					t.Fatal(err)
				}
				if tok.EOF() {
					break
				}
				b.WriteString(tok.Value)
				if tok.Type != tokComment && rng.IntN(4) == 0 {
					f := fillers[rng.IntN(len(fillers))]
					comments += strings.Count(f, "/*") + strings.Count(f, "//")
					b.WriteString(f)
				}
			}
			lex, _ = unumLexer.LexString("in.unum", string(in))
			src := b.String()
			f, err := Parse("in.unum", []byte(src))
			if err != nil {
				t.Fatalf("%s: %v\n%s", file, err, src)
			}
			out := Format(f)
			checkRoundTrip(t, []byte(src))
			want := strings.Count(string(in), "/*") + strings.Count(string(in), "//") + comments
			if got := strings.Count(string(out), "/*") + strings.Count(string(out), "//"); got != want {
				t.Errorf("%s: %d comments after formatting, want %d\ninput:\n%s\noutput:\n%s", file, got, want, src, out)
			}
		}
	}
}
