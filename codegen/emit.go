package codegen

import (
	"fmt"
	"strings"
	"time"

	"github.com/dave/jennifer/jen"

	"github.com/unumc/unumc/internal/ir"
)

// nodeFields emits the fields of the node's descriptor:
//
//	Workflow: "wordcount", Name: "Count", Ident: "count", Start: "split",
//	Scopes: []*rt.FanOut{{Origin: "split", ...}}, JoinOf: "split", Handle: handle,
func (g *gen) nodeFields(n *ir.Node) []field {
	d := []field{
		{"Workflow", jen.Lit(g.w.Name)},
		{"Name", jen.Lit(n.Name)},
		{"Ident", jen.Lit(n.Ident)},
		{"Start", jen.Lit(g.ident(g.w.Start))},
	}
	var scopes []*ir.Scope
	for s := n.Scope; s.Parent != nil; s = s.Parent {
		scopes = append([]*ir.Scope{s}, scopes...)
	}
	if len(scopes) > 0 {
		var lits []jen.Code
		for i, s := range scopes {
			if i == len(scopes)-1 && s.FanOut.Kind == ir.Map && s.FanOut.Limit > 0 && shaped(s.FanOut) {
				// This node may start the next element of the map, computing its input.
				lits = append(lits, inlineFields(append(g.fanOutFields(s.Origin, s.FanOut), g.cur.fanOutShaping("scope", s.Origin, s.FanOut)...)))
				continue
			}
			lits = append(lits, g.fanOutLit(s.Origin, s.FanOut))
		}
		d = append(d, field{"Scopes", jen.Index().Op("*").Qual(rtPath, "FanOut").ValuesFunc(func(vg *jen.Group) {
			for _, l := range lits {
				vg.Line().Add(l)
			}
			vg.Line()
		})})
	}
	if n.Join != nil {
		d = append(d, field{"JoinOf", jen.Lit(n.Join.Origin.Ident)})
	}
	if needsPolicy(n) {
		d = append(d, field{"Policy", jen.Id("policy")})
	}
	if needsOrigin(n) {
		d = append(d, field{"NeedsOrigin", jen.True()})
	}
	if n.Name == g.w.Start && g.keepExecution {
		d = append(d, field{"KeepExecution", jen.True()})
	}
	if n.AfterPrevious {
		d = append(d, field{"AfterPrevious", jen.True()})
	}
	return append(d, field{"Handle", jen.Id("handle")})
}

// needsPolicy reports whether the node's descriptor has a Policy: a timeout,
// a retrier, or a catcher that needs the input kept.
func needsPolicy(n *ir.Node) bool {
	return n.Timeout > 0 || len(n.Retry) > 0 || intoCatch(n)
}

// retriesFanOut reports whether the node is a join whose retriers run its
// fan-out again: it calls no function of its own to retry.
func retriesFanOut(n *ir.Node) bool {
	return n.Join != nil && n.Func == nil && len(n.Retry) > 0
}

// intoCatch reports whether one of the node's catchers sets the error into
// the node's input.
func intoCatch(n *ir.Node) bool {
	for _, c := range n.Catch {
		if c.Into != nil && len(c.Into.Steps) > 0 {
			return true
		}
	}
	return false
}

// policyLit emits the body of a node's policy, for &rt.Policy:
//
//	{
//		Timeout: 30 * time.Second,
//		Retry: []rt.Retrier{
//			{Errors: []string{"OutOfStock"}, Interval: 2 * time.Second, MaxAttempts: 5, Backoff: 1.5, MaxDelay: 20 * time.Second, Jitter: true},
//		},
//		KeepInput: true,
//	}
func (g *gen) policyLit(n *ir.Node) *jen.Statement {
	var d []field
	if n.Timeout > 0 {
		d = append(d, field{"Timeout", durationLit(n.Timeout)})
	}
	if len(n.Retry) > 0 {
		name := "Retry"
		if retriesFanOut(n) {
			name = "FanOutRetry"
		}
		d = append(d, field{name, jen.Index().Qual(rtPath, "Retrier").ValuesFunc(func(vg *jen.Group) {
			for _, r := range n.Retry {
				vg.Line().Add(retrierLit(r))
			}
			vg.Line()
		})})
	}
	if intoCatch(n) {
		d = append(d, field{"KeepInput", jen.True()})
	}
	return fields(d)
}

// retrierLit emits one retrier, every field but the zero MaxDelay and Jitter:
//
//	{Errors: []string{"States.ALL"}, Interval: time.Second, MaxAttempts: 3, Backoff: 2.0}
func retrierLit(r *ir.Retrier) *jen.Statement {
	errs := make([]jen.Code, len(r.Errors))
	for i, e := range r.Errors {
		errs[i] = jen.Lit(e)
	}
	d := []field{
		{"Errors", jen.Index().String().Values(errs...)},
		{"Interval", durationLit(r.Interval)},
		{"MaxAttempts", jen.Lit(r.MaxAttempts)},
		{"Backoff", jen.Lit(r.Backoff)},
	}
	if r.MaxDelay > 0 {
		d = append(d, field{"MaxDelay", durationLit(r.MaxDelay)})
	}
	if r.Jitter {
		d = append(d, field{"Jitter", jen.True()})
	}
	return inlineFields(d)
}

// durationLit emits a duration in the largest unit that divides it:
//
//	time.Second    30 * time.Second    1500 * time.Millisecond
func durationLit(d time.Duration) *jen.Statement {
	units := []struct {
		name string
		d    time.Duration
	}{{"Hour", time.Hour}, {"Minute", time.Minute}, {"Second", time.Second},
		{"Millisecond", time.Millisecond}, {"Microsecond", time.Microsecond}, {"Nanosecond", time.Nanosecond}}
	for _, u := range units {
		if d%u.d == 0 {
			if d == u.d {
				return jen.Qual("time", u.name)
			}
			return jen.Lit(int(d/u.d)).Op("*").Qual("time", u.name)
		}
	}
	return jen.Lit(int64(d))
}

// field is one field of a composite literal, kept in the order written.
type field struct {
	name  string
	value jen.Code
}

// fields emits a multi-line keyed literal body: {\n Name: value,\n ...}.
func fields(fs []field) *jen.Statement {
	return jen.ValuesFunc(func(g *jen.Group) {
		for _, f := range fs {
			g.Line().Id(f.name).Op(":").Add(f.value)
		}
		g.Line()
	})
}

// inlineFields emits a one-line keyed literal body: {Name: value, ...}.
func inlineFields(fs []field) *jen.Statement {
	return jen.ValuesFunc(func(g *jen.Group) {
		for _, f := range fs {
			g.Id(f.name).Op(":").Add(f.value)
		}
	})
}

// fanOutLit emits the body of a fan-out's description, for &rt.FanOut or an
// element of []*rt.FanOut:
//
//	{Origin: "split", Join: "merge", Heads: []string{"count"}, Map: true, Items: rt.Path{"chunks"}, Limit: 8}
func (g *gen) fanOutLit(origin *ir.Node, fo *ir.FanOut) *jen.Statement {
	return inlineFields(g.fanOutFields(origin, fo))
}

func (g *gen) fanOutFields(origin *ir.Node, fo *ir.FanOut) []field {
	heads := make([]jen.Code, len(fo.Branches))
	for i, b := range fo.Branches {
		heads[i] = jen.Lit(g.ident(b.Start))
	}
	d := []field{
		{"Origin", jen.Lit(origin.Ident)},
		{"Join", jen.Lit(g.ident(fo.Join.Node))},
		{"Heads", jen.Index().String().Values(heads...)},
	}
	if fo.Kind == ir.Map {
		d = append(d, field{"Map", jen.True()}, field{"Items", pathLit(fo.Items)})
		if fo.Limit > 0 {
			d = append(d, field{"Limit", jen.Lit(fo.Limit)})
		}
		if w := g.waiting(fo); w != nil {
			d = append(d, field{"Wait", jen.Lit(w.Ident)})
		}
	}
	return d
}

// waiting returns the node of a map's branch that waits for the previous
// element, or nil.
func (g *gen) waiting(fo *ir.FanOut) *ir.Node {
	if head := g.w.Node(fo.Branches[0].Start); fo.Kind == ir.Map && head != nil && head.Scope != nil {
		return head.Scope.AfterPrevious()
	}
	return nil
}

// body emits handle's statements: the checkpointed call, then the continuation.
//
//	res, err := x.Call(ctx, rt.Func(hello.Greet))
//	if res == nil {
//		return err // ...
//	}
//	if res.Failed() {
//		<catchers>
//		return x.Fail(ctx, res.Failure)
//	}
//	<continuation>
func (g *gen) body(n *ir.Node) []jen.Code {
	fn := jen.Nil()
	if n.Func != nil {
		fn = jen.Qual(rtPath, "Func").Call(jen.Qual(n.Func.Import, n.Func.Name))
	}
	if hasFlow(n) {
		fn = jen.Id("flow").Call(jen.Id("x"), fn)
	}
	var failed []jen.Code
	if retriesFanOut(n) {
		// if retried, err := x.RetryFanOut(ctx); retried {
		// 	return err // the parallel runs again from "Quote"
		// }
		failed = append(failed, jen.If(jen.List(jen.Id("retried"), jen.Err()).Op(":=").Id("x").Dot("RetryFanOut").Call(jen.Id("ctx")), jen.Id("retried")).Block(
			jen.Return(jen.Err()).Comment(fmt.Sprintf("the %s runs again from %q", n.Join.FanOut.Kind, n.Join.Origin.Name)),
		))
	}
	failed = append(failed, g.catchers(n)...)
	failed = append(failed, jen.Return(jen.Id("x").Dot("Fail").Call(jen.Id("ctx"), jen.Id("res").Dot("Failure"))))
	code := []jen.Code{
		jen.List(jen.Id("res"), jen.Err()).Op(":=").Id("x").Dot("Call").Call(jen.Id("ctx"), fn),
		jen.If(jen.Id("res").Op("==").Nil()).Block(
			jen.Return(jen.Err()).Comment("an error to retry, or a late duplicate with nothing left to do"),
		),
		jen.If(jen.Id("res").Dot("Failed").Call()).Block(failed...),
	}
	return append(code, g.continuation(n, n.Next)...)
}

// catchers emits a switch over the node's catchers, in order, each case
// continuing with its handler:
//
//	switch {
//	case res.Failure.Matches("States.ALL"):
//		// catch States.ALL into .error -> Fallback (pay.unum:12:2)
//		return x.Catch(ctx, "fallback", rt.Path{"error"})
//	}
func (g *gen) catchers(n *ir.Node) []jen.Code {
	if len(n.Catch) == 0 {
		return nil
	}
	return []jen.Code{jen.Switch().BlockFunc(func(sw *jen.Group) {
		for _, c := range n.Catch {
			errs := make([]jen.Code, len(c.Errors))
			for i, e := range c.Errors {
				errs[i] = jen.Lit(e)
			}
			into, src := jen.Nil(), ""
			if c.Into != nil && len(c.Into.Steps) > 0 {
				into, src = pathLit(*c.Into), " into "+c.Into.String()
			}
			call := "Catch"
			if c.Next.Back {
				call = "CatchLoop"
			}
			block := []jen.Code{jen.Comment(fmt.Sprintf("catch %s%s -> %s (%s)", strings.Join(c.Errors, ", "), src, c.Next.Node, g.pos(c.Pos)))}
			if c.Assign != nil {
				// The error object is "$" of the catcher's Assign.
				errObj := jen.Map(jen.String()).Any().Values(jen.Dict{
					jen.Lit("Error"): jen.Id("res").Dot("Failure").Dot("Error"),
					jen.Lit("Cause"): jen.Id("res").Dot("Failure").Dot("Cause"),
				})
				block = append(block, g.assignNext(fmt.Sprintf("the catcher %s", g.paren(c.Pos)), c.Assign, errObj)...)
			}
			block = append(block, jen.Return(jen.Id("x").Dot(call).Call(jen.Id("ctx"), jen.Lit(g.ident(c.Next.Node)), into)))
			sw.Case(jen.Id("res").Dot("Failure").Dot("Matches").Call(errs...)).Block(block...)
		}
	})}
}

// assignNext emits the Assign of a catcher or a choice, which a
// continuation computes from the committed result in and the variables the
// node passes on, for its target:
//
//	c := stateContext(ctx, x)
//	if set, err := assign1(c, v); err != nil {
//		return x.Fail(ctx, rt.FailureOf(err))
//	} else if err := x.AssignNext(set); err != nil {
//		return x.Fail(ctx, rt.FailureOf(err))
//	}
func (g *gen) assignNext(what string, o *ir.Object, in jen.Code) []jen.Code {
	f := g.cur
	name, ok := f.assignFns[o]
	if !ok {
		f.assigns++
		name = fmt.Sprintf("assign%d", f.assigns)
		f.assign(name, fmt.Sprintf("%s computes the variables that %s of %q assigns %s.", name, what, f.n.Name, g.paren(o.Pos)), o, "Assign")
		if f.assignFns == nil {
			f.assignFns = map[*ir.Object]string{}
		}
		f.assignFns[o] = name
	}
	fail := jen.Return(jen.Id("x").Dot("Fail").Call(jen.Id("ctx"), jen.Qual(rtPath, "FailureOf").Call(jen.Err())))
	return []jen.Code{
		jen.If(jen.List(jen.Id("set"), jen.Err()).Op(":=").Id(name).Call(f.contextCall(), in), jen.Err().Op("!=").Nil()).Block(fail).
			Else().If(jen.Err().Op(":=").Id("x").Dot("AssignNext").Call(jen.Id("set")), jen.Err().Op("!=").Nil()).Block(fail.Clone()),
	}
}

// choiceAssign is what a choice assigns when it takes case c (nil: the
// default): the choice's Assign with the case's, whose fields win.
func choiceAssign(ch *ir.Choice, c *ir.Case) *ir.Object {
	if c == nil || c.Assign == nil {
		return ch.Assign
	}
	if ch.Assign == nil {
		return c.Assign
	}
	o := &ir.Object{Pos: c.Assign.Pos}
	own := map[string]bool{}
	for _, f := range c.Assign.Fields {
		own[f.Name] = true
	}
	for _, f := range ch.Assign.Fields {
		if !own[f.Name] {
			o.Fields = append(o.Fields, f)
		}
	}
	o.Fields = append(o.Fields, c.Assign.Fields...)
	return o
}

// condReadsVars reports whether a choice's conditions read a variable.
func condReadsVars(ch *ir.Choice) bool {
	found := false
	var walk func(c ir.Cond)
	path := func(p *ir.Path) { found = found || p != nil && p.Var != "" }
	walk = func(c ir.Cond) {
		switch c := c.(type) {
		case *ir.Compare:
			path(&c.Left)
			path(c.Right.Path)
		case *ir.Has:
			path(&c.Path)
		case *ir.IsType:
			path(&c.Path)
		case *ir.Matches:
			path(&c.Path)
		case *ir.Not:
			walk(c.Cond)
		case *ir.And:
			for _, d := range c.Conds {
				walk(d)
			}
		case *ir.Or:
			for _, d := range c.Conds {
				walk(d)
			}
		}
	}
	for _, cs := range ch.Cases {
		walk(cs.Cond)
	}
	return found
}

// continuation emits the statements that carry out a transition.
func (g *gen) continuation(n *ir.Node, t ir.Transition) []jen.Code {
	switch t := t.(type) {
	case *ir.Choice:
		return g.choice(n, t)
	case *ir.FanOut:
		// return x.FanOut(ctx, fanOut)
		return []jen.Code{jen.Return(jen.Id("x").Dot("FanOut").Call(jen.Id("ctx"), jen.Id("fanOut")))}
	}
	return []jen.Code{jen.Return(g.simple(n, t))}
}

// simple emits the call for a goto, a loop, an end or a fail:
//
//	x.Goto(ctx, "shout")    x.Loop(ctx, "step")    x.End(ctx)    x.FailWith(ctx, "BadMode", "...")
func (g *gen) simple(n *ir.Node, t ir.Transition) *jen.Statement {
	switch t := t.(type) {
	case *ir.Goto:
		if t.Back {
			return jen.Id("x").Dot("Loop").Call(jen.Id("ctx"), jen.Lit(g.ident(t.Node)))
		}
		if g.w.Node(t.Node).AfterPrevious {
			return jen.Id("x").Dot("GotoAfterPrevious").Call(jen.Id("ctx"), jen.Lit(g.ident(t.Node)))
		}
		return jen.Id("x").Dot("Goto").Call(jen.Id("ctx"), jen.Lit(g.ident(t.Node)))
	case *ir.End:
		return jen.Id("x").Dot("End").Call(jen.Id("ctx"))
	case *ir.Fail:
		if t.ErrorExpr != nil || t.CauseExpr != nil {
			return g.cur.failExpr(t)
		}
		return jen.Id("x").Dot("FailWith").Call(jen.Id("ctx"), jen.Lit(t.Error), jen.Lit(t.Cause))
	}
	panic(fmt.Sprintf("codegen: unexpected transition %T after node %q", t, n.Name))
}

// choice emits a switch over the node's decoded output:
//
//	v, err := res.Value()
//	if err != nil {
//		return err
//	}
//	switch {
//	case rt.Compare(v, rt.Path{"action"}, rt.Eq, "cool"): // when .action == "cool" (iot.unum:14:3)
//		return x.Goto(ctx, "cool")
//	default:
//		return x.FailWith(ctx, "States.NoChoiceMatched", ...)
//	}
func (g *gen) choice(n *ir.Node, c *ir.Choice) []jen.Code {
	code := []jen.Code{
		jen.List(jen.Id("v"), jen.Err()).Op(":=").Id("res").Dot("Value").Call(),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
	}
	g.condVars = condReadsVars(c)
	defer func() { g.condVars = false }()
	if g.condVars {
		// Conditions read the variables the node passes on as well as its
		// output: paths select in one document holding both.
		code = append(code,
			jen.List(jen.Id("vars"), jen.Err()).Op(":=").Id("x").Dot("Variables").Call(),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
			jen.Id("doc").Op(":=").Map(jen.String()).Any().Values(jen.Dict{jen.Lit("output"): jen.Id("v"), jen.Lit("vars"): jen.Id("vars")}))
	}
	then := func(cs *ir.Case, t ir.Transition) []jen.Code {
		var out []jen.Code
		if o := choiceAssign(c, cs); o != nil {
			what := "the choice"
			if cs != nil && cs.Assign != nil {
				what = "the case " + g.paren(cs.Pos)
			}
			out = append(out, g.assignNext(what, o, jen.Id("v"))...)
		}
		return append(out, jen.Return(g.simple(n, t)))
	}
	return append(code,
		jen.Switch().BlockFunc(func(sw *jen.Group) {
			for _, cs := range c.Cases {
				sw.Case(g.cond(cs.Cond)).Block(append([]jen.Code{
					jen.Comment(fmt.Sprintf("when %s (%s)", ir.CondString(cs.Cond), g.pos(cs.Pos)))},
					then(cs, cs.Then)...)...)
			}
			if c.Default != nil {
				sw.Default().Block(then(nil, c.Default)...)
			} else {
				sw.Default().Block(jen.Return(jen.Id("x").Dot("FailWith").Call(jen.Id("ctx"),
					jen.Lit("States.NoChoiceMatched"),
					jen.Lit(fmt.Sprintf("no case of the choice after %q matched", n.Name)))))
			}
		}))
}
