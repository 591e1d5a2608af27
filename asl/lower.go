package asl

import (
	"fmt"
	"unicode/utf8"

	"github.com/unumc/unumc/internal/diag"
	"github.com/unumc/unumc/internal/ir"
)

// loader validates a decoded definition and lowers it to a workflow.
type loader struct {
	file string
	root *value
	bind func(string, diag.Pos) (*ir.Func, error)
	errs diag.List
	w    *ir.Workflow

	lang    string            // the top-level query language
	states  map[string]*state // every state of every (sub-)machine
	order   []*state          // in document order
	top     *machine
	names   map[string]bool // state and synthetic node names, taken
	failErr map[string]bool // the Error names of Fail states

	retryRefs map[*ir.Retrier][]nameRef // where the error names of each retrier are
	catchRefs map[*ir.Catcher][]nameRef
	bindings  []*binding // the Lambda functions of Tasks, bound last

	// Diagnostics past maxErrors: how many, whether any is an error, and
	// where the first is.
	dropped      int
	droppedError bool
	droppedPos   diag.Pos
}

// machine is the top-level state machine, a Parallel branch, or a Map's
// Iterator or ItemProcessor.
type machine struct {
	loc      *where // its location: nil, "States.P.Branches[0]", "States.M.ItemProcessor"
	v        *value
	startAt  string
	startPos diag.Pos
	states   []*state
	byName   map[string]*state
	parent   *state // the Parallel or Map state, nil at the top level
	lang     string // the query language of the states that do not set one
	// broken is set when a transition in the machine is wrong; then which
	// states are reachable is not worth reporting.
	broken bool
	// distributed is set for the item processor of a Distributed Map,
	// whose states may use JSONPath even when the state machine uses
	// JSONata: it runs as a state machine of its own.
	distributed bool
}

// state is one state and what it lowers to.
type state struct {
	name     string
	pos      diag.Pos // its key in States
	loc      *where   // "States.X", "States.P.Branches[0].States.X"
	v        *value
	typ      string
	lang     string
	m        *machine
	children []*machine // the branches of a Parallel, the iterator of a Map

	start       bool // the StartAt of its machine
	catchTarget bool // the Next of a catcher
	terminal    bool // End, Succeed or Fail
	succ        []*state

	fail    *ir.Fail   // a Fail state's transition, for the transitions to it
	endFlow bool       // a Succeed state with InputPath or OutputPath
	assign  *ir.Object // its Assign, in JSONPath

	nodes []*ir.Node // what it lowers to, before its children
	after []*ir.Node // what it lowers to, after its children (a join)
}

func newLoader(file string, root *value, opts Options) *loader {
	name := opts.Name
	if name == "" {
		name = defaultName(file)
	}
	bind := opts.Bind
	if bind == nil {
		bind = defaultBind
	}
	return &loader{
		file:    file,
		root:    root,
		bind:    bind,
		w:       &ir.Workflow{Name: name, Source: file, Pos: root.pos},
		lang:    jsonPath,
		states:  map[string]*state{},
		names:   map[string]bool{},
		failErr: map[string]bool{},

		retryRefs: map[*ir.Retrier][]nameRef{},
		catchRefs: map[*ir.Catcher][]nameRef{},
	}
}

// load validates and lowers the whole definition.
func (l *loader) load() {
	root := l.root
	if root.kind != kObject {
		l.errs.Add(root.pos, "a state machine must be a JSON object, not %s", root.kind)
		return
	}
	l.checkFields(root, nil, "a state machine", jsonPath, []string{"Comment", "StartAt", "States", "TimeoutSeconds", "Version", "QueryLanguage"})
	l.str(root, nil, "Comment")
	if m, v, ok := l.str(root, nil, "Version"); ok && v != "1.0" {
		l.errorf(m.val.pos, top("Version"), "unknown version %q: the only version is \"1.0\"", v)
	}
	if m, lang, ok := l.str(root, nil, "QueryLanguage"); ok {
		switch lang {
		case jsonPath:
		case jsonata:
			l.lang = jsonata
			l.unsupported(m.val.pos, top("QueryLanguage"), "JSONata: unumc compiles JSONPath states only")
		default:
			l.errorf(m.val.pos, top("QueryLanguage"), "must be %q or %q, not %q", jsonPath, jsonata, lang)
		}
	}
	if m, _, ok := l.integer(root, nil, "TimeoutSeconds", 1, 99999999); ok {
		l.unsupported(m.pos, top("TimeoutSeconds"), "a timeout for the whole state machine")
	}
	l.top = l.machine(root, nil, nil)
	l.w.Start, l.w.StartPos = l.top.startAt, l.top.startPos

	for _, s := range l.order {
		l.names[s.name] = true
	}
	l.markCatchTargets()
	// Fail and Succeed states first: transitions to them fold into the
	// transitions that lead to them.
	for _, s := range l.order {
		switch s.typ {
		case "Fail":
			l.failState(s)
		case "Succeed":
			l.succeedState(s)
		}
	}
	for _, s := range l.order {
		switch s.typ {
		case "Task":
			l.taskState(s)
		case "Pass":
			l.passState(s)
		case "Wait":
			l.waitState(s)
		case "Choice":
			l.choiceState(s)
		case "Parallel":
			l.parallelState(s)
		case "Map":
			l.mapState(s)
		}
		l.placeAssign(s)
	}
	l.settleErrorNames()
	l.reachable(l.top)
	l.emit(l.top)
	if len(l.errs) == 0 {
		l.bindAll()
	}
}

// machine reads the StartAt and States of a (sub-)machine and, depth
// first, the machines nested in its states. extra are the fields it may
// have besides StartAt, States and Comment.
func (l *loader) machine(v *value, loc *where, parent *state, extra ...string) *machine {
	what := "a state machine"
	if parent != nil {
		what = "a branch"
		if parent.typ == "Map" {
			what = "an item processor"
			l.checkFields(v, loc, what, jsonPath, []string{"StartAt", "States", "Comment"}, extra)
		} else {
			l.checkFields(v, loc, what, jsonPath, []string{"StartAt", "States", "Comment"})
		}
		l.str(v, loc, "Comment")
	}
	m := &machine{loc: loc, v: v, parent: parent, byName: map[string]*state{}, lang: l.lang}
	if parent != nil {
		m.lang = parent.m.lang
		if parent.typ == "Map" {
			if pc := v.get("ProcessorConfig"); pc != nil && pc.val.kind == kObject {
				mode := pc.val.get("Mode")
				m.distributed = mode != nil && mode.val.kind == kString && mode.val.str == "DISTRIBUTED"
			}
		}
	}
	sm, start, ok := l.str(v, loc, "StartAt")
	switch {
	case sm == nil:
		l.errorf(v.pos, loc.field("StartAt"), "missing required field in %s", what)
	case ok:
		m.startAt, m.startPos = start, sm.val.pos
	}
	statesM := v.get("States")
	if statesM == nil {
		l.errorf(v.pos, loc.field("States"), "missing required field in %s", what)
		return m
	}
	sloc := loc.field("States")
	if !l.kindOf(statesM, sloc, kObject) {
		return m
	}
	if len(statesM.val.obj) == 0 {
		l.errorf(statesM.val.pos, sloc, "a state machine needs at least one state")
	}
	for _, sm := range statesM.val.obj {
		l.collect(m, sm, sloc.field(sm.key))
	}
	if sm != nil && ok {
		if s := m.byName[m.startAt]; s != nil {
			s.start = true
		} else {
			l.noState(m, m.startAt, m.startPos, loc.field("StartAt"))
		}
	}
	return m
}

// collect reads one state of a machine: its name, type and query language.
func (l *loader) collect(m *machine, sm *member, loc *where) {
	name := sm.key
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		l.errorf(sm.pos, loc, "a state name must not be empty")
	case n > 80:
		l.errorf(sm.pos, loc, "state name is %d characters long; the limit is 80", n)
	}
	if prev := l.states[name]; prev != nil {
		l.errorf(sm.pos, loc, "state %q is already defined at %s: state names are unique in the whole state machine", name, prev.pos)
		return
	}
	s := &state{name: name, pos: sm.pos, loc: loc, v: sm.val, m: m, lang: m.lang}
	// Even a malformed state is known by its name, for the transitions to it.
	m.states = append(m.states, s)
	m.byName[name] = s
	l.states[name] = s
	l.order = append(l.order, s)
	if sm.val.kind != kObject {
		m.broken = true
		l.errorf(sm.val.pos, loc, "state %q must be an object, not %s", name, sm.val.kind)
		return
	}
	tm, typ, ok := l.str(sm.val, loc, "Type")
	switch {
	case tm == nil:
		m.broken = true
		l.errorf(sm.val.pos, loc.field("Type"), "missing required field")
		return
	case !ok:
		m.broken = true
		return
	}
	known := false
	for _, t := range stateTypes {
		known = known || t == typ
	}
	if !known {
		m.broken = true
		l.errorf(tm.val.pos, loc.field("Type"), "unknown state type %q%s", typ, diag.Suggest(typ, stateTypes))
		return
	}
	s.typ = typ
	if qm, lang, ok := l.str(sm.val, loc, "QueryLanguage"); ok {
		switch {
		case lang != jsonPath && lang != jsonata:
			l.errorf(qm.val.pos, loc.field("QueryLanguage"), "must be %q or %q, not %q", jsonPath, jsonata, lang)
		case lang == jsonPath && m.lang == jsonata && !m.distributed:
			l.errorf(qm.val.pos, loc.field("QueryLanguage"), "a state cannot use JSONPath when the state machine uses JSONata")
		case lang == jsonPath:
			s.lang = jsonPath
		case lang == jsonata && m.lang == jsonPath:
			s.lang = jsonata
			l.unsupported(qm.val.pos, loc.field("QueryLanguage"), "JSONata: unumc compiles JSONPath states only")
		}
	}
	l.checkFields(sm.val, loc, "a "+typ+" state", s.lang, []string{"Type", "Comment", "QueryLanguage"}, stateFields[typ])
	l.str(sm.val, loc, "Comment")
	if am := sm.val.get("Assign"); am != nil {
		s.assign = l.assign(am, loc.field("Assign"), s.lang)
	}
	switch typ {
	case "Parallel":
		bm := sm.val.get("Branches")
		bloc := loc.field("Branches")
		switch {
		case bm == nil:
			l.errorf(sm.val.pos, bloc, "missing required field in a Parallel state")
		case !l.kindOf(bm, bloc, kArray):
		case len(bm.val.arr) == 0:
			l.errorf(bm.val.pos, bloc, "a Parallel state needs at least one branch")
		default:
			for i, b := range bm.val.arr {
				iloc := bloc.at(i)
				if b.kind != kObject {
					l.errorf(b.pos, iloc, "a branch must be an object with StartAt and States, not %s", b.kind)
					continue
				}
				s.children = append(s.children, l.machine(b, iloc, s))
			}
		}
	case "Map":
		it := l.atMostOne(sm.val, loc, "ItemProcessor", "Iterator")
		switch {
		case it == nil:
			l.errorf(sm.val.pos, loc.field("ItemProcessor"), "missing required field: a Map state needs an ItemProcessor (or the older Iterator)")
		case !l.kindOf(it, loc.field(it.key), kObject):
		case it.key == "ItemProcessor":
			s.children = append(s.children, l.machine(it.val, loc.field(it.key), s, "ProcessorConfig"))
		default:
			s.children = append(s.children, l.machine(it.val, loc.field(it.key), s))
		}
	}
}

// assign lowers an Assign field: an object whose values are JSONata
// expressions or, in JSONPath, templates, one field per variable. It
// returns nil for JSONata, which unumc checks but does not compile.
func (l *loader) assign(m *member, loc *where, lang string) *ir.Object {
	if !l.kindOf(m, loc, kObject) {
		return nil
	}
	if lang == jsonata {
		l.jsonataValue(m.val, loc)
		return nil
	}
	o, _ := l.template(m.val, loc, "Assign").(*ir.Object)
	for _, f := range o.Fields {
		if problem := ir.VariableProblem(f.Name); problem != "" {
			l.errorf(f.Pos, loc.field(f.Name), "%s", problem)
		}
	}
	return o
}

// placeAssign gives a state's Assign to the node that finishes the state:
// a Task's, Pass's or Wait's own node, a Parallel's or Map's join (the
// variables are set from the list of branch results), or a Choice's choice.
func (l *loader) placeAssign(s *state) {
	if s.assign == nil {
		return
	}
	switch s.typ {
	case "Parallel", "Map":
		if len(s.after) > 0 {
			s.after[0].Assign = s.assign
		}
	case "Choice":
		if len(s.nodes) > 0 {
			if ch, ok := s.nodes[0].Next.(*ir.Choice); ok {
				ch.Assign = s.assign
			}
		}
	default:
		if len(s.nodes) > 0 && s.nodes[0].Name == s.name {
			s.nodes[0].Assign = s.assign
		}
	}
}

// markCatchTargets marks the states that a catcher continues with: they
// need a node of their own even if they are a Succeed or a Fail.
func (l *loader) markCatchTargets() {
	for _, s := range l.order {
		cm := s.v.get("Catch")
		if cm == nil || cm.val.kind != kArray {
			continue
		}
		for _, c := range cm.val.arr {
			if nm := c.get("Next"); nm != nil && nm.val.kind == kString {
				if t := s.m.byName[nm.val.str]; t != nil {
					t.catchTarget = true
				}
			}
		}
	}
}

// resolve finds the state a transition of from names, in from's machine.
func (l *loader) resolve(from *state, name string, pos diag.Pos, loc *where) *state {
	t := from.m.byName[name]
	if t == nil {
		from.m.broken = true
		l.noState(from.m, name, pos, loc)
		return nil
	}
	from.succ = append(from.succ, t)
	return t
}

// noState reports a transition to a state that the machine does not have.
func (l *loader) noState(m *machine, name string, pos diag.Pos, loc *where) {
	if other := l.states[name]; other != nil {
		l.errorf(pos, loc, "state %q is in %s, not in %s: a transition stays within its state machine", name, other.m.describe(), m.describe())
		return
	}
	names := make([]string, len(m.states))
	for i, s := range m.states {
		names[i] = s.name
	}
	l.errorf(pos, loc, "no state named %q%s", name, diag.Suggest(name, names))
}

// describe names a machine for messages.
func (m *machine) describe() string {
	if m.parent == nil {
		return "the top-level state machine"
	}
	return m.loc.String()
}

// transition lowers a transition to the state called name: a Fail state
// folds into an *ir.Fail, a Succeed state without InputPath and OutputPath
// into an *ir.End, anything else is an *ir.Goto.
func (l *loader) transition(from *state, name string, pos diag.Pos, loc *where) ir.Transition {
	t := l.resolve(from, name, pos, loc)
	switch {
	case t == nil:
	case t.typ == "Fail" && t.fail != nil:
		f := *t.fail
		f.Pos = pos
		return &f
	case t.typ == "Succeed" && !t.endFlow:
		return &ir.End{Pos: pos}
	}
	return &ir.Goto{Node: name, Pos: pos}
}

// next lowers the Next or End of a state.
func (l *loader) next(s *state) ir.Transition {
	nm := s.v.get("Next")
	em := s.v.get("End")
	end := false
	if em != nil && l.kindOf(em, s.loc.field("End"), kBool) {
		end = em.val.b
		if !end && nm == nil {
			s.m.broken = true
			l.errorf(em.val.pos, s.loc.field("End"), "End must be true, or the state needs a Next")
			return nil
		}
	}
	switch {
	case nm != nil && end:
		s.m.broken = true
		l.errorf(nm.pos, s.loc.field("Next"), "a state has either Next or \"End\": true, not both")
	case nm != nil:
		if !l.kindOf(nm, s.loc.field("Next"), kString) {
			s.m.broken = true
			return nil
		}
		return l.transition(s, nm.val.str, nm.val.pos, s.loc.field("Next"))
	case end:
		s.terminal = true
		return &ir.End{Pos: em.val.pos}
	case em == nil:
		s.m.broken = true
		l.errorf(s.v.pos, s.loc.field("Next"), "a %s state needs Next or \"End\": true", s.typ)
	}
	return nil
}

// uniqueName returns base, or base with a number added if a state or
// another synthetic node has that name.
func (l *loader) uniqueName(base string) string {
	name := base
	for i := 2; l.names[name]; i++ {
		name = fmt.Sprintf("%s.%d", base, i)
	}
	l.names[name] = true
	return name
}

// reachable reports the states of m and its sub-machines that no path from
// StartAt reaches, and machines with no reachable terminal state.
func (l *loader) reachable(m *machine) {
	for _, s := range m.states {
		for _, c := range s.children {
			l.reachable(c)
		}
	}
	start := m.byName[m.startAt]
	if start == nil || m.broken || !m.startPos.IsValid() {
		return // StartAt is missing or wrong, which is reported
	}
	seen := map[*state]bool{start: true}
	queue := []*state{start}
	terminal := false
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		terminal = terminal || s.terminal
		for _, t := range s.succ {
			if !seen[t] {
				seen[t] = true
				queue = append(queue, t)
			}
		}
	}
	for _, s := range m.states {
		if !seen[s] {
			l.errorf(s.pos, s.loc, "state %q is unreachable from StartAt %q", s.name, m.startAt)
		}
	}
	if !terminal {
		l.errorf(m.startPos, m.loc.field("States"), "no reachable state ends the state machine: it needs a state with \"End\": true, a Succeed or a Fail")
	}
}

// emit appends the nodes of m to the workflow in document order, the nodes
// of a Parallel or Map state before those of its branches and its join
// after them.
func (l *loader) emit(m *machine) {
	for _, s := range m.states {
		l.w.Nodes = append(l.w.Nodes, s.nodes...)
		for _, c := range s.children {
			l.emit(c)
		}
		l.w.Nodes = append(l.w.Nodes, s.after...)
	}
}
