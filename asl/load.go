package asl

import (
	"errors"
	"path"
	"strings"
	"unicode"

	"github.com/unumc/unumc/internal/diag"
	"github.com/unumc/unumc/internal/ir"
)

// Options configure the importer.
type Options struct {
	// Name is the workflow's name; "" derives it from the file name: the base
	// name without .asl.json or .json, every character that cannot be in an
	// identifier replaced by '_', and a 'w' before a leading digit.
	Name string
	// Bind maps the name N of a Lambda function, as a Task's Resource names
	// it, to the Go function the node calls. nil binds N to
	// &ir.Func{Import: "functions/" + N, Name: "Handle"}.
	Bind func(name string, pos diag.Pos) (*ir.Func, error)
}

// Load decodes, validates and lowers an Amazon States Language definition,
// then checks the workflow (ir.Check). The error, if any, is a sorted
// diag.List holding every problem of the first phase that found one.
func Load(filename string, src []byte, opts Options) (*ir.Workflow, error) {
	root, errs := decode(filename, src)
	if len(errs) > 0 {
		return nil, errs.Err()
	}
	l := newLoader(filename, root, opts)
	l.load()
	l.summarize()
	if len(l.errs) > 0 {
		return nil, l.errs.Err()
	}
	if errs := ir.Check(l.w); len(errs) > 0 {
		return nil, l.checkErrors(errs).Err()
	}
	return l.w, nil
}

// checkErrors puts the JSON location of the state a node comes from before
// each of ir.Check's diagnostics. A loop with no way out is valid ASL (it
// runs until the execution times out) that the IR rejects: unsupported.
func (l *loader) checkErrors(errs diag.List) diag.List {
	locs := map[diag.Pos]string{}
	for _, s := range l.order {
		locs[s.pos] = s.loc.String()
	}
	out := make(diag.List, 0, len(errs))
	for _, e := range errs {
		msg := e.Msg
		if strings.HasPrefix(msg, "loop through ") && strings.HasSuffix(msg, " has no exit") {
			msg = unsupportedPrefix + msg + ": it runs until the execution times out"
		}
		if loc := locs[e.Pos]; loc != "" {
			msg = loc + ": " + msg
		}
		out = append(out, &diag.Error{Pos: e.Pos, Msg: msg})
	}
	return out
}

// unsupportedPrefix begins the message of every diagnostic about valid ASL
// that unumc cannot compile yet.
const unsupportedPrefix = "unsupported: "

// Unsupported reports whether err is a diag.List of only "unsupported: ..."
// diagnostics: the definition is valid ASL that unumc cannot compile yet.
func Unsupported(err error) bool {
	var list diag.List
	if !errors.As(err, &list) || len(list) == 0 {
		return false
	}
	for _, e := range list {
		if !isUnsupported(e.Msg) {
			return false
		}
	}
	return true
}

// isUnsupported reports whether a message, "location: message", is about
// something unsupported.
func isUnsupported(msg string) bool {
	return strings.HasPrefix(msg, unsupportedPrefix) || strings.Contains(msg, ": "+unsupportedPrefix)
}

// defaultName turns a file name into a workflow name, as package lang does:
// the base name without extension, every character that cannot be in an
// identifier replaced.
func defaultName(filename string) string {
	base := path.Base(strings.ReplaceAll(filename, `\`, "/"))
	switch {
	case strings.HasSuffix(base, ".asl.json"):
		base = strings.TrimSuffix(base, ".asl.json")
	default:
		base = strings.TrimSuffix(base, path.Ext(base))
	}
	var b strings.Builder
	for _, r := range base {
		if r == '_' || r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	s := b.String()
	if strings.Trim(s, "_") == "" {
		return "workflow"
	}
	if s[0] >= '0' && s[0] <= '9' {
		s = "w" + s
	}
	return s
}

// defaultBind binds a Lambda function to functions/N.Handle.
func defaultBind(name string, pos diag.Pos) (*ir.Func, error) {
	return &ir.Func{Import: "functions/" + name, Name: "Handle", Pos: pos}, nil
}
