package lang

import (
	"encoding/json"
	"fmt"
	"math"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/unumc/unumc/internal/diag"
	"github.com/unumc/unumc/internal/ir"
)

// Lower turns a parsed file into a workflow. It reports what only the
// language can know — names that are not declared or not used, chains that
// go on after their end, a node continued twice — and leaves the rules of
// the graph to ir.Check.
//
// Each mention of a node in a chain gives the node its successor: the next
// step. A mention with nothing after it gives none: it is a jump to the node,
// which is continued elsewhere (or ends the workflow with its output, if no
// mention continues it). Where a branch, case or join would begin with
// something other than a node, a synthetic pass node is made up to hold that
// place; see the package documentation for their names.
//
// A node's options become its Flow (paths read by ir.ParseJSONPath, computed
// values by ir.ParseComputed), Timeout, Retry (with Step Functions' defaults
// filled in) and Catch; a catch mentions its handler as a jump does. The
// rules that the IR can express (States.ALL last and alone, bounds of max
// and backoff) are left to ir.Check.
func Lower(f *File) (*ir.Workflow, diag.List) {
	l := &lowerer{
		file:    f.Name,
		w:       &ir.Workflow{Name: defaultName(f.Name), Source: f.Name, Pos: diag.Pos{File: f.Name, Line: 1, Col: 1}},
		imports: map[string]*importInfo{},
		nodes:   map[string]*nodeInfo{},
	}
	l.decls(f)
	for _, d := range f.Decls {
		if c, ok := d.(*ChainDecl); ok {
			l.chainDecl(c)
		}
	}
	l.catches()
	l.finish()
	l.errs.Sort()
	return l.w, l.errs
}

type lowerer struct {
	file    string
	w       *ir.Workflow
	errs    diag.List
	imports map[string]*importInfo
	aliases []string // in declaration order, for suggestions
	nodes   map[string]*nodeInfo
	names   []string // declared nodes in order, for suggestions
	started bool
	pending []pendingCatch // catches, lowered after the chains
}

// pendingCatch is a catch of a node, lowered once the chains have been, so
// that a node's first mention is in a chain when it has one.
type pendingCatch struct {
	node  *ir.Node
	catch *Catch
}

type importInfo struct {
	decl *ImportDecl
	used bool
}

type nodeInfo struct {
	node      *ir.Node
	mentioned bool
	mention   diag.Pos // the first mention
	continued diag.Pos // the mention that gave the node its successor
}

func (l *lowerer) pos(p lexer.Position) diag.Pos {
	return diag.Pos{File: l.file, Line: p.Line, Col: p.Column}
}

// decls reads the workflow, import and node declarations.
func (l *lowerer) decls(f *File) {
	var named diag.Pos
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *WorkflowDecl:
			if named.IsValid() {
				l.errs.Add(l.pos(d.Pos), "the workflow is already named at %s", named)
				continue
			}
			named = l.pos(d.Pos)
			l.w.Name, l.w.Pos = string(d.Name), named
		case *ImportDecl:
			l.importDecl(d)
		}
	}
	for _, d := range f.Decls {
		if d, ok := d.(*NodeDecl); ok {
			l.nodeDecl(d)
		}
	}
	for _, a := range l.aliases {
		if imp := l.imports[a]; !imp.used {
			l.errs.Add(l.pos(imp.decl.Pos), "import %q is not used", imp.decl.Path)
		}
	}
}

func (l *lowerer) importDecl(d *ImportDecl) {
	if string(d.Path) == "" {
		l.errs.Add(l.pos(d.Pos), "empty import path")
		return
	}
	alias := d.Alias
	if alias == "" {
		alias = packageName(string(d.Path))
		if !isIdent(alias) {
			l.errs.Add(l.pos(d.Pos), "import %q needs an alias: %q is not a name", d.Path, alias)
			return
		}
	}
	if prev, ok := l.imports[alias]; ok {
		l.errs.Add(l.pos(d.Pos), "package name %q is already taken by the import at %s", alias, l.pos(prev.decl.Pos))
		return
	}
	l.imports[alias] = &importInfo{decl: d}
	l.aliases = append(l.aliases, alias)
}

// packageName is the name a package is known by without an alias: the last
// element of its path, skipping a major version suffix such as /v2.
func packageName(p string) string {
	base := path.Base(p)
	if len(base) > 1 && base[0] == 'v' && strings.Trim(base[1:], "0123456789") == "" && path.Dir(p) != "." {
		base = path.Base(path.Dir(p))
	}
	return base
}

func (l *lowerer) nodeDecl(d *NodeDecl) {
	name := string(d.Name.Name)
	if prev, ok := l.nodes[name]; ok {
		l.errs.Add(l.pos(d.Name.Pos), "node %q is already declared at %s", name, prev.node.Pos)
		return
	}
	n := &ir.Node{Name: name, Pos: l.pos(d.Name.Pos)}
	switch {
	case d.Func != nil:
		n.Func = l.funcRef(d.Func, ir.ShapePlain)
	case d.Lambda != nil:
		n.Func = l.funcRef(d.Lambda, ir.ShapeLambdaInvoke)
	case d.Wait != nil:
		n.Wait = l.wait(d.Wait)
	}
	l.flow(n, d)
	l.options(n, d)
	l.nodes[name] = &nodeInfo{node: n}
	l.names = append(l.names, name)
	l.w.Nodes = append(l.w.Nodes, n)
}

// funcRef resolves pkg.Func against the imports.
func (l *lowerer) funcRef(r *FuncRef, shape ir.FuncShape) *ir.Func {
	fn := &ir.Func{Name: r.Name, Shape: shape, Pos: l.pos(r.Pos)}
	if imp, ok := l.imports[r.Package]; ok {
		imp.used = true
		fn.Import = string(imp.decl.Path)
	} else {
		l.errs.Add(l.pos(r.Pos), "package %q is not imported%s", r.Package, diag.Suggest(r.Package, l.aliases))
	}
	if rs := []rune(r.Name); len(rs) > 0 && !unicode.IsUpper(rs[0]) {
		l.errs.Add(l.pos(r.Pos), "%s.%s is not exported", r.Package, r.Name)
	}
	return fn
}

// wait lowers the kind of a wait node: a whole number of seconds, a path
// to them, an RFC 3339 timestamp or a path to one.
func (l *lowerer) wait(w *Wait) *ir.Wait {
	out := &ir.Wait{Pos: l.pos(w.Pos)}
	switch {
	case w.Seconds != nil:
		d := time.Duration(w.Seconds.Value)
		if d < 0 || d%time.Second != 0 {
			l.errs.Add(l.pos(w.Seconds.Pos), "wait must be a whole number of seconds, not %s", ir.DurationString(d))
		}
		out.Seconds = int(d / time.Second)
	case w.SecondsPath != nil:
		out.SecondsPath = l.jsonPath("wait seconds", string(w.SecondsPath.Value), w.SecondsPath.Pos, false)
	case w.Until != nil:
		s := string(w.Until.Value)
		if strings.HasPrefix(s, "$") {
			out.TimestampPath = l.jsonPath("wait until", s, w.Until.Pos, false)
			break
		}
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			l.errs.Add(l.pos(w.Until.Pos), "wait until needs an RFC 3339 timestamp such as \"2026-01-01T00:00:00Z\" or a path such as \"$.when\", not %q", s)
		}
		out.Timestamp = s
	}
	return out
}

// jsonPath parses a Step Functions path; ref requires a reference path.
func (l *lowerer) jsonPath(what, text string, pos lexer.Position, ref bool) *ir.JSONPath {
	p, err := ir.ParseJSONPath(text, l.pos(pos), ref)
	if err == nil && ref && p.Var != "" {
		err = fmt.Errorf("%q must be a reference path into the input, not a variable", text)
	}
	if err != nil {
		l.errs.Add(l.pos(pos), "%s: %v", what, err)
		return &ir.JSONPath{Text: text, Pos: l.pos(pos)}
	}
	return p
}

// pathValue lowers a path option's value: a path, or null.
func (l *lowerer) pathValue(what string, v *PathValue, ref bool) *ir.JSONPath {
	if v.Null {
		return &ir.JSONPath{Null: true, Pos: l.pos(v.Pos)}
	}
	return l.jsonPath(what, string(*v.Path), v.Pos, ref)
}

// computed parses the value of a computed field, errorpath or causepath:
// a path or an intrinsic function call.
func (l *lowerer) computed(what, text string, pos lexer.Position) ir.Expr {
	e, err := ir.ParseComputed(text, l.pos(pos))
	if err != nil {
		l.errs.Add(l.pos(pos), "%s: %v", what, err)
		return &ir.Literal{Value: text, Pos: l.pos(pos)}
	}
	return e
}

// optionArticle is how messages name each option: node "X" already has
// an inputpath.
var optionArticle = map[string]string{
	"inputpath": "an inputpath", "parameters": "parameters", "result": "a result",
	"resultselector": "a resultselector", "resultpath": "a resultpath", "outputpath": "an outputpath",
	"assign": "an assign",
}

// flow lowers the data flow options of a node.
func (l *lowerer) flow(n *ir.Node, d *NodeDecl) {
	f := &ir.Flow{}
	seen := map[string]diag.Pos{}
	first := func(kind string, pos lexer.Position) bool {
		if prev, ok := seen[kind]; ok {
			l.errs.Add(l.pos(pos), "node %q already has %s, at %s", n.Name, optionArticle[kind], prev)
			return false
		}
		seen[kind] = l.pos(pos)
		return true
	}
	for _, o := range d.Paths {
		if !first(o.Kind, o.Pos) {
			continue
		}
		p := l.pathValue(o.Kind, o.Value, o.Kind == "resultpath")
		switch o.Kind {
		case "inputpath":
			f.InputPath = p
		case "resultpath":
			f.ResultPath = p
		default:
			f.OutputPath = p
		}
	}
	for _, o := range d.Templates {
		if !first(o.Kind, o.Pos) {
			continue
		}
		switch o.Kind {
		case "parameters":
			f.Parameters = l.template(o.Value, true)
		case "result":
			if n.Func != nil {
				l.errs.Add(l.pos(o.Pos), "result is for pass nodes; node %q calls %s.%s", n.Name, funcOf(d).Package, funcOf(d).Name)
			}
			f.Result = l.template(o.Value, false)
		case "assign":
			n.Assign = l.assign(o.Value)
		default:
			f.ResultSelector = l.template(o.Value, true)
		}
	}
	if !f.IsZero() {
		n.Flow = f
	}
}

// assign lowers the object of variables an assign sets: a template whose
// fields are the variables.
func (l *lowerer) assign(v *JSON) *ir.Object {
	o, ok := l.template(v, true).(*ir.Object)
	if !ok {
		l.errs.Add(l.pos(v.Pos), "assign needs an object of variables, such as {\"total.$\": \"$.sum\"}")
		return &ir.Object{Pos: l.pos(v.Pos)}
	}
	return o
}

// dataPath lowers a path into the node's output, which cannot be a
// variable's: what the map iterates, or where a catch puts the error.
func (l *lowerer) dataPath(what string, p *Path) ir.Path {
	out := l.path(p)
	if out.Var != "" {
		l.errs.Add(out.Pos, "%s needs a path into the node's output, not into the variable %q", what, p.Var)
		out.Var = ""
	}
	return out
}

// funcOf returns the function a node declaration calls, or nil.
func funcOf(d *NodeDecl) *FuncRef {
	if d.Func != nil {
		return d.Func
	}
	return d.Lambda
}

// template lowers a JSON value to a payload template. With computed set, a
// field whose name ends in ".$" is computed from its value, a path or an
// intrinsic function call, as in Step Functions' Parameters; without it (a
// pass node's result) every name is literal.
func (l *lowerer) template(v *JSON, computed bool) ir.Expr {
	pos := l.pos(v.Pos)
	switch {
	case v.Object != nil:
		obj := &ir.Object{Pos: pos}
		seen := map[string]diag.Pos{}
		for _, m := range v.Object.Members {
			name, mpos := string(m.Name), l.pos(m.Pos)
			var val ir.Expr
			base, dollar := strings.CutSuffix(name, ".$")
			switch {
			case m.Value.Computed != nil && computed:
				l.errs.Add(l.pos(m.Value.Pos), "write a computed field as %q: %s", base+".$", quote(m.Value.Computed.Value))
				val = l.template(m.Value, computed)
			case dollar && computed:
				name = base
				if m.Value.String == nil {
					l.errs.Add(l.pos(m.Value.Pos), "field %q must be a string: a path or an intrinsic function call", name+".$")
					val = l.template(m.Value, computed)
				} else {
					val = l.computed("field "+strconv.Quote(name+".$"), string(*m.Value.String), m.Value.Pos)
				}
			default:
				val = l.template(m.Value, computed)
			}
			if prev, ok := seen[name]; ok {
				l.errs.Add(mpos, "field %q is already set at %s", name, prev)
				continue
			}
			seen[name] = mpos
			obj.Fields = append(obj.Fields, &ir.Field{Name: name, Value: val, Pos: mpos})
		}
		return obj
	case v.Array != nil:
		arr := &ir.Array{Pos: pos}
		for _, it := range v.Array.Items {
			arr.Items = append(arr.Items, l.template(it, computed))
		}
		return arr
	case v.String != nil:
		return &ir.Literal{Value: string(*v.String), Pos: pos}
	case v.Number != nil:
		return &ir.Literal{Value: json.Number(*v.Number), Pos: pos}
	case v.Bool != nil:
		return &ir.Literal{Value: bool(*v.Bool), Pos: pos}
	case v.Computed != nil:
		if !computed {
			l.errs.Add(pos, "a result is constant: nothing in it is computed")
		}
		return l.computed("computed value", string(v.Computed.Value), v.Computed.Pos)
	}
	return &ir.Literal{Value: nil, Pos: pos}
}

// options lowers a node's option block: the timeout and the retries now,
// the catches after the chains. Retries get Step Functions' defaults:
// every 1s, max 3, backoff 2.
func (l *lowerer) options(n *ir.Node, d *NodeDecl) {
	for i, a := range d.Afters {
		if i > 0 {
			l.errs.Add(l.pos(a.Pos), "node %q already waits for the previous element, at %s", n.Name, n.AfterPreviousPos)
			continue
		}
		n.AfterPrevious, n.AfterPreviousPos = true, l.pos(a.Pos)
	}
	for i, t := range d.Timeouts {
		if i > 0 {
			l.errs.Add(l.pos(t.Pos), "node %q already has a timeout, at %s", n.Name, n.TimeoutPos)
			continue
		}
		n.Timeout, n.TimeoutPos = l.duration("timeout", t.Value), l.pos(t.Pos)
	}
	for _, r := range d.Retries {
		rt := &ir.Retrier{Errors: errorNameList(r.Errors), Interval: time.Second, MaxAttempts: 3, Backoff: 2, Pos: l.pos(r.Pos)}
		once(l, "retry", "every", r.Every, func(d *Duration) lexer.Position { return d.Pos })
		once(l, "retry", "max", r.Max, func(n *Number) lexer.Position { return n.Pos })
		once(l, "retry", "backoff", r.Backoff, func(n *Number) lexer.Position { return n.Pos })
		once(l, "retry", "maxdelay", r.MaxDelay, func(d *Duration) lexer.Position { return d.Pos })
		once(l, "retry", "jitter", r.Jitter, func(j *Jitter) lexer.Position { return j.Pos })
		if len(r.Every) > 0 {
			rt.Interval = l.duration("every", r.Every[0])
		}
		if len(r.Max) > 0 {
			v := r.Max[0].Value
			if v != math.Trunc(v) || math.Abs(v) > math.MaxInt32 {
				l.errs.Add(l.pos(r.Max[0].Pos), "retry max must be a whole number, not %s", ir.LiteralJSON(v))
			} else {
				rt.MaxAttempts = int(v)
			}
		}
		if len(r.Backoff) > 0 {
			rt.Backoff = r.Backoff[0].Value
		}
		if len(r.MaxDelay) > 0 {
			rt.MaxDelay = l.duration("maxdelay", r.MaxDelay[0])
		}
		rt.Jitter = len(r.Jitter) > 0
		n.Retry = append(n.Retry, rt)
	}
	for _, c := range d.Catches {
		l.pending = append(l.pending, pendingCatch{n, c})
	}
}

// duration returns the value of a duration that must be positive.
func (l *lowerer) duration(what string, d *Duration) time.Duration {
	v := time.Duration(d.Value)
	if v <= 0 {
		l.errs.Add(l.pos(d.Pos), "%s must be a positive duration, not %s", what, ir.DurationString(v))
	}
	return v
}

// once reports every clause of a retry, map or parallel after the first of
// its kind.
func once[T any](l *lowerer, in, what string, clauses []T, pos func(T) lexer.Position) {
	for _, c := range clauses[min(1, len(clauses)):] {
		l.errs.Add(l.pos(pos(c)), "%s already has %s, at %s", in, what, l.pos(pos(clauses[0])))
	}
}

func errorNameList(names []*ErrorName) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = string(n.Name)
	}
	return out
}

// catches lowers the catches of every node: a catch mentions its handler,
// which belongs to the node's scope like a successor.
func (l *lowerer) catches() {
	for _, p := range l.pending {
		c := p.catch
		k := &ir.Catcher{Errors: errorNameList(c.Errors), Pos: l.pos(c.Pos),
			Next: &ir.Goto{Node: string(c.Next.Name), Pos: l.pos(c.Next.Pos)}}
		if c.Into != nil {
			into := l.dataPath("catch into", c.Into)
			k.Into = &into
		}
		if c.Assign != nil {
			k.Assign = l.assign(c.Assign)
		}
		l.mention(&Ref{Pos: c.Next.Pos, Name: c.Next.Name})
		p.node.Catch = append(p.node.Catch, k)
	}
}

// defaultName turns a file name into a workflow name: its base name without
// extension, with every character that cannot be in an identifier replaced.
func defaultName(filename string) string {
	base := path.Base(strings.ReplaceAll(filename, `\`, "/"))
	base = strings.TrimSuffix(base, path.Ext(base))
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

func (l *lowerer) chainDecl(d *ChainDecl) {
	c := d.Chain
	if len(c.Steps) == 0 {
		l.errs.Add(l.pos(d.Pos), "empty chain")
		return
	}
	if d.Start {
		if l.started {
			l.errs.Add(l.pos(d.Pos), "the workflow already starts at %s", l.w.StartPos)
			// Still check the chain, but without making up nodes.
			l.entry(c, "", true)
			return
		}
		l.started = true
		l.w.StartPos = l.pos(d.Pos)
		l.w.Start = l.entry(c, "start", false)
		return
	}
	first, ok := c.Steps[0].(*Ref)
	if !ok {
		l.errs.Add(l.pos(c.Pos), "a chain must begin with a node name or with start")
		l.entry(c, "", true)
		return
	}
	l.from(first, c.Steps[1:], false)
}

// mention records a mention of a node and returns it, or nil if no node of
// that name is declared.
func (l *lowerer) mention(r *Ref) *nodeInfo {
	n, ok := l.nodes[string(r.Name)]
	if !ok {
		l.errs.Add(l.pos(r.Pos), "node %q is not declared%s", r.Name, diag.Suggest(string(r.Name), l.names))
		return nil
	}
	if !n.mentioned {
		n.mentioned, n.mention = true, l.pos(r.Pos)
	}
	return n
}

// from lowers a chain that begins with the mention r: rest gives the node its
// successor. With discard set, the chain is only checked.
func (l *lowerer) from(r *Ref, rest []Step, discard bool) {
	n := l.mention(r)
	if len(rest) == 0 {
		return
	}
	if n != nil && !discard {
		if n.continued.IsValid() {
			l.errs.Add(l.pos(r.Pos), "node %q already continues at %s", r.Name, n.continued)
			discard = true
		} else {
			n.continued = l.pos(r.Pos)
		}
	}
	t := l.next(string(r.Name), rest, discard)
	if n != nil && !discard {
		n.node.Next = t
	}
}

// entry lowers a chain that must begin with a node, the entry of a branch
// or of the workflow, and returns that node's name. If the chain begins
// with anything else, a synthetic pass node called synth comes first.
func (l *lowerer) entry(c *Chain, synth string, discard bool) string {
	if len(c.Steps) == 0 {
		l.errs.Add(l.pos(c.Pos), "empty chain")
		return synth
	}
	if r, ok := c.Steps[0].(*Ref); ok {
		l.from(r, c.Steps[1:], discard)
		return string(r.Name)
	}
	l.synthetic(synth, stepPos(c.Steps[0]), c.Steps, discard)
	return synth
}

// synthetic makes a pass node called name that continues with steps, or
// ends its scope if there are none.
func (l *lowerer) synthetic(name string, pos lexer.Position, steps []Step, discard bool) {
	n := &ir.Node{Name: name, Pos: l.pos(pos), Synthetic: true}
	if !discard {
		// Before what follows, so that nodes are listed in the order they are written.
		l.w.Nodes = append(l.w.Nodes, n)
	}
	n.Next = l.next(name, steps, discard)
	if len(steps) == 0 {
		n.Next = &ir.End{Pos: l.pos(pos)}
	}
}

// next lowers the steps that follow the node called origin into its
// transition, or nil if there are none.
func (l *lowerer) next(origin string, steps []Step, discard bool) ir.Transition {
	if len(steps) == 0 {
		return nil
	}
	switch s := steps[0].(type) {
	case *Ref:
		l.from(s, steps[1:], discard)
		return &ir.Goto{Node: string(s.Name), Pos: l.pos(s.Pos)}
	case *Succeed:
		l.last(steps, "succeed", origin)
		return &ir.End{Pos: l.pos(s.Pos)}
	case *Fail:
		l.last(steps, "fail", origin)
		return l.fail(s)
	case *Parallel:
		fan := &ir.FanOut{Kind: ir.Parallel, Pos: l.pos(s.Pos)}
		fan.InputPath = l.fanInputPath("parallel", s.InputPath)
		once(l, "parallel", "parameters", s.Parameters, func(j *JSON) lexer.Position { return j.Pos })
		if len(s.Parameters) > 0 {
			fan.ItemSelector = l.template(s.Parameters[0], true)
		}
		if len(s.Branches) == 0 {
			l.errs.Add(l.pos(s.Pos), "parallel has no branches")
		}
		for i, b := range s.Branches {
			start := l.entry(b, fmt.Sprintf("%s.branch%d", origin, i+1), discard)
			fan.Branches = append(fan.Branches, &ir.Branch{Start: start, Pos: l.pos(b.Pos)})
		}
		fan.Join = l.join(origin, s.Pos, steps[1:], discard)
		return fan
	case *Map:
		fan := &ir.FanOut{Kind: ir.Map, Items: l.dataPath("map", s.Items), Pos: l.pos(s.Pos)}
		once(l, "map", "limit", s.Limit, func(n *Number) lexer.Position { return n.Pos })
		if len(s.Limit) > 0 {
			v := s.Limit[0].Value
			if v < 1 || v != math.Trunc(v) || v > math.MaxInt32 {
				l.errs.Add(l.pos(s.Limit[0].Pos), "map limit must be a positive whole number, not %s", ir.LiteralJSON(v))
			} else {
				fan.Limit = int(v)
			}
		}
		fan.InputPath = l.fanInputPath("map", s.InputPath)
		once(l, "map", "itemselector", s.ItemSelector, func(j *JSON) lexer.Position { return j.Pos })
		if len(s.ItemSelector) > 0 {
			fan.ItemSelector = l.template(s.ItemSelector[0], true)
		}
		start := l.entry(s.Body, origin+".item", discard)
		fan.Branches = []*ir.Branch{{Start: start, Pos: l.pos(s.Body.Pos)}}
		fan.Join = l.join(origin, s.Pos, steps[1:], discard)
		return fan
	case *Choose:
		l.last(steps, "choose", origin)
		ch := &ir.Choice{Pos: l.pos(s.Pos)}
		if len(s.Cases) == 0 {
			l.errs.Add(l.pos(s.Pos), "choose has no when cases")
		}
		if s.Assign != nil {
			ch.Assign = l.assign(s.Assign)
		}
		for i, c := range s.Cases {
			then := l.target(c.Chain, fmt.Sprintf("%s.when%d", origin, i+1), discard)
			k := &ir.Case{Cond: l.cond(c.Cond), Then: then, Pos: l.pos(c.Pos)}
			if c.Assign != nil {
				k.Assign = l.assign(c.Assign)
			}
			ch.Cases = append(ch.Cases, k)
		}
		if s.Else != nil {
			ch.Default = l.target(s.Else.Chain, origin+".else", discard)
		}
		return ch
	}
	panic(fmt.Sprintf("lang: unknown step %T", steps[0]))
}

// fail lowers a fail step.
func (l *lowerer) fail(s *Fail) *ir.Fail {
	f := &ir.Fail{Pos: l.pos(s.Pos)}
	if s.ErrorPath != nil {
		f.ErrorExpr = l.computed("errorpath", string(s.ErrorPath.Value), s.ErrorPath.Pos)
	} else {
		f.Error = string(s.Error.Name)
	}
	switch {
	case s.CausePath != nil:
		f.CauseExpr = l.computed("causepath", string(s.CausePath.Value), s.CausePath.Pos)
	case s.Cause != nil:
		f.Cause = string(s.Cause.Value)
		l.causeOrName(s)
	}
	return f
}

// causeOrName reports a cause on a line after its fail that names a node:
// in
//
//	A -> fail Bad
//	"Send SNS"
//
// the string is the cause of the fail, which was surely not meant.
func (l *lowerer) causeOrName(s *Fail) {
	errLine, what := s.Pos.Line, "fail"
	if s.ErrorPath != nil {
		errLine, what = s.ErrorPath.Pos.Line, "fail errorpath "+strconv.Quote(string(s.ErrorPath.Value))
	} else if s.Error != nil {
		errLine, what = s.Error.Pos.Line, "fail "+errorNameString(s.Error.Name)
	}
	name := string(s.Cause.Value)
	if _, ok := l.nodes[name]; !ok || s.Cause.Pos.Line == errLine {
		return
	}
	l.errs.Add(l.pos(s.Cause.Pos), "%q is the cause of the %s before it, not a mention of node %q; to mention the node, end the fail with an empty cause: %s \"\"", name, what, name, what)
}

// fanInputPath lowers the inputpath clauses of a parallel or map.
func (l *lowerer) fanInputPath(what string, vs []*PathValue) *ir.JSONPath {
	once(l, what, "inputpath", vs, func(v *PathValue) lexer.Position { return v.Pos })
	if len(vs) == 0 {
		return nil
	}
	return l.pathValue(what+" inputpath", vs[0], false)
}

// last reports steps that follow a step that must end its chain, and
// checks them for what else they may hold.
func (l *lowerer) last(steps []Step, what, origin string) {
	if len(steps) < 2 {
		return
	}
	hint := ""
	if what == "choose" {
		hint = "; continue each case instead"
	}
	l.errs.Add(l.pos(stepPos(steps[1])), "%s must end its chain%s", what, hint)
	l.next(origin, steps[1:], true)
}

// join lowers what follows a fan-out: its first step is the join if it is a
// node; otherwise a synthetic pass node joins and continues with the steps.
func (l *lowerer) join(origin string, pos lexer.Position, steps []Step, discard bool) *ir.Goto {
	if len(steps) > 0 {
		if r, ok := steps[0].(*Ref); ok {
			l.from(r, steps[1:], discard)
			return &ir.Goto{Node: string(r.Name), Pos: l.pos(r.Pos)}
		}
		pos = stepPos(steps[0])
	}
	name := origin + ".join"
	l.synthetic(name, pos, steps, discard)
	return &ir.Goto{Node: name, Pos: l.pos(pos)}
}

// target lowers the chain of a case: a node, succeed or fail is the case's
// target; anything else gets a synthetic pass node to start from.
func (l *lowerer) target(c *Chain, synth string, discard bool) ir.Transition {
	if len(c.Steps) == 0 {
		l.errs.Add(l.pos(c.Pos), "empty chain")
		return &ir.End{Pos: l.pos(c.Pos)}
	}
	switch s := c.Steps[0].(type) {
	case *Ref, *Succeed, *Fail:
		return l.next(synth, c.Steps, discard)
	default:
		l.synthetic(synth, stepPos(s), c.Steps, discard)
		return &ir.Goto{Node: synth, Pos: l.pos(stepPos(s))}
	}
}

// finish ends the nodes that no mention continues and reports unused ones.
func (l *lowerer) finish() {
	for _, name := range l.names {
		n := l.nodes[name]
		switch {
		case !n.mentioned:
			l.errs.Add(n.node.Pos, "node %q is declared but not used", name)
		case n.node.Next == nil:
			n.node.Next = &ir.End{Pos: n.mention}
		}
	}
}

func (l *lowerer) path(p *Path) ir.Path {
	out := ir.Path{Var: strings.TrimPrefix(p.Var, "$"), Pos: l.pos(p.Pos)}
	for _, s := range p.Steps {
		switch {
		case s.Key != nil:
			out.Steps = append(out.Steps, ir.Step{Field: string(*s.Key)})
		case s.Index != nil:
			v := *s.Index
			if v < 0 || v != math.Trunc(v) || v > math.MaxInt32 {
				l.errs.Add(l.pos(s.Pos), "index must be a whole number from 0, not %s", ir.LiteralJSON(v))
			}
			out.Steps = append(out.Steps, ir.Step{Index: int(max(0, min(v, math.MaxInt32))), IsIndex: true})
		default:
			out.Steps = append(out.Steps, ir.Step{Field: s.Field})
		}
	}
	return out
}

func (l *lowerer) cond(c *Cond) ir.Cond {
	if len(c.Or) == 1 {
		return l.conj(c.Or[0])
	}
	or := &ir.Or{Pos: l.pos(c.Pos)}
	for _, j := range c.Or {
		or.Conds = append(or.Conds, l.conj(j))
	}
	return or
}

func (l *lowerer) conj(j *Conj) ir.Cond {
	if len(j.And) == 1 {
		return l.term(j.And[0])
	}
	and := &ir.And{Pos: l.pos(j.Pos)}
	for _, t := range j.And {
		and.Conds = append(and.Conds, l.term(t))
	}
	return and
}

func (l *lowerer) term(t *Term) ir.Cond {
	pos := l.pos(t.Pos)
	switch {
	case t.Not != nil:
		return &ir.Not{Cond: l.term(t.Not), Pos: pos}
	case t.Group != nil:
		return l.cond(t.Group)
	case t.Has != nil:
		return &ir.Has{Path: l.path(t.Has), Pos: pos}
	}
	x := t.Test
	left := l.path(x.Path)
	switch {
	case x.Pattern != nil:
		return &ir.Matches{Path: left, Pattern: string(*x.Pattern), Pos: pos}
	case x.Type != "":
		return &ir.IsType{Path: left, Type: typeOf(x.Type), Pos: pos}
	}
	op, kind, v := x.Op, "", x.Value
	if x.Typed != nil {
		op, kind, v = x.Typed.Op, x.Typed.Kind, x.Typed.Value
	}
	cmp := &ir.Compare{Op: opOf(op), Kind: kindOf(kind), Left: left, Pos: pos}
	switch {
	case v.Path != nil:
		p := l.path(v.Path)
		cmp.Right.Path = &p
	case v.Number != nil:
		cmp.Right.Literal = *v.Number
	case v.String != nil:
		cmp.Right.Literal = string(*v.String)
	case v.Bool != nil:
		cmp.Right.Literal = bool(*v.Bool)
	}
	return cmp
}

func typeOf(name string) ir.Type {
	switch name {
	case "string":
		return ir.TypeString
	case "number":
		return ir.TypeNumber
	case "bool":
		return ir.TypeBool
	case "array":
		return ir.TypeArray
	case "object":
		return ir.TypeObject
	case "timestamp":
		return ir.TypeTimestamp
	}
	return ir.TypeNull
}

func kindOf(name string) ir.Kind {
	switch name {
	case "number":
		return ir.KindNumber
	case "string":
		return ir.KindString
	case "bool":
		return ir.KindBool
	case "timestamp":
		return ir.KindTimestamp
	}
	return ir.KindAny
}

func opOf(op string) ir.Op {
	switch op {
	case "!=":
		return ir.Ne
	case "<":
		return ir.Lt
	case "<=":
		return ir.Le
	case ">":
		return ir.Gt
	case ">=":
		return ir.Ge
	}
	return ir.Eq
}

// stepPos returns where a step begins.
func stepPos(s Step) lexer.Position {
	switch s := s.(type) {
	case *Ref:
		return s.Pos
	case *Parallel:
		return s.Pos
	case *Map:
		return s.Pos
	case *Choose:
		return s.Pos
	case *Succeed:
		return s.Pos
	case *Fail:
		return s.Pos
	}
	return lexer.Position{}
}
