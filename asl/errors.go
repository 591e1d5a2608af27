package asl

import (
	"slices"
	"strings"

	"github.com/unumc/unumc/internal/diag"
	"github.com/unumc/unumc/internal/ir"
)

// retry lowers a state's Retry with ASL's defaults: IntervalSeconds 1,
// MaxAttempts 3, BackoffRate 2.
func (l *loader) retry(s *state) []*ir.Retrier {
	rm := s.v.get("Retry")
	loc := s.loc.field("Retry")
	if rm == nil || !l.kindOf(rm, loc, kArray) {
		return nil
	}
	var out []*ir.Retrier
	for i, v := range rm.val.arr {
		iloc := loc.at(i)
		if v.kind != kObject {
			l.errorf(v.pos, iloc, "a retrier must be an object, not %s", v.kind)
			continue
		}
		l.checkFields(v, iloc, "a retrier", s.lang, []string{"ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds", "JitterStrategy", "Comment"})
		l.str(v, iloc, "Comment")
		r := &ir.Retrier{Interval: seconds(1), MaxAttempts: 3, Backoff: 2, Pos: v.pos}
		refs := l.errorEquals(v, iloc, "retrier", i == len(rm.val.arr)-1)
		r.Errors, l.retryRefs[r] = refs2names(refs), refs
		if _, n, ok := l.integer(v, iloc, "IntervalSeconds", 1, 99999999); ok {
			r.Interval = seconds(n)
		}
		if _, n, ok := l.integer(v, iloc, "MaxAttempts", 0, 99999999); ok {
			r.MaxAttempts = int(n)
		}
		if m, f, ok := l.number(v, iloc, "BackoffRate"); ok {
			if f < 1 {
				l.errorf(m.val.pos, iloc.field("BackoffRate"), "must be at least 1.0, not %s", m.val.num)
			} else {
				r.Backoff = f
			}
		}
		if _, n, ok := l.integer(v, iloc, "MaxDelaySeconds", 1, 31622400); ok {
			r.MaxDelay = seconds(n)
		}
		if m, j, ok := l.str(v, iloc, "JitterStrategy"); ok {
			switch j {
			case "FULL":
				r.Jitter = true
			case "NONE":
			default:
				l.errorf(m.val.pos, iloc.field("JitterStrategy"), "must be \"FULL\" or \"NONE\", not %q", j)
			}
		}
		out = append(out, r)
	}
	return out
}

// catch lowers a state's Catch. A catcher's ResultPath "$.x" puts the
// error object at .x of the state's input (Into); "$" or none makes it the
// handler's whole input.
func (l *loader) catch(s *state) []*ir.Catcher {
	cm := s.v.get("Catch")
	loc := s.loc.field("Catch")
	if cm == nil || !l.kindOf(cm, loc, kArray) {
		return nil
	}
	var out []*ir.Catcher
	for i, v := range cm.val.arr {
		iloc := loc.at(i)
		if v.kind != kObject {
			l.errorf(v.pos, iloc, "a catcher must be an object, not %s", v.kind)
			continue
		}
		l.checkFields(v, iloc, "a catcher", s.lang, []string{"ErrorEquals", "Next", "ResultPath", "Comment", "Assign", "Output"})
		l.str(v, iloc, "Comment")
		c := &ir.Catcher{Pos: v.pos}
		refs := l.errorEquals(v, iloc, "catcher", i == len(cm.val.arr)-1)
		c.Errors, l.catchRefs[c] = refs2names(refs), refs
		switch nm, next, ok := l.str(v, iloc, "Next"); {
		case nm == nil:
			l.errorf(v.pos, iloc.field("Next"), "missing required field in a catcher")
		case ok:
			if l.resolve(s, next, nm.val.pos, iloc.field("Next")) != nil {
				c.Next = &ir.Goto{Node: next, Pos: nm.val.pos}
			}
		}
		if am := v.get("Assign"); am != nil {
			c.Assign = l.assign(am, iloc.field("Assign"), s.lang)
		}
		if s.lang == jsonata {
			if om := v.get("Output"); om != nil {
				l.jsonataValue(om.val, iloc.field("Output"))
			}
		} else if rm := v.get("ResultPath"); rm != nil {
			rloc := iloc.field("ResultPath")
			switch {
			case rm.val.kind == kNull:
				l.unsupported(rm.val.pos, rloc, "a catcher's \"ResultPath\": null, which discards the error")
			case !l.kindOf(rm, rloc, kString, kNull):
			case strings.HasPrefix(rm.val.str, "$$"):
				l.errorf(rm.val.pos, rloc, "ResultPath cannot write to the context object (%q)", rm.val.str)
			case isVariablePath(rm.val.str):
				l.errorf(rm.val.pos, rloc, "%q must be a reference path into the state's input, not a variable", rm.val.str)
			default:
				if p := l.parsePath(rm.val, rloc, true); p != nil && len(p.Static.Steps) > 0 {
					c.Into = &ir.Path{Steps: p.Static.Steps, Pos: rm.val.pos}
				}
			}
		}
		out = append(out, c)
	}
	return out
}

// nameRef is where an error name of a retrier or catcher is written.
type nameRef struct {
	name string
	pos  diag.Pos
	loc  *where
}

// errorEquals reads the error names of a retrier or catcher: a non-empty
// array of strings, States.ALL alone and in the last one.
func (l *loader) errorEquals(v *value, loc *where, what string, last bool) []nameRef {
	m := v.get("ErrorEquals")
	eloc := loc.field("ErrorEquals")
	if m == nil {
		l.errorf(v.pos, eloc, "missing required field in a %s", what)
		return nil
	}
	if !l.kindOf(m, eloc, kArray) {
		return nil
	}
	if len(m.val.arr) == 0 {
		l.errorf(m.val.pos, eloc, "a %s needs at least one error name", what)
		return nil
	}
	var refs []nameRef
	for i, e := range m.val.arr {
		iloc := eloc.at(i)
		if e.kind != kString {
			l.errorf(e.pos, iloc, "an error name must be a string, not %s", e.kind)
			continue
		}
		name := e.str
		switch {
		case name == "":
			l.errorf(e.pos, iloc, "an error name must not be empty")
			continue
		case name == ir.ErrorAll && len(m.val.arr) > 1:
			l.errorf(e.pos, iloc, "%s must be alone in its ErrorEquals", ir.ErrorAll)
		case name == ir.ErrorAll && !last:
			l.errorf(e.pos, iloc, "%s must be in the last %s", ir.ErrorAll, what)
		}
		refs = append(refs, nameRef{name: name, pos: e.pos, loc: iloc})
	}
	return refs
}

// stepFunctionsErrors are the States.* names that Step Functions reports
// and the IR does not.
var stepFunctionsErrors = []string{
	"States.BranchFailed", "States.ExceedToleratedFailureThreshold", "States.HeartbeatTimeout",
	"States.Http.Socket", "States.IntrinsicFailure", "States.ItemReaderFailed", "States.ParameterPathFailure",
	"States.Permissions", "States.QueryEvaluationError", "States.ResultWriterFailed",
}

// errorNames settles the States.* names of retriers and catchers that the
// IR does not know: neither predefined nor the Error of a Fail state. A
// name that Step Functions reports is unsupported, since unumc reports
// something else in its place. Any other such name is never reported, by
// Step Functions or unumc, so it matches nothing: it is left out, and so
// is a retrier left with no names. A catcher left with none would leave
// its handler unreachable in the IR; it is unsupported.
func (l *loader) errorNames(refs []nameRef, what string) (names []string, empty bool) {
	dropped := false
	for _, r := range refs {
		if !strings.HasPrefix(r.name, "States.") || l.failErr[r.name] {
			names = append(names, r.name)
			continue
		}
		if slices.Contains(ir.PredefinedErrors, r.name) {
			names = append(names, r.name)
			continue
		}
		if slices.Contains(stepFunctionsErrors, r.name) {
			l.unsupported(r.pos, r.loc, "the error name %q: unumc does not report it", r.name)
			names = append(names, r.name)
			continue
		}
		dropped = true
	}
	if dropped && len(names) == 0 && what == "catcher" && len(refs) > 0 {
		l.unsupported(refs[0].pos, refs[0].loc, "a catcher whose error names nothing ever reports (%s)", refs[0].name)
		return refs2names(refs), false
	}
	return names, dropped && len(names) == 0
}

func refs2names(refs []nameRef) []string {
	names := make([]string, len(refs))
	for i, r := range refs {
		names[i] = r.name
	}
	return names
}

// settleErrorNames applies errorNames to every retrier and catcher, once
// the Error names of all Fail states are known.
func (l *loader) settleErrorNames() {
	for _, s := range l.order {
		for _, n := range append(slices.Clip(s.nodes), s.after...) {
			var keep []*ir.Retrier
			for _, r := range n.Retry {
				names, empty := l.errorNames(l.retryRefs[r], "retrier")
				if !empty {
					r.Errors = names
					keep = append(keep, r)
				}
			}
			n.Retry = keep
			for _, c := range n.Catch {
				c.Errors, _ = l.errorNames(l.catchRefs[c], "catcher")
			}
		}
	}
}
