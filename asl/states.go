package asl

import (
	"time"

	"github.com/unumc/unumc/internal/ir"
)

// unnamedError is the error name of a Fail state that has neither Error
// nor ErrorPath. ASL lets a Fail state leave its error unnamed; the IR
// needs a name unless an ErrorExpr computes it.
const unnamedError = "States.Fail"

// failIntrinsics are the intrinsic functions that may compute a Fail
// state's ErrorPath or CausePath.
var failIntrinsics = []string{"States.Format", "States.JsonToString", "States.ArrayGetItem",
	"States.Base64Encode", "States.Base64Decode", "States.Hash", "States.UUID"}

// failState lowers a Fail state into the *ir.Fail that transitions to it
// become. It gets a node of its own only when it is the StartAt of its
// machine or a catcher's Next: a pass node whose Next is the Fail.
func (l *loader) failState(s *state) {
	s.terminal = true
	f := &ir.Fail{Pos: s.pos}
	l.atMostOne(s.v, s.loc, "Error", "ErrorPath")
	l.atMostOne(s.v, s.loc, "Cause", "CausePath")
	if s.lang == jsonata {
		l.jsonataFields(s, "Error", "Cause")
	} else {
		if m, e, ok := l.str(s.v, s.loc, "Error"); ok && m != nil {
			f.Error = e
			l.failErr[e] = true
		}
		if _, c, ok := l.str(s.v, s.loc, "Cause"); ok {
			f.Cause = c
		}
		f.ErrorExpr = l.failPath(s, "ErrorPath")
		f.CauseExpr = l.failPath(s, "CausePath")
	}
	if f.Error == "" && f.ErrorExpr == nil {
		f.Error = unnamedError
		l.failErr[unnamedError] = true
	}
	s.fail = f
	if s.start || s.catchTarget {
		g := *f
		s.nodes = append(s.nodes, &ir.Node{Name: s.name, Pos: s.pos, Next: &g})
	}
}

// failPath lowers ErrorPath or CausePath: a reference path or an intrinsic.
func (l *loader) failPath(s *state, key string) ir.Expr {
	m, text, ok := l.str(s.v, s.loc, key)
	if !ok {
		return nil
	}
	loc := s.loc.field(key)
	if ir.IsIntrinsic(text) {
		return l.intrinsic(m.val, loc, failIntrinsics)
	}
	p := l.parsePath(m.val, loc, true)
	if p == nil {
		return nil
	}
	return &ir.Select{Path: *p, Pos: m.val.pos}
}

// succeedState lowers a Succeed state. Transitions to it become an *ir.End,
// unless it has an InputPath or OutputPath to apply first; it keeps a node
// then, and when it is a StartAt or a catcher's Next.
func (l *loader) succeedState(s *state) {
	s.terminal = true
	if s.lang == jsonata {
		l.jsonataFields(s, "Output")
		return
	}
	f := &ir.Flow{InputPath: l.pathField(s, "InputPath"), OutputPath: l.pathField(s, "OutputPath")}
	s.endFlow = !trivial(f.InputPath) || !trivial(f.OutputPath)
	if s.endFlow || s.start || s.catchTarget {
		s.nodes = append(s.nodes, &ir.Node{Name: s.name, Pos: s.pos, Flow: flow(f), Next: &ir.End{Pos: s.pos}})
	}
}

// passState lowers a Pass state to a pass node.
func (l *loader) passState(s *state) {
	n := &ir.Node{Name: s.name, Pos: s.pos}
	if s.lang == jsonata {
		l.jsonataFields(s, "Output")
	} else {
		f := &ir.Flow{
			InputPath:  l.pathField(s, "InputPath"),
			Parameters: l.templateField(s, "Parameters"),
			ResultPath: l.pathField(s, "ResultPath"),
			OutputPath: l.pathField(s, "OutputPath"),
		}
		if m := s.v.get("Result"); m != nil {
			f.Result = literal(m.val)
		}
		n.Flow = flow(f)
	}
	n.Next = l.next(s)
	s.nodes = append(s.nodes, n)
}

// waitState lowers a Wait state to a pass node with an *ir.Wait.
func (l *loader) waitState(s *state) {
	n := &ir.Node{Name: s.name, Pos: s.pos}
	keys := []string{"Seconds", "SecondsPath", "Timestamp", "TimestampPath"}
	m := l.atMostOne(s.v, s.loc, keys...)
	if m == nil {
		l.errorf(s.v.pos, s.loc.field("Seconds"), "a Wait state needs one of %s", quoteList(keys))
	}
	if s.lang == jsonata {
		l.jsonataFields(s, "Seconds", "Timestamp", "Output")
	} else if m != nil {
		loc := s.loc.field(m.key)
		w := &ir.Wait{Pos: m.pos}
		switch m.key {
		case "Seconds":
			if _, secs, ok := l.integer(s.v, s.loc, "Seconds", 0, 99999999); ok {
				w.Seconds = int(secs)
			}
		case "Timestamp":
			if _, ts, ok := l.str(s.v, s.loc, "Timestamp"); ok {
				if !isTimestamp(ts) {
					l.errorf(m.val.pos, loc, "%q is not an RFC 3339 timestamp such as \"2016-03-14T01:59:00Z\"", ts)
				}
				w.Timestamp = ts
			}
		default:
			if l.kindOf(m, loc, kString) {
				p := l.parsePath(m.val, loc, true)
				if m.key == "SecondsPath" {
					w.SecondsPath = p
				} else {
					w.TimestampPath = p
				}
			}
		}
		n.Wait = w
		n.Flow = flow(&ir.Flow{InputPath: l.pathField(s, "InputPath"), OutputPath: l.pathField(s, "OutputPath")})
	}
	n.Next = l.next(s)
	s.nodes = append(s.nodes, n)
}

// isTimestamp reports whether s is a timestamp as ASL writes them: RFC
// 3339 with an uppercase T and, for UTC, an uppercase Z.
func isTimestamp(s string) bool {
	_, err := time.Parse(time.RFC3339Nano, s)
	return err == nil
}

// parallelState lowers a Parallel state P to a pass node P, whose
// transition is the fan-out, and a synthetic join node "P.join" that
// applies ResultSelector, ResultPath and OutputPath to the list of branch
// results, retries and catches the failure of a branch, and has P's Next or
// End.
func (l *loader) parallelState(s *state) {
	fan := &ir.FanOut{Kind: ir.Parallel, Pos: s.pos}
	if bm := s.v.get("Branches"); bm != nil {
		fan.Pos = bm.pos
	}
	for _, c := range s.children {
		if c.startAt != "" {
			fan.Branches = append(fan.Branches, &ir.Branch{Start: c.startAt, Pos: c.startPos})
		}
	}
	if s.lang == jsonata {
		l.jsonataFields(s, "Arguments", "Output")
	} else {
		fan.InputPath = l.pathField(s, "InputPath")
		fan.ItemSelector = l.templateField(s, "Parameters")
	}
	l.fanOut(s, fan)
}

// fanOut makes the origin and join nodes of a Parallel or Map state.
func (l *loader) fanOut(s *state, fan *ir.FanOut) {
	origin := &ir.Node{Name: s.name, Pos: s.pos, Next: fan}
	jn := &ir.Node{Name: l.uniqueName(s.name + ".join"), Pos: s.pos, Synthetic: true}
	fan.Join = &ir.Goto{Node: jn.Name, Pos: s.pos}
	if s.lang != jsonata {
		jn.Flow = flow(&ir.Flow{
			ResultSelector: l.templateField(s, "ResultSelector"),
			ResultPath:     l.pathField(s, "ResultPath"),
			OutputPath:     l.pathField(s, "OutputPath"),
		})
	}
	jn.Retry = l.retry(s)
	jn.Catch = l.catch(s)
	jn.Next = l.next(s)
	s.nodes = append(s.nodes, origin)
	s.after = append(s.after, jn)
}

// mapState lowers a Map state like a Parallel state, with one branch that
// runs once per item.
func (l *loader) mapState(s *state) {
	fan := &ir.FanOut{Kind: ir.Map, Pos: s.pos}
	for _, k := range []string{"ItemProcessor", "Iterator"} {
		if m := s.v.get(k); m != nil {
			fan.Pos = m.pos
		}
	}
	for _, c := range s.children {
		if c.startAt != "" {
			fan.Branches = append(fan.Branches, &ir.Branch{Start: c.startAt, Pos: c.startPos})
		}
	}
	l.distributed(s)
	l.atMostOne(s.v, s.loc, "ItemsPath", "Items")
	l.atMostOne(s.v, s.loc, "ItemSelector", "Parameters")
	if mc := l.atMostOne(s.v, s.loc, "MaxConcurrency", "MaxConcurrencyPath"); mc != nil {
		switch {
		case mc.key == "MaxConcurrencyPath":
			if l.kindOf(mc, s.loc.field(mc.key), kString) && s.lang != jsonata {
				if l.parsePath(mc.val, s.loc.field(mc.key), true) != nil {
					l.unsupported(mc.pos, s.loc.field(mc.key), "MaxConcurrencyPath: the limit must be a number")
				}
			}
		case s.lang == jsonata && mc.val.kind == kString:
			l.jsonataValue(mc.val, s.loc.field(mc.key))
		default:
			if _, n, ok := l.integer(s.v, s.loc, "MaxConcurrency", 0, 1<<31-1); ok {
				fan.Limit = int(n)
			}
		}
	}
	if lm, label, ok := l.str(s.v, s.loc, "Label"); ok && len(label) > 40 {
		l.errorf(lm.val.pos, s.loc.field("Label"), "a Label is at most 40 characters long, not %d", len(label))
	}
	if s.lang == jsonata {
		l.jsonataFields(s, "Items", "ItemSelector", "Output")
		l.fanOut(s, fan)
		return
	}
	fan.InputPath = l.pathField(s, "InputPath")
	if im, _, ok := l.str(s.v, s.loc, "ItemsPath"); ok {
		loc := s.loc.field("ItemsPath")
		if p := l.parsePath(im.val, loc, false); p != nil {
			switch {
			case p.Context:
				l.unsupported(im.val.pos, loc, "an ItemsPath in the context object (%q): unumc maps over the state's input", p.Text)
			case p.Var != "":
				l.unsupported(im.val.pos, loc, "an ItemsPath in a workflow variable (%q): unumc maps over the state's input", p.Text)
			case p.Static == nil:
				l.unsupported(im.val.pos, loc, "an ItemsPath that is not a reference path (%q)", p.Text)
			default:
				fan.Items = ir.Path{Steps: p.Static.Steps, Pos: im.val.pos}
			}
		}
	}
	if m := s.v.get("ItemSelector"); m != nil {
		fan.ItemSelector = l.templateField(s, "ItemSelector")
	} else {
		fan.ItemSelector = l.templateField(s, "Parameters")
	}
	l.fanOut(s, fan)
}

// distributed validates and reports the fields of a Distributed Map.
func (l *loader) distributed(s *state) {
	report := func(key, what string) {
		if m := s.v.get(key); m != nil {
			l.unsupported(m.pos, s.loc.field(key), "%s (a Distributed Map)", what)
		}
	}
	for _, key := range []string{"ItemReader", "ItemBatcher", "ResultWriter"} {
		if m := s.v.get(key); m != nil && l.kindOf(m, s.loc.field(key), kObject) {
			l.distributedConfig(s, key, m)
		}
	}
	report("ItemReader", "ItemReader")
	report("ItemBatcher", "ItemBatcher")
	report("ResultWriter", "ResultWriter")
	if m := l.atMostOne(s.v, s.loc, "ToleratedFailurePercentage", "ToleratedFailurePercentagePath"); m != nil {
		if m.key == "ToleratedFailurePercentage" && !(s.lang == jsonata && m.val.kind == kString) {
			if _, f, ok := l.number(s.v, s.loc, m.key); ok && (f < 0 || f > 100) {
				l.errorf(m.val.pos, s.loc.field(m.key), "must be between 0 and 100, not %s", m.val.num)
			}
		}
		l.unsupported(m.pos, s.loc.field(m.key), "%s (a Distributed Map)", m.key)
	}
	if m := l.atMostOne(s.v, s.loc, "ToleratedFailureCount", "ToleratedFailureCountPath"); m != nil {
		if m.key == "ToleratedFailureCount" && !(s.lang == jsonata && m.val.kind == kString) {
			l.integer(s.v, s.loc, m.key, 0, 1<<53)
		}
		l.unsupported(m.pos, s.loc.field(m.key), "%s (a Distributed Map)", m.key)
	}
	if pm := s.v.get("ItemProcessor"); pm != nil && pm.val.kind == kObject {
		loc := s.loc.field("ItemProcessor.ProcessorConfig")
		if cm := pm.val.get("ProcessorConfig"); cm != nil && l.kindOf(cm, loc, kObject) {
			l.checkFields(cm.val, loc, "a ProcessorConfig", jsonPath, []string{"Mode", "ExecutionType"})
			if mm, mode, ok := l.str(cm.val, loc, "Mode"); ok {
				switch mode {
				case "INLINE":
				case "DISTRIBUTED":
					l.unsupported(mm.val.pos, loc.field("Mode"), "a Distributed Map (Mode DISTRIBUTED)")
				default:
					l.errorf(mm.val.pos, loc.field("Mode"), "must be \"INLINE\" or \"DISTRIBUTED\", not %q", mode)
				}
			}
			if em, et, ok := l.str(cm.val, loc, "ExecutionType"); ok && et != "STANDARD" && et != "EXPRESS" {
				l.errorf(em.val.pos, loc.field("ExecutionType"), "must be \"STANDARD\" or \"EXPRESS\", not %q", et)
			}
		}
	}
}

// distributedConfig checks the X / XPath pairs of ItemReader, ItemBatcher
// and ResultWriter.
func (l *loader) distributedConfig(s *state, key string, m *member) {
	loc := s.loc.field(key)
	v := m.val
	switch key {
	case "ItemReader":
		if rm := v.get("Resource"); rm == nil {
			l.errorf(v.pos, loc.field("Resource"), "missing required field in an ItemReader")
		}
		if cm := v.get("ReaderConfig"); cm != nil && l.kindOf(cm, loc.field("ReaderConfig"), kObject) {
			l.atMostOne(cm.val, loc.field("ReaderConfig"), "MaxItems", "MaxItemsPath")
		}
	case "ItemBatcher":
		l.atMostOne(v, loc, "MaxItemsPerBatch", "MaxItemsPerBatchPath")
		l.atMostOne(v, loc, "MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath")
	}
	if l.lang == jsonPath && s.lang == jsonPath {
		if pm := v.get("Parameters"); pm != nil {
			l.template(pm.val, loc.field("Parameters"), "Parameters")
		}
	}
}

// seconds converts whole seconds to a duration.
func seconds(n int64) time.Duration { return time.Duration(n) * time.Second }
