package asl

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ohler55/ojg/jp"

	"github.com/unumc/unumc/internal/ir"
)

// pathError is why a string is not a path.
type pathError string

// parsePath reads a JSONPath-mode path: "$", "$.a.b[0]", "$['odd key']",
// "$$.Map.Item.Value", or any JSONPath such as "$.a[*].b" or
// "$..x[?(@.y > 1)]". For a reference path (fields and indexes only) the
// result's Static holds the steps. A path that begins with "$" and a name,
// such as "$total.count", refers to a workflow variable: variable is its
// name and the result is nil. A malformed path gives a pathError.
func parsePath(text string) (p *ir.JSONPath, variable string, err pathError) {
	if !strings.HasPrefix(text, "$") {
		return nil, "", `a path must begin with "$"`
	}
	p = &ir.JSONPath{Text: text}
	rest := text[1:]
	if strings.HasPrefix(rest, "$") {
		p.Context = true
		rest = rest[1:]
	} else if rest != "" && rest[0] != '.' && rest[0] != '[' {
		n := 0
		for n < len(rest) && isNameByte(rest[n]) {
			n++
		}
		if n == 0 {
			return nil, "", pathError("unexpected " + strconv.QuoteRune(rune(rest[0])) + ` after "$"`)
		}
		if e := balanced(rest[n:]); e != "" {
			return nil, "", e
		}
		return nil, rest[:n], ""
	}
	if e := balanced(rest); e != "" {
		return nil, "", e
	}
	steps, static, e := pathSteps(rest)
	if e != "" {
		return nil, "", e
	}
	if static {
		p.Static = &ir.Path{Steps: steps} // Pos is set with the JSONPath's
	}
	return p, "", ""
}

func isNameByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// balanced checks that brackets and parentheses pair up outside quoted
// strings and that every quoted string ends.
func balanced(s string) pathError {
	var stack []byte
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'', '"':
			j := i + 1
			for j < len(s) && s[j] != c {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(s) {
				return "unterminated quoted name"
			}
			i = j
		case '[', '(':
			stack = append(stack, c)
		case ']', ')':
			open := byte('[')
			if c == ')' {
				open = '('
			}
			if len(stack) == 0 || stack[len(stack)-1] != open {
				return pathError("unbalanced " + strconv.QuoteRune(rune(c)))
			}
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) > 0 {
		return pathError("unclosed " + strconv.QuoteRune(rune(stack[len(stack)-1])))
	}
	return ""
}

// pathSteps reads the steps after "$" (or "$$"). static is false when a
// step needs a JSONPath evaluator: wildcards, deep scans, filters, slices,
// unions, negative indexes and functions.
func pathSteps(s string) (steps []ir.Step, static bool, err pathError) {
	static = true
	for i := 0; i < len(s); {
		switch s[i] {
		case '.':
			i++
			if i < len(s) && s[i] == '.' { // deep scan: "..name", "..*", "..[0]"
				static = false
				i++
				if i == len(s) || s[i] == '.' {
					return nil, false, `".." must be followed by a name or a bracket`
				}
				if s[i] == '[' {
					continue
				}
			} else if i < len(s) && s[i] == '[' { // "$.[0]", as Jayway reads it
				continue
			}
			j := i
			for j < len(s) && s[j] != '.' && s[j] != '[' {
				j++
			}
			name := s[i:j]
			switch {
			case name == "":
				return nil, false, "empty field name"
			case strings.ContainsAny(name, "*()@?,:'\"]"):
				static = false // "*", "length()" and the like
			default:
				steps = append(steps, ir.Step{Field: name})
			}
			i = j
		case '[':
			j := closing(s, i)
			inner := strings.TrimSpace(s[i+1 : j])
			i = j + 1
			if inner == "" {
				return nil, false, "empty brackets"
			}
			if n, ok := index(inner); ok {
				steps = append(steps, ir.Step{Index: n, IsIndex: true})
				continue
			}
			if name, ok := quotedName(inner); ok {
				steps = append(steps, ir.Step{Field: name})
				continue
			}
			static = false
		default:
			return nil, false, pathError("unexpected " + strconv.QuoteRune(rune(s[i])) + `; a step begins with "." or "["`)
		}
	}
	if !static {
		steps = nil
	}
	return steps, static, ""
}

// closing returns the index of the ']' that closes the '[' at s[i]; the
// brackets are known to balance.
func closing(s string, i int) int {
	depth := 0
	for ; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'', '"':
			i++
			for i < len(s) && s[i] != c {
				if s[i] == '\\' {
					i++
				}
				i++
			}
		case '[', '(':
			depth++
		case ']', ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return len(s) - 1
}

// index reads a non-negative array index.
func index(s string) (int, bool) {
	if s == "" || strings.Trim(s, "0123456789") != "" || len(s) > 9 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// quotedName reads a single quoted field name, 'name' or "name", with
// backslash escapes.
func quotedName(s string) (string, bool) {
	if len(s) < 2 || (s[0] != '\'' && s[0] != '"') || s[len(s)-1] != s[0] {
		return "", false
	}
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s)-1; i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s)-1:
			i++
			b.WriteByte(s[i])
		case c == q:
			return "", false // 'a','b': a union
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

// evaluable returns why the generated code could not evaluate a path that
// is not a reference path, or "". Such paths are evaluated at run time by
// rt/states with the JSONPath library github.com/ohler55/ojg/jp, which
// reads less than Step Functions does (no '-' in a name after a dot, no
// ".[", no script expressions, no bare words in filters); the generated
// code compiles them when it starts, so what the library cannot read is
// reported here, as unsupported.
func evaluable(p *ir.JSONPath) (problem string) {
	if p.Static != nil || p.Null {
		return ""
	}
	src := p.Text
	if p.Context {
		src = src[1:]
	}
	defer func() {
		if r := recover(); r != nil {
			problem = fmt.Sprint(r)
		}
	}()
	x, err := jp.ParseString(src)
	switch {
	case err != nil:
		return strings.TrimSuffix(err.Error(), " in "+src)
	case len(x) == 0:
		return "empty path"
	}
	if _, ok := x[0].(jp.Root); !ok {
		return "it does not begin at the root"
	}
	return ""
}
