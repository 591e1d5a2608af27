package lang

import (
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/unumc/unumc/internal/ir"
)

// Print writes a checked workflow as formatted .unum source, whichever front
// end it came from, so that Load reads it back to the same workflow: the
// same ir.Dump, except that no node is synthetic. Every node becomes an
// explicit declaration (a synthetic pass node of another front end, such as
// "P.join", is a pass node like any other), in the workflow's order.
//
// The chains follow the transitions: a node is written right after the
// node that leads to it, in the same chain, when that is its only way in
// (not counting the start, a branch or a join as a second one); a node with
// several ways in is a jump wherever it is reached and continues in a chain
// of its own. Conditions are written with the fewest parentheses, so an
// "and" directly inside an "and" (or an "or" inside an "or") is flattened:
// the same condition, but a different tree.
//
// Print fails on what .unum cannot write (a wait on a node that calls a
// function, a payload template that is not JSON) and checks its own output:
// it is an error if the output does not load back to the same workflow.
func Print(w *ir.Workflow) ([]byte, error) {
	p := &irPrinter{
		w:       w,
		byName:  map[string]*ir.Node{},
		flowIn:  map[string]int{},
		catchIn: map[string]int{},
		written: map[string]bool{},
		queued:  map[string]bool{},
	}
	f, err := p.file()
	if err != nil {
		return nil, err
	}
	// Formatting the tree built here and reading it back tidies it (of
	// parentheses a condition does not need, say), so that formatting it
	// again gives the canonical text.
	f, err = Parse(f.Name, Format(f))
	if err != nil {
		return nil, fmt.Errorf("lang: the printed workflow %q does not parse: %v", w.Name, err)
	}
	out := Format(f)
	if w.Root == nil {
		return out, nil // not checked: nothing to compare the result with
	}
	name := w.Name + ".unum"
	back, err := Load(name, out)
	if err != nil {
		return nil, fmt.Errorf("lang: the printed workflow %q does not load: %v\n%s", w.Name, err, out)
	}
	if want, got := dumpFlat(w), ir.Dump(back); want != got {
		return nil, fmt.Errorf("lang: the printed workflow %q is not the same: %s\n%s", w.Name, firstDiff(want, got), out)
	}
	return out, nil
}

type irPrinter struct {
	w       *ir.Workflow
	byName  map[string]*ir.Node
	flowIn  map[string]int    // edges into a node from the start, transitions, branches and joins
	catchIn map[string]int    // edges into a node from catchers
	alias   map[string]string // the package name of each import path
	written map[string]bool   // nodes whose transition has been written
	queued  map[string]bool
	queue   []*ir.Node // nodes to continue in chains of their own
	err     error      // the first thing that cannot be written
}

// fail records the first thing that cannot be written.
func (p *irPrinter) fail(format string, args ...any) {
	if p.err == nil {
		p.err = fmt.Errorf("lang: "+format, args...)
	}
}

// file builds the syntax tree of the workflow: its name, the imports, the
// node declarations and the chains.
func (p *irPrinter) file() (*File, error) {
	w := p.w
	if w.Start == "" {
		return nil, fmt.Errorf("lang: workflow %q has no start", w.Name)
	}
	for _, n := range w.Nodes {
		p.byName[n.Name] = n
	}
	p.flowIn[w.Start]++
	for _, n := range w.Nodes {
		for _, g := range transitionGotos(n.Next) {
			p.flowIn[g.Node]++
		}
		if f, ok := n.Next.(*ir.FanOut); ok {
			for _, b := range f.Branches {
				p.flowIn[b.Start]++
			}
		}
		for _, c := range n.Catch {
			if c.Next != nil {
				p.catchIn[c.Next.Node]++
			}
		}
	}

	f := &File{Name: w.Name + ".unum"}
	f.Decls = append(f.Decls, &WorkflowDecl{Name: Text(w.Name)})
	for i, imp := range p.imports() {
		imp.BlankBefore = i == 0
		f.Decls = append(f.Decls, imp)
	}
	for i, n := range w.Nodes {
		d := p.node(n)
		d.BlankBefore = i == 0 || d.Block || i > 0 && f.Decls[len(f.Decls)-1].(*NodeDecl).Block
		f.Decls = append(f.Decls, d)
	}
	if p.byName[w.Start] == nil {
		return nil, fmt.Errorf("lang: the start of workflow %q, node %q, is not declared", w.Name, w.Start)
	}
	start := &ChainDecl{Start: true, Chain: &Chain{Steps: p.mention(w.Start), BlankBefore: true}}
	f.Decls = append(f.Decls, start)
	for {
		for len(p.queue) > 0 {
			n := p.queue[0]
			p.queue = p.queue[1:]
			if !p.written[n.Name] {
				steps := append([]Step{&Ref{Name: Text(n.Name)}}, p.after(n)...)
				f.Decls = append(f.Decls, &ChainDecl{Chain: &Chain{Steps: steps}})
			}
		}
		if p.err != nil || !p.unwritten() {
			break
		}
	}
	if p.err != nil {
		return nil, p.err
	}
	return f, nil
}

// unwritten queues the first node, in workflow order, that still needs a
// chain: one the walk from the start did not reach.
func (p *irPrinter) unwritten() bool {
	for _, n := range p.w.Nodes {
		if p.needsChain(n) {
			p.enqueue(n.Name)
			return true
		}
	}
	return false
}

// needsChain reports whether n's transition has yet to be written.
func (p *irPrinter) needsChain(n *ir.Node) bool {
	_, end := n.Next.(*ir.End)
	return !p.written[n.Name] && !end && n.Next != nil
}

func (p *irPrinter) enqueue(name string) {
	n := p.byName[name]
	if n == nil {
		p.fail("node %q is not declared", name)
		return
	}
	if p.needsChain(n) && !p.queued[name] {
		p.queued[name] = true
		p.queue = append(p.queue, n)
	}
}

// transitionGotos lists the gotos of a transition: its target, the targets
// of a choice, the join of a fan-out.
func transitionGotos(t ir.Transition) []*ir.Goto {
	switch t := t.(type) {
	case *ir.Goto:
		return []*ir.Goto{t}
	case *ir.Choice:
		var out []*ir.Goto
		for _, c := range t.Cases {
			out = append(out, transitionGotos(c.Then)...)
		}
		return append(out, transitionGotos(t.Default)...)
	case *ir.FanOut:
		if t.Join != nil {
			return []*ir.Goto{t.Join}
		}
	}
	return nil
}

// imports declares each package the nodes call, sorted by path, under its
// own name when that is a name no other import takes, and otherwise under an
// alias made from it: "gopkg.in/yaml.v3" is yaml_v3, a second ".../util" is
// util2.
func (p *irPrinter) imports() []*ImportDecl {
	var paths []string
	seen := map[string]bool{}
	for _, n := range p.w.Nodes {
		if n.Func != nil && !seen[n.Func.Import] {
			seen[n.Func.Import] = true
			paths = append(paths, n.Func.Import)
		}
	}
	sort.Strings(paths)
	p.alias = map[string]string{}
	taken := map[string]bool{}
	var out []*ImportDecl
	for _, ip := range paths {
		d := &ImportDecl{Path: Text(ip)}
		name := packageName(ip)
		if !isIdent(name) || taken[name] {
			base := aliasFor(name)
			name = base
			for i := 2; taken[name]; i++ {
				name = fmt.Sprintf("%s%d", base, i)
			}
			d.Alias = name
		}
		taken[name] = true
		p.alias[ip] = name
		out = append(out, d)
	}
	return out
}

// aliasFor makes a package name out of the last element of an import path.
func aliasFor(base string) string {
	b := []byte(path.Base(base))
	for i, c := range b {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			b[i] = '_'
		}
	}
	s := strings.Trim(string(b), "_")
	switch {
	case s == "":
		return "pkg"
	case s[0] >= '0' && s[0] <= '9':
		return "pkg" + s
	case isKeyword(s):
		return s + "_"
	}
	return s
}

// node declares a node with its options.
func (p *irPrinter) node(n *ir.Node) *NodeDecl {
	d := &NodeDecl{Name: &Name{Name: Text(n.Name)}}
	switch {
	case n.Func != nil && n.Wait != nil:
		p.fail("node %q calls %s and waits: only a pass node can wait", n.Name, n.Func)
	case n.Func != nil:
		if !isField(n.Func.Name) {
			p.fail("node %q calls %s, which is not a Go function name", n.Name, n.Func)
		}
		ref := &FuncRef{Package: p.alias[n.Func.Import], Name: n.Func.Name}
		if n.Func.Shape == ir.ShapeLambdaInvoke {
			d.Lambda = ref
		} else {
			d.Func = ref
		}
	case n.Wait != nil:
		d.Wait = p.wait(n)
	default:
		d.Pass = &Pass{}
	}
	if n.AfterPrevious {
		d.Afters = []*After{{}}
	}
	if fl := n.Flow; fl != nil {
		if fl.Result != nil && n.Func != nil {
			p.fail("node %q has a result and calls %s: only a pass node has a result", n.Name, n.Func)
		}
		d.pathOption("inputpath", fl.InputPath)
		d.template(p, n, "parameters", fl.Parameters, true)
		d.template(p, n, "result", fl.Result, false)
		d.template(p, n, "resultselector", fl.ResultSelector, true)
		d.pathOption("resultpath", fl.ResultPath)
		d.pathOption("outputpath", fl.OutputPath)
	}
	if n.Assign != nil {
		d.template(p, n, "assign", n.Assign, true)
	}
	if n.Timeout != 0 {
		d.Timeouts = []*Timeout{{Value: &Duration{Value: DurationValue(n.Timeout)}}}
	}
	for _, r := range n.Retry {
		rt := &Retry{Errors: errorNameASTs(r.Errors)}
		if r.Interval != time.Second {
			rt.Every = []*Duration{{Value: DurationValue(r.Interval)}}
		}
		if r.MaxAttempts != 3 {
			rt.Max = []*Number{{Value: float64(r.MaxAttempts)}}
		}
		if r.Backoff != 2 {
			rt.Backoff = []*Number{{Value: r.Backoff}}
		}
		if r.MaxDelay != 0 {
			rt.MaxDelay = []*Duration{{Value: DurationValue(r.MaxDelay)}}
		}
		if r.Jitter {
			rt.Jitter = []*Jitter{{}}
		}
		d.Retries = append(d.Retries, rt)
	}
	for _, c := range n.Catch {
		if c.Next == nil {
			p.fail("a catch of node %q has no handler", n.Name)
			continue
		}
		k := &Catch{Errors: errorNameASTs(c.Errors), Next: &Name{Name: Text(c.Next.Node)}}
		if c.Into != nil {
			k.Into = pathAST(*c.Into)
		}
		if c.Assign != nil {
			k.Assign = p.json(c.Assign, true, fmt.Sprintf("the assign of a catch of node %q", n.Name))
		}
		d.Catches = append(d.Catches, k)
	}
	d.Block = len(d.Options()) > 0
	return d
}

// wait writes the wait of a pass node.
func (p *irPrinter) wait(n *ir.Node) *Wait {
	w := n.Wait
	switch {
	case w.SecondsPath != nil && !w.SecondsPath.Null:
		return &Wait{SecondsPath: &String{Value: Text(w.SecondsPath.Text)}}
	case w.TimestampPath != nil && !w.TimestampPath.Null:
		return &Wait{Until: &String{Value: Text(w.TimestampPath.Text)}}
	case w.SecondsPath != nil || w.TimestampPath != nil:
		p.fail("the wait of node %q has a null path", n.Name)
	case w.Timestamp != "":
		return &Wait{Until: &String{Value: Text(w.Timestamp)}}
	}
	return &Wait{Seconds: &Duration{Value: DurationValue(time.Duration(w.Seconds) * time.Second)}}
}

func (d *NodeDecl) pathOption(kind string, jp *ir.JSONPath) {
	if jp != nil {
		d.Paths = append(d.Paths, &PathOption{Kind: kind, Value: pathValueAST(jp)})
	}
}

func (d *NodeDecl) template(p *irPrinter, n *ir.Node, kind string, e ir.Expr, computed bool) {
	if e != nil {
		d.Templates = append(d.Templates, &TemplateOption{Kind: kind, Value: p.json(e, computed, fmt.Sprintf("the %s of node %q", kind, n.Name))})
	}
}

func pathValueAST(jp *ir.JSONPath) *PathValue {
	if jp.Null {
		return &PathValue{Null: true}
	}
	t := Text(jp.Text)
	return &PathValue{Path: &t}
}

// jsonNumber matches a number as the lexer reads it: JSON's syntax.
var jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// json writes a payload template as JSON. With computed set, a path or an
// intrinsic call is a string under a name ending in ".$"; without it (a
// pass node's result) the template must be constant.
func (p *irPrinter) json(e ir.Expr, computed bool, where string) *JSON {
	switch e := e.(type) {
	case *ir.Object:
		o := &JSONObject{}
		for _, f := range e.Fields {
			m := &JSONMember{Name: Text(f.Name)}
			switch v := f.Value.(type) {
			case *ir.Select, *ir.Intrinsic:
				if !computed {
					p.fail("%s computes field %q: .unum writes a result as constant JSON", where, f.Name)
				}
				m.Name += ".$"
				t := Text(exprText(v))
				m.Value = &JSON{String: &t}
			default:
				if computed && strings.HasSuffix(f.Name, ".$") {
					p.fail("%s has a constant field named %q, which .unum would compute", where, f.Name)
				}
				m.Value = p.json(v, computed, where)
			}
			o.Members = append(o.Members, m)
		}
		return &JSON{Object: o}
	case *ir.Array:
		a := &JSONArray{}
		for _, it := range e.Items {
			a.Items = append(a.Items, p.json(it, computed, where))
		}
		return &JSON{Array: a}
	case *ir.Select, *ir.Intrinsic:
		if !computed {
			p.fail("%s computes a value: .unum writes a result as constant JSON", where)
		}
		return &JSON{Computed: &String{Value: Text(exprText(e))}}
	case *ir.Literal:
		switch v := e.Value.(type) {
		case nil:
			return &JSON{Null: true}
		case bool:
			b := Boolean(v)
			return &JSON{Bool: &b}
		case string:
			t := Text(v)
			return &JSON{String: &t}
		}
		text := ""
		if n, ok := e.Value.(json.Number); ok {
			text = n.String()
		} else if b, err := json.Marshal(e.Value); err == nil {
			text = string(b)
		}
		if !jsonNumber.MatchString(text) {
			p.fail("%s holds %v, which is not a JSON scalar", where, e.Value)
		}
		return &JSON{Number: &text}
	}
	p.fail("%s holds a %T", where, e)
	return &JSON{Null: true}
}

// exprText writes a path or an intrinsic call as Step Functions does.
func exprText(e ir.Expr) string {
	switch e := e.(type) {
	case *ir.Select:
		return e.Path.Text
	case *ir.Intrinsic:
		return ir.IntrinsicString(e)
	}
	return string(ir.ExprJSON(e))
}

func errorNameASTs(names []string) []*ErrorName {
	out := make([]*ErrorName, len(names))
	for i, n := range names {
		out[i] = &ErrorName{Name: Text(n)}
	}
	return out
}

// isField reports whether s can follow a dot as a .field: letters, digits
// and _, not starting with a digit; keywords too.
func isField(s string) bool { return isIdent(s) || isKeyword(s) }

// pathAST writes a path: .a.b[2], .["odd key"].
func pathAST(ip ir.Path) *Path {
	out := &Path{}
	if ip.Var != "" {
		out.Var = "$" + ip.Var
	}
	for _, s := range ip.Steps {
		switch {
		case s.IsIndex:
			v := float64(s.Index)
			out.Steps = append(out.Steps, &PathStep{Index: &v})
		case isField(s.Field):
			out.Steps = append(out.Steps, &PathStep{Field: s.Field})
		default:
			k := Text(s.Field)
			out.Steps = append(out.Steps, &PathStep{Key: &k})
		}
	}
	return out
}

// mention writes a step that mentions the node called name, followed by the
// node's transition when this is its only way in; otherwise the node is
// continued in a chain of its own.
func (p *irPrinter) mention(name string) []Step {
	steps := []Step{&Ref{Name: Text(name)}}
	n := p.byName[name]
	if n == nil {
		p.fail("node %q is not declared", name)
		return steps
	}
	if p.flowIn[name] == 1 && p.catchIn[name] == 0 && !p.written[name] {
		return append(steps, p.after(n)...)
	}
	p.enqueue(name)
	return steps
}

// after writes the steps that follow n: its transition.
func (p *irPrinter) after(n *ir.Node) []Step {
	p.written[n.Name] = true
	var steps []Step
	switch t := n.Next.(type) {
	case *ir.Goto:
		steps = p.mention(t.Node)
	case *ir.End, nil:
	case *ir.Fail:
		steps = []Step{p.failStep(t)}
	case *ir.Choice:
		steps = []Step{p.choose(n, t)}
	case *ir.FanOut:
		steps = p.fanOut(n, t)
	default:
		p.fail("node %q has an unknown transition %T", n.Name, t)
	}
	for _, c := range n.Catch {
		if c.Next != nil {
			p.enqueue(c.Next.Node)
		}
	}
	return steps
}

func (p *irPrinter) failStep(t *ir.Fail) *Fail {
	f := &Fail{}
	if t.ErrorExpr != nil {
		f.ErrorPath = &String{Value: Text(exprText(t.ErrorExpr))}
	} else {
		f.Error = &ErrorName{Name: Text(t.Error)}
	}
	switch {
	case t.CauseExpr != nil:
		f.CausePath = &String{Value: Text(exprText(t.CauseExpr))}
	case t.Cause != "":
		f.Cause = &String{Value: Text(t.Cause)}
	}
	return f
}

// target writes the chain of a case: a mention, succeed or fail.
func (p *irPrinter) target(n *ir.Node, t ir.Transition) *Chain {
	switch t := t.(type) {
	case *ir.Goto:
		return &Chain{Steps: p.mention(t.Node)}
	case *ir.End:
		return &Chain{Steps: []Step{&Succeed{}}}
	case *ir.Fail:
		return &Chain{Steps: []Step{p.failStep(t)}}
	}
	p.fail("a case of the choice after node %q leads to %T", n.Name, t)
	return &Chain{Steps: []Step{&Succeed{}}}
}

func (p *irPrinter) choose(n *ir.Node, t *ir.Choice) *Choose {
	ch := &Choose{}
	where := fmt.Sprintf("the assign of the choice after node %q", n.Name)
	if t.Assign != nil {
		ch.Assign = p.json(t.Assign, true, where)
	}
	for _, c := range t.Cases {
		k := &Case{Cond: p.cond(n, c.Cond), Chain: p.target(n, c.Then)}
		if c.Assign != nil {
			k.Assign = p.json(c.Assign, true, where)
		}
		ch.Cases = append(ch.Cases, k)
	}
	if t.Default != nil {
		ch.Else = &Else{Chain: p.target(n, t.Default)}
	}
	return ch
}

// fanOut writes a parallel or map block and the join after it.
func (p *irPrinter) fanOut(n *ir.Node, t *ir.FanOut) []Step {
	where := fmt.Sprintf("the %s after node %q", t.Kind, n.Name)
	var inputPath []*PathValue
	if t.InputPath != nil {
		inputPath = []*PathValue{pathValueAST(t.InputPath)}
	}
	var selector []*JSON
	if t.ItemSelector != nil {
		selector = []*JSON{p.json(t.ItemSelector, true, where)}
	}
	var block Step
	if t.Kind == ir.Map {
		if len(t.Branches) != 1 {
			p.fail("%s has %d branches", where, len(t.Branches))
			return nil
		}
		m := &Map{Items: pathAST(t.Items), InputPath: inputPath, ItemSelector: selector,
			Body: &Chain{Steps: p.mention(t.Branches[0].Start)}}
		if t.Limit > 0 {
			m.Limit = []*Number{{Value: float64(t.Limit)}}
		}
		block = m
	} else {
		par := &Parallel{InputPath: inputPath, Parameters: selector}
		for _, b := range t.Branches {
			par.Branches = append(par.Branches, &Chain{Steps: p.mention(b.Start)})
		}
		block = par
	}
	if t.Join == nil {
		p.fail("%s has no join", where)
		return []Step{block}
	}
	return append([]Step{block}, p.mention(t.Join.Node)...)
}

// cond writes a condition, flattening an "and" in an "and" and an "or" in
// an "or".
func (p *irPrinter) cond(n *ir.Node, c ir.Cond) *Cond {
	out := &Cond{}
	for _, d := range p.operands(n, c, true) {
		j := &Conj{}
		for _, t := range p.operands(n, d, false) {
			j.And = append(j.And, p.term(n, t))
		}
		out.Or = append(out.Or, j)
	}
	return out
}

// operands lists the operands of an "or" (or, with or unset, of an "and"),
// those of nested ones in their place; any other condition is its own only
// operand.
func (p *irPrinter) operands(n *ir.Node, c ir.Cond, or bool) []ir.Cond {
	ops := flatten(c, or)
	if len(ops) == 0 {
		p.fail("the choice after node %q has an empty \"and\" or \"or\"", n.Name)
		return []ir.Cond{&ir.Has{}}
	}
	return ops
}

func flatten(c ir.Cond, or bool) []ir.Cond {
	var ops []ir.Cond
	switch x := c.(type) {
	case *ir.Or:
		if !or {
			return []ir.Cond{c}
		}
		ops = x.Conds
	case *ir.And:
		if or {
			return []ir.Cond{c}
		}
		ops = x.Conds
	default:
		return []ir.Cond{c}
	}
	var out []ir.Cond
	for _, o := range ops {
		out = append(out, flatten(o, or)...)
	}
	return out
}

// term writes an operand of "and", in parentheses if it is an "and" or an
// "or" of several operands.
func (p *irPrinter) term(n *ir.Node, c ir.Cond) *Term {
	switch c := c.(type) {
	case *ir.And, *ir.Or:
		_, or := c.(*ir.Or)
		if ops := p.operands(n, c, or); len(ops) == 1 {
			return p.term(n, ops[0])
		}
		return &Term{Group: p.cond(n, c)}
	case *ir.Not:
		return &Term{Not: p.term(n, c.Cond)}
	case *ir.Has:
		return &Term{Has: pathAST(c.Path)}
	case *ir.IsType:
		return &Term{Test: &Test{Path: pathAST(c.Path), Type: c.Type.String()}}
	case *ir.Matches:
		t := Text(c.Pattern)
		return &Term{Test: &Test{Path: pathAST(c.Path), Pattern: &t}}
	case *ir.Compare:
		v := p.operand(n, c.Right)
		x := &Test{Path: pathAST(c.Left)}
		if c.Kind == ir.KindAny {
			x.Op, x.Value = c.Op.String(), v
		} else {
			x.Typed = &TypedCompare{Kind: c.Kind.String(), Op: c.Op.String(), Value: v}
		}
		return &Term{Test: x}
	}
	p.fail("the choice after node %q has a condition %T", n.Name, c)
	return &Term{Has: &Path{}}
}

func (p *irPrinter) operand(n *ir.Node, o ir.Operand) *Operand {
	if o.Path != nil {
		return &Operand{Path: pathAST(*o.Path)}
	}
	switch v := o.Literal.(type) {
	case nil:
		return &Operand{Null: true}
	case bool:
		b := Boolean(v)
		return &Operand{Bool: &b}
	case float64:
		return &Operand{Number: &v}
	case string:
		t := Text(v)
		return &Operand{String: &t}
	}
	p.fail("the choice after node %q compares with a %T", n.Name, o.Literal)
	return &Operand{Null: true}
}

// dumpFlat is ir.Dump of w with its conditions flattened as Print writes
// them: what the printed workflow should dump as.
func dumpFlat(w *ir.Workflow) string {
	c := *w
	c.Nodes = make([]*ir.Node, len(w.Nodes))
	for i, n := range w.Nodes {
		m := *n
		m.Synthetic = false
		if ch, ok := n.Next.(*ir.Choice); ok {
			ch2 := *ch
			ch2.Cases = make([]*ir.Case, len(ch.Cases))
			for j, cs := range ch.Cases {
				cs2 := *cs
				cs2.Cond = flatCond(cs.Cond)
				ch2.Cases[j] = &cs2
			}
			m.Next = &ch2
		}
		c.Nodes[i] = &m
	}
	return ir.Dump(&c)
}

// flatCond flattens nested "and" and "or" in a condition.
func flatCond(c ir.Cond) ir.Cond {
	switch x := c.(type) {
	case *ir.Or:
		out := &ir.Or{Pos: x.Pos}
		for _, o := range flatten(x, true) {
			out.Conds = append(out.Conds, flatCond(o))
		}
		if len(out.Conds) == 1 {
			return out.Conds[0]
		}
		return out
	case *ir.And:
		out := &ir.And{Pos: x.Pos}
		for _, o := range flatten(x, false) {
			out.Conds = append(out.Conds, flatCond(o))
		}
		if len(out.Conds) == 1 {
			return out.Conds[0]
		}
		return out
	case *ir.Not:
		return &ir.Not{Cond: flatCond(x.Cond), Pos: x.Pos}
	}
	return c
}

// firstDiff describes the first line where two dumps differ.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d of its dump is %q, not %q", i+1, b, a)
		}
	}
	return "the dumps differ"
}
