package asl

import (
	"strconv"
	"strings"

	"github.com/unumc/unumc/internal/diag"
	"github.com/unumc/unumc/internal/ir"
)

// comparison is one of ASL's comparison operators.
type comparison struct {
	kind  ir.Kind
	op    ir.Op
	value kind // the JSON kind of the literal it compares with
}

// comparisons are the operators that compare the Variable with a literal;
// each has a "...Path" twin that compares it with another path.
var comparisons = map[string]comparison{
	"StringEquals":               {ir.KindString, ir.Eq, kString},
	"StringLessThan":             {ir.KindString, ir.Lt, kString},
	"StringGreaterThan":          {ir.KindString, ir.Gt, kString},
	"StringLessThanEquals":       {ir.KindString, ir.Le, kString},
	"StringGreaterThanEquals":    {ir.KindString, ir.Ge, kString},
	"NumericEquals":              {ir.KindNumber, ir.Eq, kNumber},
	"NumericLessThan":            {ir.KindNumber, ir.Lt, kNumber},
	"NumericGreaterThan":         {ir.KindNumber, ir.Gt, kNumber},
	"NumericLessThanEquals":      {ir.KindNumber, ir.Le, kNumber},
	"NumericGreaterThanEquals":   {ir.KindNumber, ir.Ge, kNumber},
	"BooleanEquals":              {ir.KindBool, ir.Eq, kBool},
	"TimestampEquals":            {ir.KindTimestamp, ir.Eq, kString},
	"TimestampLessThan":          {ir.KindTimestamp, ir.Lt, kString},
	"TimestampGreaterThan":       {ir.KindTimestamp, ir.Gt, kString},
	"TimestampLessThanEquals":    {ir.KindTimestamp, ir.Le, kString},
	"TimestampGreaterThanEquals": {ir.KindTimestamp, ir.Ge, kString},
}

// typeTests are the operators that test the Variable's type, with true or
// false.
var typeTests = map[string]ir.Type{
	"IsNull":      ir.TypeNull,
	"IsString":    ir.TypeString,
	"IsNumeric":   ir.TypeNumber,
	"IsBoolean":   ir.TypeBool,
	"IsTimestamp": ir.TypeTimestamp,
}

// operators lists every operator of a rule, for suggestions.
var operators = func() []string {
	ops := []string{"And", "Or", "Not", "IsPresent", "StringMatches"}
	for op := range comparisons {
		ops = append(ops, op, op+"Path")
	}
	for op := range typeTests {
		ops = append(ops, op)
	}
	return ops
}()

// isOperator reports whether a rule field is an operator.
func isOperator(key string) bool {
	if _, ok := comparisons[strings.TrimSuffix(key, "Path")]; ok {
		return true
	}
	if _, ok := typeTests[key]; ok {
		return true
	}
	switch key {
	case "And", "Or", "Not", "IsPresent", "StringMatches":
		return true
	}
	return false
}

// choiceState lowers a Choice state to a pass node that applies InputPath
// and whose transition is an *ir.Choice, its conditions evaluated on the
// node's output (the state's effective input). With an OutputPath, each
// target T of the state is reached through a synthetic pass node
// "C.output.T" that applies it.
func (l *loader) choiceState(s *state) {
	n := &ir.Node{Name: s.name, Pos: s.pos}
	ch := &ir.Choice{Pos: s.pos}
	var outputPath *ir.JSONPath
	if s.lang == jsonata {
		l.jsonataFields(s, "Output")
	} else {
		n.Flow = flow(&ir.Flow{InputPath: l.pathField(s, "InputPath")})
		outputPath = l.pathField(s, "OutputPath")
	}
	outputs := map[string]*ir.Node{} // by target
	var synthetic []*ir.Node
	target := func(name string, pos diag.Pos, loc *where) ir.Transition {
		t := l.transition(s, name, pos, loc)
		if trivial(outputPath) {
			return t
		}
		o := outputs[name]
		if o == nil {
			o = &ir.Node{Name: l.uniqueName(s.name + ".output." + name), Pos: pos, Synthetic: true,
				Flow: &ir.Flow{InputPath: outputPath}, Next: t}
			outputs[name] = o
			synthetic = append(synthetic, o)
		}
		return &ir.Goto{Node: o.Name, Pos: pos}
	}

	cm := s.v.get("Choices")
	loc := s.loc.field("Choices")
	switch {
	case cm == nil:
		l.errorf(s.v.pos, loc, "missing required field in a Choice state")
	case !l.kindOf(cm, loc, kArray):
	case len(cm.val.arr) == 0:
		l.errorf(cm.val.pos, loc, "a Choice state needs at least one rule")
	default:
		ch.Pos = cm.val.pos
		for i, r := range cm.val.arr {
			rloc := loc.at(i)
			if r.kind != kObject {
				l.errorf(r.pos, rloc, "a choice rule must be an object, not %s", r.kind)
				continue
			}
			cond := l.rule(s, r, rloc, true)
			c := &ir.Case{Cond: cond, Pos: r.pos}
			switch nm, next, ok := l.str(r, rloc, "Next"); {
			case nm == nil:
				l.errorf(r.pos, rloc.field("Next"), "missing required field in a choice rule")
			case ok:
				c.Then = target(next, nm.val.pos, rloc.field("Next"))
			}
			if am := r.get("Assign"); am != nil {
				c.Assign = l.assign(am, rloc.field("Assign"), s.lang)
			}
			if cond != nil && c.Then != nil {
				ch.Cases = append(ch.Cases, c)
			}
		}
	}
	if dm, def, ok := l.str(s.v, s.loc, "Default"); ok {
		ch.Default = target(def, dm.val.pos, s.loc.field("Default"))
	}
	n.Next = ch
	s.nodes = append(s.nodes, n)
	s.nodes = append(s.nodes, synthetic...)
}

// rule lowers a choice rule: a comparison of the Variable, or And, Or or
// Not of nested rules. A top-level rule has a Next; a nested one has none.
func (l *loader) rule(s *state, r *value, loc *where, top bool) ir.Cond {
	fields := []string{"Comment"}
	if top {
		fields = append(fields, "Next", "Assign", "Output")
	}
	if s.lang == jsonata {
		var jp []string
		for _, m := range r.obj {
			if m.key == "Variable" || isOperator(m.key) {
				jp = append(jp, m.key)
				l.errorf(m.pos, loc.field(m.key), "%s is a JSONPath field, but the state uses JSONata: use Condition", m.key)
			}
		}
		l.checkFields(r, loc, "a choice rule", s.lang, fields, []string{"Condition"}, jp)
		if cm := r.get("Condition"); cm == nil {
			l.errorf(r.pos, loc.field("Condition"), "missing required field in a JSONata choice rule")
		} else if l.kindOf(cm, loc.field("Condition"), kString, kBool) {
			l.jsonataValue(cm.val, loc.field("Condition"))
		}
		if om := r.get("Output"); om != nil {
			l.jsonataValue(om.val, loc.field("Output"))
		}
		return nil
	}
	// Unknown fields, with Next where it cannot be.
	var ops []*member
	unknown := false
	for _, m := range r.obj {
		switch {
		case isOperator(m.key):
			ops = append(ops, m)
		case m.key == "Next" && !top:
			l.errorf(m.pos, loc.field("Next"), "a nested rule has no Next: only the rules directly in Choices do")
		case m.key == "Variable", m.key == "Comment", top && (m.key == "Next" || m.key == "Assign"):
		case m.key == "Condition" || m.key == "Output" && top:
			l.errorf(m.pos, loc.field(m.key), "%s is a JSONata field, but the state uses JSONPath (use Variable and a comparison operator)", m.key)
		default:
			unknown = true
			l.errorf(m.pos, loc.field(m.key), "unknown field in a choice rule%s", diag.Suggest(m.key, append(operators, "Variable", "Next", "Comment")))
		}
	}
	l.str(r, loc, "Comment")
	vm := r.get("Variable")
	if len(ops) == 0 {
		if !unknown {
			l.errorf(r.pos, loc, "a choice rule needs one comparison operator, or And, Or or Not")
		}
		return nil
	}
	if len(ops) > 1 {
		names := make([]string, len(ops))
		for i, o := range ops {
			names[i] = o.key
		}
		l.errorf(ops[1].pos, loc.field(ops[1].key), "a choice rule has exactly one operator, not %s", strings.Join(names, ", "))
		return nil
	}
	op := ops[0]
	oloc := loc.field(op.key)
	switch op.key {
	case "And", "Or":
		if vm != nil {
			l.errorf(vm.pos, loc.field("Variable"), "a rule with %s has no Variable: its nested rules have theirs", op.key)
		}
		if !l.kindOf(op, oloc, kArray) {
			return nil
		}
		if len(op.val.arr) == 0 {
			l.errorf(op.val.pos, oloc, "%s needs at least one rule", op.key)
			return nil
		}
		var conds []ir.Cond
		for i, x := range op.val.arr {
			xloc := oloc.at(i)
			if x.kind != kObject {
				l.errorf(x.pos, xloc, "a choice rule must be an object, not %s", x.kind)
				continue
			}
			if c := l.rule(s, x, xloc, false); c != nil {
				conds = append(conds, c)
			}
		}
		if len(conds) != len(op.val.arr) {
			return nil
		}
		if op.key == "And" {
			return &ir.And{Conds: conds, Pos: op.pos}
		}
		return &ir.Or{Conds: conds, Pos: op.pos}
	case "Not":
		if vm != nil {
			l.errorf(vm.pos, loc.field("Variable"), "a rule with Not has no Variable: its nested rule has one")
		}
		if !l.kindOf(op, oloc, kObject) {
			return nil
		}
		c := l.rule(s, op.val, oloc, false)
		if c == nil {
			return nil
		}
		return &ir.Not{Cond: c, Pos: op.pos}
	}

	if vm == nil {
		l.errorf(r.pos, loc.field("Variable"), "missing required field: %s compares the value at Variable", op.key)
		return nil
	}
	vloc := loc.field("Variable")
	if !l.kindOf(vm, vloc, kString) {
		return nil
	}
	left, ok := l.rulePath(vm.val, vloc, "Variable")
	if !ok {
		return nil
	}
	pos := op.pos
	if c, ok := comparisons[strings.TrimSuffix(op.key, "Path")]; ok && strings.HasSuffix(op.key, "Path") {
		if !l.kindOf(op, oloc, kString) {
			return nil
		}
		right, ok := l.rulePath(op.val, oloc, op.key)
		if !ok {
			return nil
		}
		return &ir.Compare{Op: c.op, Kind: c.kind, Left: left, Right: ir.Operand{Path: &right}, Pos: pos}
	}
	if c, ok := comparisons[op.key]; ok {
		if !l.kindOf(op, oloc, c.value) {
			return nil
		}
		var lit any
		switch c.value {
		case kString:
			lit = op.val.str
			if c.kind == ir.KindTimestamp && !isTimestamp(op.val.str) {
				l.errorf(op.val.pos, oloc, "%q is not an RFC 3339 timestamp such as \"2016-03-14T01:59:00Z\"", op.val.str)
				return nil
			}
		case kBool:
			lit = op.val.b
		case kNumber:
			f, err := strconv.ParseFloat(op.val.num.String(), 64)
			if err != nil {
				l.errorf(op.val.pos, oloc, "number %s is out of range", op.val.num)
				return nil
			}
			lit = f
		}
		return &ir.Compare{Op: c.op, Kind: c.kind, Left: left, Right: ir.Operand{Literal: lit}, Pos: pos}
	}
	if op.key == "StringMatches" {
		if !l.kindOf(op, oloc, kString) {
			return nil
		}
		return &ir.Matches{Path: left, Pattern: op.val.str, Pos: pos}
	}
	// IsPresent and the type tests take true or false.
	if !l.kindOf(op, oloc, kBool) {
		return nil
	}
	var cond ir.Cond
	if op.key == "IsPresent" {
		cond = &ir.Has{Path: left, Pos: pos}
	} else {
		cond = &ir.IsType{Path: left, Type: typeTests[op.key], Pos: pos}
	}
	if !op.val.b {
		cond = &ir.Not{Cond: cond, Pos: pos}
	}
	return cond
}

// rulePath lowers the Variable of a rule or the path a "...Path" operator
// compares it with: a reference path into the state's effective input.
func (l *loader) rulePath(v *value, loc *where, what string) (ir.Path, bool) {
	if ir.IsIntrinsic(v.str) {
		l.errorf(v.pos, loc, "%s must be a reference path, not an intrinsic function call", what)
		return ir.Path{}, false
	}
	p := l.parsePath(v, loc, false)
	switch {
	case p == nil:
		return ir.Path{}, false
	case p.Context:
		l.unsupported(v.pos, loc, "a %s in the context object (%q): unumc compares values of the state's input", what, p.Text)
		return ir.Path{}, false
	case p.Static == nil:
		l.errorf(v.pos, loc, "%s %q must be a reference path: fields and indexes only, such as $.a.b[0]", what, p.Text)
		return ir.Path{}, false
	}
	return ir.Path{Var: p.Var, Steps: p.Static.Steps, Pos: v.pos}, true
}
