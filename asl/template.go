package asl

import (
	"strings"

	"github.com/unumc/unumc/internal/diag"
	"github.com/unumc/unumc/internal/ir"
)

// template lowers a payload template (Parameters, ResultSelector,
// ItemSelector, a Payload): objects keep their field order, and a field
// whose name ends in ".$" is computed from its value, a path or an
// intrinsic function call. what names the template in messages.
func (l *loader) template(v *value, loc *where, what string) ir.Expr {
	switch v.kind {
	case kObject:
		o := &ir.Object{Pos: v.pos}
		seen := map[string]*member{}
		for _, m := range v.obj {
			name, computed := strings.CutSuffix(m.key, ".$")
			floc := loc.field(m.key)
			if prev := seen[name]; prev != nil {
				l.errorf(m.pos, floc, "fields %q and %q of %s are both %q once \".$\" is removed", prev.key, m.key, what, name)
				continue
			}
			seen[name] = m
			f := &ir.Field{Name: name, Pos: m.pos}
			if computed {
				if m.val.kind != kString {
					l.errorf(m.val.pos, floc, "the value of a field whose name ends in \".$\" must be a path or an intrinsic function call, not %s", m.val.kind)
					continue
				}
				f.Value = l.dynamic(m.val, floc)
			} else {
				f.Value = l.template(m.val, floc, what)
			}
			if f.Value != nil {
				o.Fields = append(o.Fields, f)
			}
		}
		return o
	case kArray:
		a := &ir.Array{Pos: v.pos}
		for i, x := range v.arr {
			if e := l.template(x, loc.at(i), what); e != nil {
				a.Items = append(a.Items, e)
			}
		}
		return a
	}
	return literal(v)
}

// literal lowers a JSON value with no ".$" processing (a Pass state's
// Result).
func literal(v *value) ir.Expr {
	switch v.kind {
	case kObject:
		o := &ir.Object{Pos: v.pos}
		for _, m := range v.obj {
			o.Fields = append(o.Fields, &ir.Field{Name: m.key, Value: literal(m.val), Pos: m.pos})
		}
		return o
	case kArray:
		a := &ir.Array{Pos: v.pos}
		for _, x := range v.arr {
			a.Items = append(a.Items, literal(x))
		}
		return a
	case kBool:
		return &ir.Literal{Value: v.b, Pos: v.pos}
	case kNumber:
		return &ir.Literal{Value: v.num, Pos: v.pos}
	case kString:
		return &ir.Literal{Value: v.str, Pos: v.pos}
	}
	return &ir.Literal{Value: nil, Pos: v.pos}
}

// dynamic lowers the value of a ".$" field: a path (*ir.Select) or an
// intrinsic function call (*ir.Intrinsic). It returns nil after reporting.
func (l *loader) dynamic(v *value, loc *where) ir.Expr {
	s := v.str
	switch {
	case strings.HasPrefix(s, "$"):
		p := l.parsePath(v, loc, false)
		if p == nil {
			return nil
		}
		return &ir.Select{Path: *p, Pos: v.pos}
	case ir.IsIntrinsic(s):
		return l.intrinsic(v, loc, nil)
	}
	l.errorf(v.pos, loc, "%q is neither a path nor an intrinsic function call", s)
	return nil
}

// intrinsic parses an intrinsic function call; allowed, if not nil, lists
// the functions the field may call.
func (l *loader) intrinsic(v *value, loc *where, allowed []string) ir.Expr {
	call, problems := ir.ParseIntrinsic(v.str, v.pos)
	for _, p := range problems {
		l.errorf(v.pos, loc, "%s", p)
	}
	if call == nil {
		return nil
	}
	if !l.argsEvaluable(call, v.pos, loc) {
		return nil
	}
	if allowed != nil {
		ok := false
		for _, a := range allowed {
			ok = ok || a == call.Name
		}
		if !ok {
			l.errorf(v.pos, loc, "%s cannot compute this field; it takes a path or one of %s", call.Name, strings.Join(allowed, ", "))
			return nil
		}
	}
	if !l.contextOK(call, v.pos, loc) {
		return nil
	}
	return call
}

// argsEvaluable reports the paths among a call's arguments, at any depth,
// that the runtime's JSONPath library cannot read.
func (l *loader) argsEvaluable(call *ir.Intrinsic, pos diag.Pos, loc *where) bool {
	ok := true
	for _, a := range call.Args {
		switch a := a.(type) {
		case *ir.Select:
			if problem := evaluable(&a.Path); problem != "" {
				l.unsupported(pos, loc, "the JSONPath %q, which the JSONPath library of unumc's runtime cannot read (%s)", a.Path.Text, problem)
				ok = false
			}
		case *ir.Intrinsic:
			ok = l.argsEvaluable(a, pos, loc) && ok
		}
	}
	return ok
}

// contextOK reports the uses of the context object that unumc cannot
// provide: the task token, for the .waitForTaskToken pattern.
func (l *loader) contextOK(e ir.Expr, pos diag.Pos, loc *where) bool {
	switch e := e.(type) {
	case *ir.Select:
		if p := e.Path; p.Context && p.Static != nil && len(p.Static.Steps) >= 1 && p.Static.Steps[0].Field == "Task" {
			l.unsupported(pos, loc, "the task token (%s): unumc has no .waitForTaskToken callbacks", p.Text)
			return false
		}
	case *ir.Intrinsic:
		ok := true
		for _, a := range e.Args {
			ok = l.contextOK(a, pos, loc) && ok
		}
		return ok
	}
	return true
}

// parsePath parses a path field, reporting a malformed path. With
// reference, the path must also be a reference path, which names one value
// by fields and indexes. A path may read a workflow variable ("$name.a").
func (l *loader) parsePath(v *value, loc *where, reference bool) *ir.JSONPath {
	p, err := ir.ParsePath(v.str)
	switch {
	case err != "":
		l.errorf(v.pos, loc, "invalid path %q: %s", v.str, err)
		return nil
	case reference && p.Static == nil:
		l.errorf(v.pos, loc, "%q must be a reference path: fields and indexes only, such as $.a.b[0]", v.str)
		return nil
	}
	p.Pos = v.pos
	if p.Static != nil {
		p.Static.Pos = v.pos
	}
	if problem := evaluable(p); problem != "" {
		l.unsupported(v.pos, loc, "the JSONPath %q, which the JSONPath library of unumc's runtime cannot read (%s)", v.str, problem)
		return nil
	}
	if !l.contextOK(&ir.Select{Path: *p}, v.pos, loc) {
		return nil
	}
	return p
}

// pathField lowers an InputPath, OutputPath or ResultPath: a path, or null.
// ResultPath must be a reference path into the input.
func (l *loader) pathField(s *state, key string) *ir.JSONPath {
	m := s.v.get(key)
	if m == nil || s.lang == jsonata {
		return nil
	}
	loc := s.loc.field(key)
	if m.val.kind == kNull {
		return &ir.JSONPath{Null: true, Pos: m.val.pos}
	}
	if !l.kindOf(m, loc, kString, kNull) {
		return nil
	}
	if key == "ResultPath" {
		if strings.HasPrefix(m.val.str, "$$") {
			l.errorf(m.val.pos, loc, "ResultPath cannot write to the context object (%q)", m.val.str)
			return nil
		}
		if isVariablePath(m.val.str) {
			l.errorf(m.val.pos, loc, "%q must be a reference path into the state's input, not a variable", m.val.str)
			return nil
		}
		return l.parsePath(m.val, loc, true)
	}
	return l.parsePath(m.val, loc, false)
}

// templateField lowers a template field of a state, such as Parameters.
func (l *loader) templateField(s *state, key string) ir.Expr {
	m := s.v.get(key)
	if m == nil || s.lang == jsonata {
		return nil
	}
	return l.template(m.val, s.loc.field(key), key)
}

// jsonataValue checks the strings of a JSONata field: one that begins with
// "{%" is an expression and must end with "%}". unumc does not evaluate
// JSONata, so it does not check the expressions themselves.
func (l *loader) jsonataValue(v *value, loc *where) {
	switch v.kind {
	case kString:
		s := strings.TrimSpace(v.str)
		if strings.HasPrefix(s, "{%") && !strings.HasSuffix(s, "%}") {
			l.errorf(v.pos, loc, "a JSONata expression begins with \"{%%\" and must end with \"%%}\"")
		}
	case kArray:
		for i, x := range v.arr {
			l.jsonataValue(x, loc.at(i))
		}
	case kObject:
		for _, m := range v.obj {
			l.jsonataValue(m.val, loc.field(m.key))
		}
	}
}

// jsonataFields checks the JSONata fields of a state in JSONata mode.
func (l *loader) jsonataFields(s *state, keys ...string) {
	if s.lang != jsonata {
		return
	}
	for _, k := range keys {
		if m := s.v.get(k); m != nil {
			l.jsonataValue(m.val, s.loc.field(k))
		}
	}
}

// flow returns f, or nil when it changes nothing.
func flow(f *ir.Flow) *ir.Flow {
	if f.IsZero() {
		return nil
	}
	return f
}

// trivial reports whether a path selects the whole value: absent or "$".
func trivial(p *ir.JSONPath) bool {
	return p == nil || !p.Null && p.Text == "$"
}

// isVariablePath reports whether a path reads a workflow variable.
func isVariablePath(text string) bool {
	p, _ := ir.ParsePath(text)
	return p != nil && p.Var != ""
}
