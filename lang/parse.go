package lang

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/unumc/unumc/internal/diag"
)

// parser is the grammar of a .unum file, built from the struct tags in ast.go.
var parser = participle.MustBuild[File](
	participle.Lexer(unumLexer),
	participle.Elide("Comment", "Whitespace"),
	participle.UseLookahead(0),
	participle.Union[Decl](&WorkflowDecl{}, &ImportDecl{}, &NodeDecl{}, &ChainDecl{}),
	participle.Union[Step](&Ref{}, &Parallel{}, &Map{}, &Choose{}, &Succeed{}, &Fail{}),
)

// Grammar returns the grammar of the language in EBNF.
func Grammar() string { return parser.String() }

// Parse parses a .unum file. Its errors are a diag.List of syntax errors:
// every malformed literal, and the first error in the structure of the file.
// Comments are attached to the lines they document or end, so that Format
// can reproduce them.
func Parse(filename string, src []byte) (*File, error) {
	toks, errs := scan(filename, src)
	if toks == nil {
		return nil, errs.Err()
	}
	peek, err := lexer.Upgrade(&tokenList{toks: toks}, tokComment, tokWhitespace)
	if err != nil {
		errs.Add(diagPos(lexer.Position{Filename: filename}), "%v", err)
		return nil, errs.Err()
	}
	f, err := parser.ParseFromLexer(peek)
	if err != nil {
		errs = append(errs, syntaxError(src, toks, err))
	} else {
		errs = append(errs, unknownOptions(f)...)
	}
	if len(errs) > 0 {
		return nil, errs.Err()
	}
	f.Name = filename
	tidy(f)
	attachComments(f, src, toks)
	return f, nil
}

// scan tokenises src, checking every string and number literal. It returns
// the tokens, or nil when the text cannot be tokenised at all. String
// literals stay quoted (Text unquotes them when they are captured).
func scan(filename string, src []byte) ([]lexer.Token, diag.List) {
	var errs diag.List
	lex, err := unumLexer.LexString(filename, string(src))
	if err != nil {
		errs.Add(diagPos(lexer.Position{Filename: filename, Line: 1, Column: 1}), "%v", err)
		return nil, errs
	}
	toks, err := lexer.ConsumeAll(lex)
	if err != nil {
		var lerr *lexer.Error
		if errors.As(err, &lerr) {
			errs.Add(diagPos(lerr.Pos), "%s", badText(src, lerr.Pos.Offset))
		} else {
			errs.Add(diagPos(lexer.Position{Filename: filename, Line: 1, Column: 1}), "%v", err)
		}
		return nil, errs
	}
	for i := range toks {
		t := &toks[i]
		switch t.Type {
		case tokString:
			if _, err := unquote(t.Value); err != nil {
				errs.Add(diagPos(t.Pos), "invalid string literal %s", t.Value)
				t.Value = `""`
			}
		case tokNumber:
			if _, err := strconv.ParseFloat(t.Value, 64); err != nil {
				errs.Add(diagPos(t.Pos), "number %s is out of range", t.Value)
				t.Value = "0"
			}
		case tokDuration:
			if _, err := time.ParseDuration(t.Value); err != nil {
				errs.Add(diagPos(t.Pos), "invalid duration %s; write a number and a unit: ns, us, ms, s, m or h, as in 500ms or 1m30s", t.Value)
				t.Value = "0s"
			}
		case tokComment:
			if strings.HasPrefix(t.Value, "//") {
				t.Value = strings.TrimRight(t.Value, " \t\r\f\v")
			}
		}
	}
	return toks, errs
}

// badText describes text the lexer could not read at offset.
func badText(src []byte, offset int) string {
	rest := src[offset:]
	switch {
	case len(rest) >= 2 && rest[0] == '/' && rest[1] == '*':
		return "comment not terminated"
	case len(rest) >= 1 && rest[0] == '"':
		return "string literal not terminated"
	}
	r, size := utf8.DecodeRune(rest)
	if r == utf8.RuneError && size <= 1 {
		return "invalid UTF-8 encoding"
	}
	return fmt.Sprintf("invalid character %q", r)
}

// tokenList replays tokens to participle.
type tokenList struct {
	toks []lexer.Token
	i    int
}

func (l *tokenList) Next() (lexer.Token, error) {
	if l.i >= len(l.toks) {
		return l.toks[len(l.toks)-1], nil // the EOF token
	}
	t := l.toks[l.i]
	l.i++
	return t, nil
}

// syntaxError turns a participle error into a readable diagnostic.
func syntaxError(src []byte, toks []lexer.Token, err error) *diag.Error {
	var perr participle.Error
	if !errors.As(err, &perr) {
		return &diag.Error{Msg: err.Error()}
	}
	pos := perr.Position()
	msg := perr.Message()
	var uerr *participle.UnexpectedTokenError
	if errors.As(err, &uerr) {
		pos = uerr.Unexpected.Pos
		msg = unexpected(src, toks, uerr)
	}
	return &diag.Error{Pos: diagPos(pos), Msg: msg}
}

// unexpected words an unexpected-token error: `unexpected "map", expected
// a name`.
func unexpected(src []byte, toks []lexer.Token, u *participle.UnexpectedTokenError) string {
	t := u.Unexpected
	what := "end of file"
	if !t.EOF() {
		what = strconv.Quote(sourceText(src, toks, t))
		if t.Type == tokKeyword {
			what = "keyword " + what
		}
	}
	msg := "unexpected " + what
	m := u.Message()
	if i := strings.LastIndex(m, "(expected "); i >= 0 && strings.HasSuffix(m, ")") {
		msg += ", expected " + describeExpected(m[i+len("(expected "):len(m)-1])
	} else if e := expectedAfter(toks, t); e != "" {
		msg += ", expected " + e
	}
	return msg
}

// expectedAfter says what may follow the token before t where participle
// cannot (a choice that begins with a lookahead): after the "=" of a node
// declaration, or after fail.
func expectedAfter(toks []lexer.Token, t lexer.Token) string {
	i := sort.Search(len(toks), func(i int) bool { return toks[i].Pos.Offset >= t.Pos.Offset }) - 1
	for i >= 0 && (toks[i].Type == tokWhitespace || toks[i].Type == tokComment) {
		i--
	}
	if i < 0 {
		return ""
	}
	switch prev := toks[i]; {
	case prev.Type == tokPunct && prev.Value == "=":
		return `a package name, "lambda", "pass" or "wait"`
	case prev.Type == tokKeyword && prev.Value == "fail":
		return `an error name or "errorpath"`
	}
	return ""
}

// sourceText returns token t as written: tokens are contiguous, so it ends
// where the next one begins.
func sourceText(src []byte, toks []lexer.Token, t lexer.Token) string {
	i := sort.Search(len(toks), func(i int) bool { return toks[i].Pos.Offset >= t.Pos.Offset })
	if i+1 < len(toks) && toks[i].Pos.Offset == t.Pos.Offset {
		return string(src[t.Pos.Offset:toks[i+1].Pos.Offset])
	}
	return t.Value
}

// describeExpected turns participle's expectation, an EBNF fragment such as
// `Ident "=" FuncRef`, into the words that could come next: "a name".
func describeExpected(ebnf string) string {
	var words []string
	seen := map[string]bool{}
	for _, w := range firstWords(ebnf) {
		if w != "" && !seen[w] {
			seen[w] = true
			words = append(words, w)
		}
	}
	switch len(words) {
	case 0:
		return ebnf
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// firstWords describes the first elements of an EBNF fragment.
func firstWords(ebnf string) []string {
	s := strings.TrimSpace(ebnf)
	if s == "" {
		return nil
	}
	var head, rest string
	var out []string
	if s[0] == '(' {
		depth, end := 0, len(s)
	scan:
		for i := 0; i < len(s); i++ {
			switch s[i] {
			case '"':
				for i++; i < len(s) && s[i] != '"'; i++ {
				}
			case '(':
				depth++
			case ')':
				if depth--; depth == 0 {
					end = i
					break scan
				}
			}
		}
		inner := s[1:min(end, len(s))]
		if strings.HasPrefix(inner, "?!") || strings.HasPrefix(inner, "?=") {
			inner = ""
		}
		for _, alt := range splitAlternatives(inner) {
			out = append(out, firstWords(alt)...)
		}
		head, rest = "", s[min(end+1, len(s)):]
	} else {
		end := strings.IndexAny(s, " ?*+")
		if s[0] == '"' {
			end = strings.IndexByte(s[1:], '"') + 2
		}
		if end <= 0 || end > len(s) {
			end = len(s)
		}
		head, rest = s[:end], s[end:]
		out = append(out, describeSymbol(head))
	}
	if rest != "" && (rest[0] == '?' || rest[0] == '*') {
		out = append(out, firstWords(rest[1:])...)
	}
	return out
}

// splitAlternatives splits an EBNF fragment at its top-level "|".
func splitAlternatives(s string) []string {
	var out []string
	depth, from := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			for i++; i < len(s) && s[i] != '"'; i++ {
			}
		case '(':
			depth++
		case ')':
			depth--
		case '|':
			if depth == 0 {
				out = append(out, s[from:i])
				from = i + 1
			}
		}
	}
	return append(out, s[from:])
}

// describeSymbol names a grammar symbol for a reader.
func describeSymbol(sym string) string {
	switch sym {
	case "<ident>", "Ident", "Ref", "Name":
		return "a name"
	case "<field>":
		return "a .field"
	case "<string>", "String":
		return "a string"
	case "JSON", "JSONObject", "JSONArray":
		return "a JSON value"
	case "JSONMember":
		return "a string"
	case "PathValue":
		return "a path string or null"
	case "Pass":
		return `"pass"`
	case "Wait":
		return `"wait"`
	case "PathOption", "TemplateOption":
		return "an option"
	case "<number>", "Number":
		return "a number"
	case "<duration>", "Duration":
		return "a duration"
	case "ErrorName":
		return "an error name"
	case "Timeout":
		return `"timeout"`
	case "After":
		return `"after"`
	case "Retry":
		return `"retry"`
	case "Catch":
		return `"catch"`
	case "Jitter":
		return `"jitter"`
	case "Unknown", "UnknownClause", "Skipped", "TypedCompare":
		return ""
	case "<op>":
		return "a comparison operator"
	case "Decl":
		return "a declaration"
	case "FuncRef":
		return "a package name"
	case "<punct>":
		return "punctuation"
	case "Chain", "Step":
		return "a step"
	case "Cond", "Conj", "Term":
		return "a condition"
	case "Path", "PathStep", "Test":
		return "a path"
	case "Operand":
		return "a value"
	case "Case":
		return `"when"`
	case "Else":
		return `"else"`
	}
	return sym
}

// optionWords are the words that start an option, then those that start a
// clause of a retry.
var optionWords = []string{
	"inputpath", "parameters", "result", "resultselector", "resultpath", "outputpath", "assign", "timeout", "retry", "catch",
	"every", "max", "backoff", "maxdelay", "jitter",
}

// retryClauses is where the clauses of a retry begin in optionWords.
const retryClauses = 10

// unknownOptions reports the words in option blocks that start no option:
// unknown option "timout" (did you mean "timeout"?).
func unknownOptions(f *File) diag.List {
	var errs diag.List
	report := func(pos lexer.Position, name string) {
		for _, w := range optionWords[retryClauses:] {
			if name == w {
				errs.Add(diagPos(pos), "%q is a clause of retry and must follow its error names", name)
				return
			}
		}
		errs.Add(diagPos(pos), "unknown option %q%s", name, diag.Suggest(name, optionWords))
	}
	for _, d := range f.Decls {
		n, ok := d.(*NodeDecl)
		if !ok {
			continue
		}
		for _, u := range n.Unknown {
			report(u.Pos, u.Name)
		}
		for _, r := range n.Retries {
			for _, u := range r.Unknown {
				report(u.Pos, u.Name)
			}
		}
	}
	return errs
}

func diagPos(p lexer.Position) diag.Pos {
	return diag.Pos{File: p.Filename, Line: p.Line, Col: p.Column}
}

// tidy finishes what the grammar cannot express: it drops the dots that the
// lexer keeps on .field tokens, removes redundant parentheses from
// conditions and drops empty causes, so that equal meaning gives equal trees.
func tidy(f *File) {
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *NodeDecl:
			if f := funcOf(d); f != nil {
				f.Name = strings.TrimPrefix(f.Name, ".")
			}
			// The order Format prints them in.
			sort.SliceStable(d.Paths, func(i, j int) bool { return optionRank[d.Paths[i].Kind] < optionRank[d.Paths[j].Kind] })
			sort.SliceStable(d.Templates, func(i, j int) bool {
				return optionRank[d.Templates[i].Kind] < optionRank[d.Templates[j].Kind]
			})
			for _, c := range d.Catches {
				if c.Into != nil {
					tidyPath(c.Into)
				}
			}
		case *ChainDecl:
			tidyChain(d.Chain)
		}
	}
}

func tidyChain(c *Chain) {
	for _, s := range c.Steps {
		switch s := s.(type) {
		case *Fail:
			if s.Cause != nil && s.Cause.Value == "" {
				s.Cause = nil // an empty cause is no cause
			}
		case *Parallel:
			for _, b := range s.Branches {
				tidyChain(b)
			}
		case *Map:
			tidyPath(s.Items)
			tidyChain(s.Body)
		case *Choose:
			for _, cs := range s.Cases {
				tidyCond(cs.Cond)
				tidyChain(cs.Chain)
			}
			if s.Else != nil {
				tidyChain(s.Else.Chain)
			}
		}
	}
}

func tidyPath(p *Path) {
	for _, s := range p.Steps {
		s.Field = strings.TrimPrefix(s.Field, ".")
	}
}

// tidyCond flattens c: a disjunct that is a parenthesised condition is
// replaced by that condition's disjuncts.
func tidyCond(c *Cond) {
	var or []*Conj
	for _, j := range c.Or {
		tidyConj(j)
		if len(j.And) == 1 && j.And[0].Group != nil {
			or = append(or, j.And[0].Group.Or...)
			continue
		}
		or = append(or, j)
	}
	c.Or = or
}

// tidyConj flattens j: a term that is a parenthesised conjunction is replaced
// by its terms.
func tidyConj(j *Conj) {
	var and []*Term
	for _, t := range j.And {
		tidyTerm(t)
		if t.Group != nil && len(t.Group.Or) == 1 {
			and = append(and, t.Group.Or[0].And...)
			continue
		}
		and = append(and, t)
	}
	j.And = and
}

// tidyTerm removes parentheses around a single term.
func tidyTerm(t *Term) {
	switch {
	case t.Not != nil:
		tidyTerm(t.Not)
	case t.Group != nil:
		tidyCond(t.Group)
		if len(t.Group.Or) == 1 && len(t.Group.Or[0].And) == 1 {
			*t = *t.Group.Or[0].And[0]
		}
	case t.Has != nil:
		tidyPath(t.Has)
	case t.Test != nil:
		tidyPath(t.Test.Path)
		if v := t.Test.Value; v != nil && v.Path != nil {
			tidyPath(v.Path)
		}
		if x := t.Test.Typed; x != nil && x.Value.Path != nil {
			tidyPath(x.Value.Path)
		}
	}
}
