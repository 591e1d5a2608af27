package ir

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/unumc/unumc/internal/diag"
)

// The text forms of Step Functions paths and intrinsic calls are the same in
// both front ends (a .unum option block writes them as strings), so they are
// parsed here, once.

// ParseJSONPath parses a path as Step Functions writes it (see ParsePath)
// and gives it pos. ref requires a reference path (fields and indexes only).
func ParseJSONPath(text string, pos diag.Pos, ref bool) (*JSONPath, error) {
	p, err := ParsePath(text)
	switch {
	case err != "":
		return nil, fmt.Errorf("invalid path %q: %s", text, err)
	case ref && p.Static == nil:
		return nil, fmt.Errorf("%q must be a reference path: fields and indexes only, such as $.a.b[0]", text)
	}
	p.Pos = pos
	if p.Static != nil {
		p.Static.Pos = pos
	}
	return p, nil
}

// Two idioms of Jayway JsonPath, the library Step Functions evaluates
// JSONPath with, that the runtime's library does not read: the script index
// [(@.length-N)], which is the negative index [-N], and a bare word compared
// in a filter, [?(@.k == Word)], which is the string 'Word'.
var (
	lengthIndex = regexp.MustCompile(`\[\(\s*@\.length\s*-\s*(\d+)\s*\)\]`)
	bareWord    = regexp.MustCompile(`(==|!=)\s*([A-Za-z_][A-Za-z0-9_]*)(\s*(?:\)|&&|\|\|))`)
)

func jaywayIdioms(text string) string {
	if !strings.Contains(text, "(") {
		return text
	}
	text = lengthIndex.ReplaceAllString(text, "[-$1]")
	return bareWord.ReplaceAllStringFunc(text, func(m string) string {
		sub := bareWord.FindStringSubmatch(m)
		switch sub[2] {
		case "true", "false", "null":
			return m
		}
		return sub[1] + " '" + sub[2] + "'" + sub[3]
	})
}

// ParseComputed parses the string value of a computed template field (a
// "name.$" field in Step Functions): a path, or an intrinsic call.
func ParseComputed(text string, pos diag.Pos) (Expr, error) {
	if IsIntrinsic(text) {
		call, problems := ParseIntrinsic(text, pos)
		if call == nil {
			return nil, fmt.Errorf("%s", strings.Join(problems, "; "))
		}
		return call, nil
	}
	if !strings.HasPrefix(text, "$") {
		return nil, fmt.Errorf("%q is neither a path nor an intrinsic function call", text)
	}
	p, err := ParseJSONPath(text, pos, false)
	if err != nil {
		return nil, err
	}
	return &Select{Path: *p, Pos: pos}, nil
}

// ParsePath reads a JSONPath-mode path: "$", "$.a.b[0]", "$['odd key']",
// "$$.Map.Item.Value", or any JSONPath such as "$.a[*].b" or
// "$..x[?(@.y > 1)]". For a reference path (fields and indexes only) the
// result's Static holds the steps. A path that begins with "$" and a name,
// such as "$total.count", selects in a workflow variable: Var is its name,
// and the rest of the path applies to its value. A malformed path gives a
// string. Two Jayway idioms are rewritten first (see jaywayIdioms), so Text
// may differ from text.
func ParsePath(text string) (p *JSONPath, err string) {
	if !strings.HasPrefix(text, "$") {
		return nil, `a path must begin with "$"`
	}
	text = jaywayIdioms(text)
	p = &JSONPath{Text: text}
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
			return nil, "unexpected " + strconv.QuoteRune(rune(rest[0])) + ` after "$"`
		}
		p.Var, rest = rest[:n], rest[n:]
		if p.Var == "states" {
			return nil, `"$states" is JSONata's reserved variable; a JSONPath state cannot read it`
		}
	}
	if e := balanced(rest); e != "" {
		return nil, e
	}
	steps, static, e := pathSteps(rest)
	if e != "" {
		return nil, e
	}
	if static {
		p.Static = &Path{Steps: steps, Var: p.Var} // Pos is set with the JSONPath's
	}
	return p, ""
}

func isNameByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// balanced checks that brackets and parentheses pair up outside quoted
// strings and that every quoted string ends.
func balanced(s string) string {
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
				return ("unbalanced " + strconv.QuoteRune(rune(c)))
			}
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) > 0 {
		return ("unclosed " + strconv.QuoteRune(rune(stack[len(stack)-1])))
	}
	return ""
}

// pathSteps reads the steps after "$" (or "$$"). static is false when a
// step needs a JSONPath evaluator: wildcards, deep scans, filters, slices,
// unions, negative indexes and functions.
func pathSteps(s string) (steps []Step, static bool, err string) {
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
				steps = append(steps, Step{Field: name})
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
				steps = append(steps, Step{Index: n, IsIndex: true})
				continue
			}
			if name, ok := quotedName(inner); ok {
				steps = append(steps, Step{Field: name})
				continue
			}
			static = false
		default:
			return nil, false, ("unexpected " + strconv.QuoteRune(rune(s[i])) + `; a step begins with "." or "["`)
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

// IsIntrinsic reports whether s looks like a call of an intrinsic function.
func IsIntrinsic(s string) bool {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "States.") {
		return false
	}
	i := strings.IndexByte(s, '(')
	return i > len("States.") && strings.TrimRight(s[len("States."):i], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ") == ""
}

// intrinsicParser reads one intrinsic call such as
// States.Format('{} and {}', $.a, States.UUID()). Every expression it makes
// has the position of the string it reads.
type intrinsicParser struct {
	s   string
	i   int
	pos diag.Pos
	// problems found, each a message; unsupported ones begin "unsupported: ".
	problems []string
}

func (p *intrinsicParser) fail(format string, args ...any) {
	p.problems = append(p.problems, fmt.Sprintf(format, args...))
}

// ParseIntrinsic parses s as an intrinsic call. It returns nil and the
// problems when s is not one; a problem that is a feature unumc lacks (a
// workflow variable) begins "unsupported: ".
func ParseIntrinsic(s string, pos diag.Pos) (*Intrinsic, []string) {
	p := &intrinsicParser{s: s, pos: pos}
	p.space()
	call := p.call(0)
	if call != nil {
		p.space()
		if p.i < len(p.s) {
			p.fail("unexpected %q after the intrinsic function call", p.s[p.i:])
		}
	}
	if len(p.problems) > 0 {
		return nil, p.problems
	}
	return call, nil
}

func (p *intrinsicParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

// maxIntrinsicDepth bounds the nesting of calls.
const maxIntrinsicDepth = 64

func (p *intrinsicParser) call(depth int) *Intrinsic {
	if depth > maxIntrinsicDepth {
		p.fail("intrinsic function calls are nested too deeply")
		return nil
	}
	start := p.i
	for p.i < len(p.s) && (isNameByte(p.s[p.i]) || p.s[p.i] == '.') {
		p.i++
	}
	name := p.s[start:p.i]
	if p.i >= len(p.s) || p.s[p.i] != '(' {
		p.fail("expected %q after %q", "(", name)
		return nil
	}
	p.i++
	limits, known := Intrinsics[name]
	if !known {
		p.fail("unknown intrinsic function %q%s", name, diag.Suggest(name, intrinsicNames()))
	}
	call := &Intrinsic{Name: name, Pos: p.pos}
	p.space()
	if p.i < len(p.s) && p.s[p.i] == ')' {
		p.i++
	} else {
		for {
			p.space()
			arg := p.arg(depth, name == "States.Format" && len(call.Args) == 0)
			if arg == nil {
				return nil
			}
			call.Args = append(call.Args, arg)
			p.space()
			if p.i >= len(p.s) {
				p.fail("missing %q at the end of the call of %s", ")", name)
				return nil
			}
			if p.s[p.i] == ')' {
				p.i++
				break
			}
			if p.s[p.i] != ',' {
				p.fail("unexpected %q in the arguments of %s", p.s[p.i:p.i+1], name)
				return nil
			}
			p.i++
		}
	}
	if known {
		n := len(call.Args)
		switch {
		case limits.Min == limits.Max && n != limits.Min:
			p.fail("%s takes %s, not %d", name, plural(limits.Min, "argument"), n)
		case n < limits.Min:
			p.fail("%s takes at least %s, not %d", name, plural(limits.Min, "argument"), n)
		case limits.Max >= 0 && n > limits.Max:
			p.fail("%s takes at most %s, not %d", name, plural(limits.Max, "argument"), n)
		default:
			p.checkArgs(call)
		}
	}
	return call
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// arg reads one argument. raw keeps a string's text as written between the
// quotes, escapes and all (the template of States.Format, where "\{" must
// stay distinguishable from a "{}" placeholder).
func (p *intrinsicParser) arg(depth int, raw bool) Expr {
	if p.i >= len(p.s) {
		p.fail("missing an argument at the end of the intrinsic function call")
		return nil
	}
	switch c := p.s[p.i]; {
	case c == '\'':
		return p.str(raw)
	case c == '$':
		return p.path()
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	case strings.HasPrefix(p.s[p.i:], "States."):
		return p.call(depth + 1)
	default:
		for _, w := range []struct {
			word string
			v    any
		}{{"true", true}, {"false", false}, {"null", nil}} {
			if strings.HasPrefix(p.s[p.i:], w.word) && (p.i+len(w.word) == len(p.s) || !isNameByte(p.s[p.i+len(w.word)])) {
				p.i += len(w.word)
				return &Literal{Value: w.v, Pos: p.pos}
			}
		}
	}
	end := p.i
	for end < len(p.s) && p.s[end] != ',' && p.s[end] != ')' {
		end++
	}
	p.fail("invalid argument %q: an argument is a 'string', a number, true, false, null, a path or an intrinsic function call", strings.TrimSpace(p.s[p.i:end]))
	return nil
}

func (p *intrinsicParser) str(raw bool) Expr {
	p.i++ // the opening quote
	start := p.i
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch c {
		case '\'':
			text := b.String()
			if raw {
				text = p.s[start:p.i]
			}
			p.i++
			return &Literal{Value: text, Pos: p.pos}
		case '\\':
			if p.i+1 >= len(p.s) {
				p.i++
				continue
			}
			// \' \{ \} and \\ are escapes; a backslash before anything
			// else is itself, as rt/states reads it.
			if e := p.s[p.i+1]; strings.IndexByte(`'{}\`, e) >= 0 {
				b.WriteByte(e)
			} else {
				b.WriteString(p.s[p.i : p.i+2])
			}
			p.i += 2
			continue
		}
		b.WriteByte(c)
		p.i++
	}
	p.fail("unterminated string in an intrinsic function call")
	return nil
}

func (p *intrinsicParser) number() Expr {
	start := p.i
	for p.i < len(p.s) && strings.IndexByte("+-0123456789.eE", p.s[p.i]) >= 0 {
		p.i++
	}
	text := p.s[start:p.i]
	var n json.Number
	if err := json.Unmarshal([]byte(text), &n); err != nil {
		p.fail("invalid number %q in an intrinsic function call", text)
		return nil
	}
	return &Literal{Value: json.Number(text), Pos: p.pos}
}

func (p *intrinsicParser) path() Expr {
	start := p.i
	depth := 0
	for p.i < len(p.s) {
		c := p.s[p.i]
		if depth == 0 && (c == ',' || c == ')') {
			break
		}
		switch c {
		case '\'', '"':
			p.i++
			for p.i < len(p.s) && p.s[p.i] != c {
				if p.s[p.i] == '\\' {
					p.i++
				}
				p.i++
			}
		case '[', '(':
			depth++
		case ']', ')':
			depth--
		}
		p.i++
	}
	p.i = min(p.i, len(p.s))
	text := strings.TrimSpace(p.s[start:p.i])
	jp, err := ParsePath(text)
	if err != "" {
		p.fail("invalid path %q: %s", text, err)
		return nil
	}
	jp.Pos = p.pos
	if jp.Static != nil {
		jp.Static.Pos = p.pos
	}
	return &Select{Path: *jp, Pos: p.pos}
}

// argKinds gives the JSON kinds the arguments of an intrinsic may have
// when written as literals: "n" number, "s" string, "b" boolean, "a" array
// or object (never a literal), "*" anything; the last letter repeats.
var argKinds = map[string]string{
	"States.Format":         "s*",
	"States.StringToJson":   "s",
	"States.JsonToString":   "*",
	"States.Array":          "*",
	"States.ArrayPartition": "an",
	"States.ArrayContains":  "a*",
	"States.ArrayRange":     "nnn",
	"States.ArrayGetItem":   "an",
	"States.ArrayLength":    "a",
	"States.ArrayUnique":    "a",
	"States.Base64Encode":   "s",
	"States.Base64Decode":   "s",
	"States.Hash":           "*s",
	"States.JsonMerge":      "aab",
	"States.MathRandom":     "nnn",
	"States.MathAdd":        "nn",
	"States.StringSplit":    "ss",
	"States.UUID":           "",
}

// hashAlgorithms are the algorithms States.Hash knows.
var hashAlgorithms = []string{"MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"}

// checkArgs checks the literal arguments of a call against the types the
// function takes; paths and nested calls are checked at run time.
func (p *intrinsicParser) checkArgs(call *Intrinsic) {
	kinds := argKinds[call.Name]
	for i, a := range call.Args {
		lit, ok := a.(*Literal)
		if !ok || kinds == "" {
			continue
		}
		want := kinds[min(i, len(kinds)-1)]
		var got string
		switch lit.Value.(type) {
		case nil:
			got = "null"
		case bool:
			got = "a boolean"
		case json.Number:
			got = "a number"
		case string:
			got = "a string"
		}
		bad := false
		switch want {
		case 'n':
			bad = got != "a number"
		case 's':
			bad = got != "a string"
		case 'b':
			bad = got != "a boolean"
		case 'a':
			bad = true
		}
		if bad {
			what := map[byte]string{'n': "a number", 's': "a string", 'b': "a boolean", 'a': "an array or object (a path or a call)"}[want]
			p.fail("argument %d of %s must be %s, not %s", i+1, call.Name, what, got)
			continue
		}
		if call.Name == "States.Hash" && i == 1 {
			alg, _ := lit.Value.(string)
			found := false
			for _, h := range hashAlgorithms {
				found = found || h == alg
			}
			if !found {
				p.fail("unknown hash algorithm %q: States.Hash takes %s", alg, strings.Join(hashAlgorithms, ", "))
			}
		}
	}
}

func intrinsicNames() []string {
	names := make([]string, 0, len(Intrinsics))
	for n := range Intrinsics {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
