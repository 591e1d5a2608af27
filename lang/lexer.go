package lang

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
)

// keywords are the reserved words of the language; none of them can name a
// node, a package alias or the workflow.
var keywords = []string{
	"workflow", "import", "node", "start", "parallel", "map", "limit", "choose", "when", "else",
	"succeed", "fail", "and", "or", "not", "has", "is", "matches", "true", "false", "null",
}

// unumLexer tokenises .unum source. The rules are tried in order, so keywords
// win over identifiers, numbers over fields and "->" over a negative number.
var unumLexer = lexer.MustSimple([]lexer.SimpleRule{
	{Name: "Comment", Pattern: `//[^\n]*|/\*([^*]|\*+[^*/])*\*+/`},
	{Name: "Whitespace", Pattern: `[ \t\r\n\f\v]+`},
	{Name: "String", Pattern: `"(\\.|[^"\\\n])*"`},
	{Name: "Arrow", Pattern: `->`},
	// A number with a unit is a duration; scan checks it with
	// time.ParseDuration, so "10sec" or "1d" is one bad token, not a number
	// and a name. (A unit cannot start with e or E: 1e5 is a number.)
	{Name: "Duration", Pattern: `-?[0-9]+(\.[0-9]+)?[a-df-zA-DF-Zµμ][0-9A-Za-z_.µμ]*`},
	{Name: "Number", Pattern: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`},
	{Name: "Field", Pattern: `\.[A-Za-z_][A-Za-z0-9_]*`},
	{Name: "Var", Pattern: `\$[A-Za-z_][A-Za-z0-9_]*`},
	{Name: "Keyword", Pattern: `(` + strings.Join(keywords, "|") + `)\b`},
	{Name: "Ident", Pattern: `[A-Za-z_][A-Za-z0-9_]*`},
	{Name: "Op", Pattern: `==|!=|<=|>=|<|>`},
	{Name: "Punct", Pattern: `[.,:=(){}\[\]]`},
})

// isKeyword reports whether s is reserved.
func isKeyword(s string) bool {
	for _, k := range keywords {
		if s == k {
			return true
		}
	}
	return false
}

// isIdent reports whether s is an identifier that is not a keyword.
func isIdent(s string) bool {
	if s == "" || isKeyword(s) {
		return false
	}
	for i, r := range s {
		if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9' {
			continue
		}
		return false
	}
	return true
}

// needsQuotes reports whether a node, workflow or error name must be written
// as a string: it is not a plain name, or it is a keyword.
func needsQuotes(s string) bool { return !isIdent(s) }

// unquote reads a string literal: a Go string, or a JSON string (which may
// escape "/" and write a character outside the BMP as a surrogate pair).
func unquote(s string) (string, error) {
	u, err := strconv.Unquote(s)
	if err == nil {
		return u, nil
	}
	if json.Unmarshal([]byte(s), &u) == nil {
		return u, nil
	}
	return "", err
}

// Token types of unumLexer.
var (
	tokComment    = unumLexer.Symbols()["Comment"]
	tokWhitespace = unumLexer.Symbols()["Whitespace"]
	tokString     = unumLexer.Symbols()["String"]
	tokNumber     = unumLexer.Symbols()["Number"]
	tokDuration   = unumLexer.Symbols()["Duration"]
	tokPunct      = unumLexer.Symbols()["Punct"]
	tokKeyword    = unumLexer.Symbols()["Keyword"]
)
