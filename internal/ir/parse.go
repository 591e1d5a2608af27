package ir

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/unumc/unumc/internal/diag"
)

// The text forms of Step Functions paths and intrinsic calls are the same in
// both front ends (a .unum option block writes them as strings), so they are
// parsed here, once.

// ParseJSONPath parses a path as Step Functions writes it: "$", "$.a.b[0]",
// "$['odd key']", "$$.Map.Item.Value", or any JSONPath beyond reference
// paths ("$..a", "$.a[*]", "$.a[?(@.n > 1)]", "$.a[0:2]"), whose Static is
// nil. ref requires a reference path (fields and indexes only).
func ParseJSONPath(text string, pos diag.Pos, ref bool) (*JSONPath, error) {
	p := &JSONPath{Text: text, Pos: pos}
	rest, ok := strings.CutPrefix(text, "$")
	if !ok {
		return nil, fmt.Errorf("%q is not a path: a path begins with \"$\"", text)
	}
	if r, ok := strings.CutPrefix(rest, "$"); ok {
		p.Context, rest = true, r
	}
	steps, static, err := pathSteps(rest)
	if err != nil {
		return nil, fmt.Errorf("path %q: %v", text, err)
	}
	if static {
		p.Static = &Path{Steps: steps, Pos: pos}
	} else if ref {
		return nil, fmt.Errorf("%q is not a reference path: only fields and indexes may follow \"$\"", text)
	}
	return p, nil
}

// pathSteps reads the steps after "$" or "$$". static is false when a step
// is more than a field or an index; the rest is then only checked for
// balanced brackets and quotes.
func pathSteps(s string) (steps []Step, static bool, err error) {
	static = true
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case strings.HasPrefix(s[i:], ".."):
			static = false
			i += 2
			j := i
			for j < len(s) && (isNameByte(s[j]) || s[j] == '*') {
				j++
			}
			i = j
		case c == '.' && i+1 < len(s) && s[i+1] == '[':
			i++ // "$.[0]" is "$[0]", as Jayway reads it
		case c == '.':
			j := i + 1
			if j < len(s) && s[j] == '*' {
				static = false
				i = j + 1
				continue
			}
			for j < len(s) && isNameByte(s[j]) {
				j++
			}
			if j == i+1 {
				return nil, false, fmt.Errorf("no field name after '.' at %d", i)
			}
			if static {
				steps = append(steps, Step{Field: s[i+1 : j]})
			}
			i = j
		case c == '[':
			end, step, simple, err := bracket(s, i)
			if err != nil {
				return nil, false, err
			}
			if !simple {
				static = false
			} else if static {
				steps = append(steps, step)
			}
			i = end
		default:
			return nil, false, fmt.Errorf("unexpected %q at %d", c, i)
		}
	}
	if !static {
		steps = nil
	}
	return steps, static, nil
}

// isNameByte accepts the characters of a field written after a dot. Step
// Functions allows much of Unicode there; any byte that is not JSONPath
// punctuation is taken.
func isNameByte(c byte) bool {
	switch c {
	case '.', '[', ']', '(', ')', '\'', '"', ' ', '\t', '\n', ',', '*', '?', '@', '=', '<', '>', '!', '&', '|':
		return false
	}
	return true
}

// bracket reads the bracket step starting at s[i] == '['. A quoted field or
// a non-negative integer is simple; anything else (wildcard, slice, union,
// filter) is only checked for balance.
func bracket(s string, i int) (end int, step Step, simple bool, err error) {
	depth, quote := 0, byte(0)
	for j := i; j < len(s); j++ {
		c := s[j]
		switch {
		case quote != 0:
			if c == '\\' {
				j++
			} else if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '[' || c == '(':
			depth++
		case c == ']' || c == ')':
			depth--
			if depth == 0 {
				if c != ']' {
					return 0, Step{}, false, fmt.Errorf("unbalanced brackets at %d", j)
				}
				inner := strings.TrimSpace(s[i+1 : j])
				step, simple = simpleStep(inner)
				return j + 1, step, simple, nil
			}
		}
	}
	return 0, Step{}, false, fmt.Errorf("unclosed '[' at %d", i)
}

func simpleStep(inner string) (Step, bool) {
	if n, err := strconv.Atoi(inner); err == nil && n >= 0 && !strings.HasPrefix(inner, "+") {
		return Step{Index: n, IsIndex: true}, true
	}
	if len(inner) >= 2 && (inner[0] == '\'' || inner[0] == '"') && inner[len(inner)-1] == inner[0] {
		body := inner[1 : len(inner)-1]
		if strings.ContainsAny(body, "'\"") && !strings.Contains(body, "\\") {
			return Step{}, false // a union such as 'a','b'
		}
		return Step{Field: strings.NewReplacer(`\'`, `'`, `\"`, `"`, `\\`, `\`).Replace(body)}, true
	}
	return Step{}, false
}

// ParseComputed parses the string value of a computed template field (a
// "name.$" field in Step Functions): a path, or an intrinsic call.
func ParseComputed(text string, pos diag.Pos) (Expr, error) {
	if strings.HasPrefix(text, "States.") {
		return ParseIntrinsic(text, pos)
	}
	p, err := ParseJSONPath(text, pos, false)
	if err != nil {
		return nil, fmt.Errorf("%q is neither a path nor an intrinsic function call", text)
	}
	return &Select{Path: *p, Pos: pos}, nil
}

// ParseIntrinsic parses an intrinsic function call such as
// States.Format('{} and {}', $.a, States.UUID()). String arguments are
// single-quoted with \' \{ \} \\ escapes; they are unescaped, except the
// template of States.Format, kept as written so that an escaped brace stays
// distinguishable from a placeholder.
func ParseIntrinsic(text string, pos diag.Pos) (*Intrinsic, error) {
	ip := &intrinsicParser{s: text, pos: pos}
	e, err := ip.call()
	if err == nil {
		ip.space()
		if ip.i < len(ip.s) {
			err = fmt.Errorf("unexpected %q after the call", ip.s[ip.i:])
		}
	}
	if err != nil {
		return nil, fmt.Errorf("intrinsic function %q: %v", text, err)
	}
	return e, nil
}

type intrinsicParser struct {
	s   string
	i   int
	pos diag.Pos
}

func (p *intrinsicParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *intrinsicParser) call() (*Intrinsic, error) {
	p.space()
	start := p.i
	for p.i < len(p.s) && (isNameByte(p.s[p.i]) || p.s[p.i] == '.') && p.s[p.i] != '(' {
		p.i++
	}
	name := p.s[start:p.i]
	limits, ok := Intrinsics[name]
	if !ok {
		msg := fmt.Sprintf("unknown function %q", name)
		var names []string
		for n := range Intrinsics {
			names = append(names, n)
		}
		msg += diag.Suggest(name, names)
		return nil, fmt.Errorf("%s", msg)
	}
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != '(' {
		return nil, fmt.Errorf("expected '(' after %s", name)
	}
	p.i++
	e := &Intrinsic{Name: name, Pos: p.pos}
	p.space()
	if p.i < len(p.s) && p.s[p.i] == ')' {
		p.i++
	} else {
		for {
			arg, err := p.arg(name == "States.Format" && len(e.Args) == 0)
			if err != nil {
				return nil, err
			}
			e.Args = append(e.Args, arg)
			p.space()
			if p.i >= len(p.s) {
				return nil, fmt.Errorf("missing ')'")
			}
			if p.s[p.i] == ')' {
				p.i++
				break
			}
			if p.s[p.i] != ',' {
				return nil, fmt.Errorf("expected ',' or ')' at %q", p.s[p.i:])
			}
			p.i++
		}
	}
	n := len(e.Args)
	if n < limits.Min || limits.Max >= 0 && n > limits.Max {
		want := strconv.Itoa(limits.Min)
		switch {
		case limits.Max < 0:
			want = "at least " + want
		case limits.Max != limits.Min:
			want += " to " + strconv.Itoa(limits.Max)
		}
		return nil, fmt.Errorf("%s takes %s arguments, not %d", name, want, n)
	}
	return e, nil
}

func (p *intrinsicParser) arg(raw bool) (Expr, error) {
	p.space()
	if p.i >= len(p.s) {
		return nil, fmt.Errorf("missing argument")
	}
	switch c := p.s[p.i]; {
	case c == '\'':
		return p.str(raw)
	case c == '$':
		start := p.i
		depth, quote := 0, byte(0)
		for ; p.i < len(p.s); p.i++ {
			c := p.s[p.i]
			if quote != 0 {
				if c == '\\' {
					p.i++
				} else if c == quote {
					quote = 0
				}
				continue
			}
			if c == '\'' || c == '"' {
				quote = c
			} else if c == '[' || c == '(' {
				depth++
			} else if c == ']' || c == ')' {
				if depth == 0 {
					break
				}
				depth--
			} else if depth == 0 && (c == ',' || c == ' ') {
				break
			}
		}
		jp, err := ParseJSONPath(p.s[start:p.i], p.pos, false)
		if err != nil {
			return nil, err
		}
		return &Select{Path: *jp, Pos: p.pos}, nil
	case strings.HasPrefix(p.s[p.i:], "States."):
		return p.call()
	default:
		start := p.i
		for p.i < len(p.s) && p.s[p.i] != ',' && p.s[p.i] != ')' && p.s[p.i] != ' ' {
			p.i++
		}
		word := p.s[start:p.i]
		switch word {
		case "true":
			return &Literal{Value: true, Pos: p.pos}, nil
		case "false":
			return &Literal{Value: false, Pos: p.pos}, nil
		case "null":
			return &Literal{Value: nil, Pos: p.pos}, nil
		}
		var n json.Number
		if err := json.Unmarshal([]byte(word), &n); err != nil || word == "" {
			return nil, fmt.Errorf("argument %q is not a string, number, boolean, null, path or call", word)
		}
		return &Literal{Value: n, Pos: p.pos}, nil
	}
}

// str reads a single-quoted string argument.
func (p *intrinsicParser) str(raw bool) (Expr, error) {
	p.i++ // the quote
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch c {
		case '\\':
			if p.i+1 >= len(p.s) {
				return nil, fmt.Errorf("unterminated string")
			}
			next := p.s[p.i+1]
			if raw {
				b.WriteByte(c)
			}
			b.WriteByte(next)
			p.i += 2
			continue
		case '\'':
			p.i++
			return &Literal{Value: b.String(), Pos: p.pos}, nil
		}
		b.WriteByte(c)
		p.i++
	}
	return nil, fmt.Errorf("unterminated string")
}
