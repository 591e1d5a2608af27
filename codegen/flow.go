package codegen

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/unumc/unumc/internal/ir"
)

const statesPath = "github.com/unumc/unumc/rt/states"

// hasFlow reports whether a node's function is wrapped in data flow: input
// and output processing, a wait, or the shape of the Lambda integration.
func hasFlow(n *ir.Node) bool {
	return !n.Flow.IsZero() || n.Wait != nil || n.Assign != nil || n.Func != nil && n.Func.Shape == ir.ShapeLambdaInvoke
}

// shaped reports whether a fan-out computes its branches' inputs.
func shaped(fo *ir.FanOut) bool {
	return fo.InputPath != nil || fo.ItemSelector != nil
}

// needsOrigin reports whether a join's data flow merges into the output of
// its fan-out's origin.
func needsOrigin(n *ir.Node) bool {
	return n.Join != nil && n.Flow != nil && (n.Flow.ResultPath != nil || intoCatch(n))
}

// usesExecution reports whether any node reads the execution's input or
// start time from the context object, so that the entry node keeps them.
func usesExecution(w *ir.Workflow) bool {
	found := false
	visit := func(e ir.Expr) {
		walkExpr(e, func(p *ir.JSONPath) {
			if p.Context && (p.Static == nil || len(p.Static.Steps) == 0 ||
				len(p.Static.Steps) >= 2 && p.Static.Steps[0].Field == "Execution" &&
					(p.Static.Steps[1].Field == "Input" || p.Static.Steps[1].Field == "StartTime")) {
				found = true
			}
		})
	}
	for _, n := range w.Nodes {
		if f := n.Flow; f != nil {
			for _, e := range []ir.Expr{f.Parameters, f.Result, f.ResultSelector} {
				visit(e)
			}
			for _, p := range []*ir.JSONPath{f.InputPath, f.OutputPath} {
				if p != nil {
					visit(&ir.Select{Path: *p})
				}
			}
		}
		if fo, ok := n.Next.(*ir.FanOut); ok {
			visit(fo.ItemSelector)
			if fo.InputPath != nil {
				visit(&ir.Select{Path: *fo.InputPath})
			}
		}
		forEachFail(n, func(f *ir.Fail) { visit(f.ErrorExpr); visit(f.CauseExpr) })
	}
	return found
}

func walkExpr(e ir.Expr, f func(*ir.JSONPath)) {
	switch e := e.(type) {
	case *ir.Select:
		f(&e.Path)
	case *ir.Intrinsic:
		for _, a := range e.Args {
			walkExpr(a, f)
		}
	case *ir.Object:
		for _, fl := range e.Fields {
			walkExpr(fl.Value, f)
		}
	case *ir.Array:
		for _, it := range e.Items {
			walkExpr(it, f)
		}
	}
}

// forEachFail calls f for every fail a node's transition can take.
func forEachFail(n *ir.Node, f func(*ir.Fail)) {
	switch t := n.Next.(type) {
	case *ir.Fail:
		f(t)
	case *ir.Choice:
		for _, c := range t.Cases {
			if fl, ok := c.Then.(*ir.Fail); ok {
				f(fl)
			}
		}
		if fl, ok := t.Default.(*ir.Fail); ok {
			f(fl)
		}
	}
}

// file collects what one node's program declares beyond handle: the data
// flow helpers and the JSONPath expressions they compile once.
type file struct {
	g     *gen
	n     *ir.Node
	decls []jen.Code
	paths []string // dynamic JSONPath texts, declared as jsonPath1, ...
	fails int
	// assigns counts the Assign functions of catchers and choices, and
	// assignFns names them, so that cases that assign the same share one.
	assigns   int
	assignFns map[*ir.Object]string
	// execContext is set once code calls stateContext, which is then emitted.
	execContext bool
}

func (f *file) add(doc string, code jen.Code) {
	for _, line := range strings.Split(doc, "\n") {
		f.decls = append(f.decls, jen.Comment(line))
	}
	f.decls = append(f.decls, code, jen.Line())
}

// pathVar returns the package variable holding a compiled dynamic path.
func (f *file) pathVar(text string) *jen.Statement {
	for i, p := range f.paths {
		if p == text {
			return jen.Id(fmt.Sprintf("jsonPath%d", i+1))
		}
	}
	f.paths = append(f.paths, text)
	return jen.Id(fmt.Sprintf("jsonPath%d", len(f.paths)))
}

// finish appends the compiled paths.
func (f *file) finish() []jen.Code {
	if len(f.paths) > 0 {
		f.decls = append(f.decls, jen.Comment("The JSONPath expressions that are more than fields and indexes, compiled once."))
		f.decls = append(f.decls, jen.Var().DefsFunc(func(g *jen.Group) {
			for i, p := range f.paths {
				g.Id(fmt.Sprintf("jsonPath%d", i+1)).Op("=").Qual(statesPath, "MustCompile").Call(jen.Lit(p))
			}
		}))
	}
	return f.decls
}

// errReturn is `if err != nil { return nil, err }`.
func errReturn() *jen.Statement {
	return jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err()))
}

// contextCall emits the context object of the instance: states.FromContext,
// or stateContext when the workflow reads the execution's input or start.
func (f *file) contextCall() *jen.Statement {
	if f.g.keepExecution || f.g.vars {
		f.execContext = true
		return jen.Id("stateContext").Call(jen.Id("ctx"), jen.Id("x"))
	}
	return jen.Qual(statesPath, "FromContext").Call(jen.Id("ctx"))
}

// stateContext emits, for workflows whose nodes read the execution's input
// or start time, the function that gives the context object access to them:
//
//	func stateContext(ctx context.Context, x *rt.Invocation) *states.Context {
//		c := states.FromContext(ctx)
//		c.Start = func() (time.Time, error) { ... x.Execution(ctx) ... }
//		c.Input = func() (any, error) { ... }
//		return c
//	}
func (f *file) stateContext() {
	if !f.execContext {
		return // no code of this program builds the context object
	}
	body := []jen.Code{jen.Id("c").Op(":=").Qual(statesPath, "FromContext").Call(jen.Id("ctx"))}
	var doc []string
	if f.g.keepExecution {
		exec := jen.List(jen.Id("e"), jen.Err()).Op(":=").Id("x").Dot("Execution").Call(jen.Id("ctx"))
		body = append(body,
			jen.Id("c").Dot("Start").Op("=").Func().Params().Params(jen.Qual("time", "Time"), jen.Error()).Block(
				exec.Clone(),
				jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Qual("time", "Time").Values(), jen.Err())),
				jen.Return(jen.Id("e").Dot("Start"), jen.Nil()),
			),
			jen.Id("c").Dot("Input").Op("=").Func().Params().Params(jen.Any(), jen.Error()).Block(
				exec.Clone(),
				errReturn(),
				jen.Return(jen.Qual(statesPath, "Decode").Call(jen.Id("e").Dot("Input"))),
			))
		doc = append(doc, "the\nexecution's input and start time read from the entry checkpoint when used")
	}
	if f.g.vars {
		body = append(body, jen.Id("c").Dot("Vars").Op("=").Id("x").Dot("Variables"))
		doc = append(doc, "the workflow\nvariables x sees")
	}
	body = append(body, jen.Return(jen.Id("c")))
	f.add("stateContext returns the context object ($$) of the instance x runs, with "+strings.Join(doc, ", and with ")+".",
		jen.Func().Id("stateContext").Params(jen.Id("ctx").Qual("context", "Context"), jen.Id("x").Op("*").Qual(rtPath, "Invocation")).
			Op("*").Qual(statesPath, "Context").Block(body...))
}

// flow emits the wrapper that applies a node's data flow around its
// function, straight-line in the documented order:
//
//	func flow(x *rt.Invocation, fn rt.UserFunc) rt.UserFunc {
//		return func(ctx context.Context, raw json.RawMessage) (json.RawMessage, error) {
//			v, err := states.Decode(raw)
//			...
//			// InputPath "$.order" (order.asl.json:7:20)
//			if v, err = states.Get(v, rt.Path{"order"}, "InputPath"); err != nil {
//				return nil, err
//			}
//			...
//			return states.Encode(v)
//		}
//	}
func (f *file) flow() {
	n, fl := f.n, f.n.Flow
	if fl == nil {
		fl = &ir.Flow{}
	}
	var body []jen.Code
	usesC := fl.Parameters != nil || fl.ResultSelector != nil || fl.Result != nil || n.Assign != nil ||
		contextPath(fl.InputPath) || contextPath(fl.OutputPath) ||
		n.Wait != nil && (contextPath(n.Wait.SecondsPath) || contextPath(n.Wait.TimestampPath))
	if usesC {
		body = append(body, jen.Id("c").Op(":=").Add(f.contextCall()))
	}
	body = append(body,
		jen.List(jen.Id("v"), jen.Err()).Op(":=").Qual(statesPath, "Decode").Call(jen.Id("raw")),
		errReturn())
	keepState := n.Join == nil && fl.ResultPath != nil
	if keepState {
		body = append(body, jen.Id("state").Op(":=").Id("v").Comment("the raw input, for ResultPath"))
	}
	step := func(comment string, assign jen.Code) {
		body = append(body, jen.Comment(comment), jen.If(jen.List(jen.Id("v"), jen.Err()).Op("=").Add(assign), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())))
	}
	if p := fl.InputPath; p != nil {
		if p.Null {
			body = append(body, jen.Comment("InputPath null "+f.g.paren(p.Pos)), jen.Id("v").Op("=").Map(jen.String()).Any().Values())
		} else {
			step(fmt.Sprintf("InputPath %q %s", p.Text, f.g.paren(p.Pos)), f.selectPath(p, jen.Id("v"), "InputPath"))
		}
	}
	if fl.Parameters != nil {
		f.template("parameters", fmt.Sprintf("parameters builds the Parameters of %q %s from its effective input.", n.Name, f.g.paren(fl.Parameters.Position())), fl.Parameters, "Parameters")
		step("Parameters "+f.g.paren(fl.Parameters.Position()), jen.Id("parameters").Call(jen.Id("c"), jen.Id("v")))
	}
	if w := n.Wait; w != nil {
		body = append(body, f.wait(w)...)
	}
	switch {
	case n.Func != nil:
		step("the function", jen.Qual(statesPath, "Call").Call(jen.Id("ctx"), jen.Id("fn"), jen.Id("v")))
		if n.Func.Shape == ir.ShapeLambdaInvoke {
			body = append(body, jen.Comment("the result as the lambda:invoke integration shapes it"),
				jen.Id("v").Op("=").Qual(statesPath, "LambdaInvokeResult").Call(jen.Id("v"), jen.Qual(rtPath+"/unumctx", "IdempotencyKey").Call(jen.Id("ctx"))))
		}
	case fl.Result != nil:
		f.template("result", fmt.Sprintf("result builds the Result of %q %s.", n.Name, f.g.paren(fl.Result.Position())), fl.Result, "Result")
		step("Result "+f.g.paren(fl.Result.Position()), jen.Id("result").Call(jen.Id("c"), jen.Id("v")))
	}
	if fl.ResultSelector != nil {
		f.template("resultSelector", fmt.Sprintf("resultSelector builds the ResultSelector of %q %s from its result.", n.Name, f.g.paren(fl.ResultSelector.Position())), fl.ResultSelector, "ResultSelector")
		step("ResultSelector "+f.g.paren(fl.ResultSelector.Position()), jen.Id("resultSelector").Call(jen.Id("c"), jen.Id("v")))
	}
	if n.Assign != nil {
		f.assign("assign", fmt.Sprintf("assign computes the variables %q assigns %s from its result.", n.Name, f.g.paren(n.Assign.Pos)), n.Assign, "Assign")
		body = append(body, jen.Comment("Assign "+f.g.paren(n.Assign.Pos)+", once the node succeeds"),
			jen.List(jen.Id("vars"), jen.Err()).Op(":=").Id("assign").Call(jen.Id("c"), jen.Id("v")),
			errReturn(),
			jen.If(jen.Err().Op(":=").Id("x").Dot("Assign").Call(jen.Id("ctx"), jen.Id("vars")), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())))
	}
	if p := fl.ResultPath; p != nil {
		if n.Join != nil {
			body = append(body, jen.Comment("the input of the fan-out, which ResultPath merges into"),
				jen.List(jen.Id("state"), jen.Err()).Op(":=").Qual(statesPath, "Decode").Call(jen.Id("x").Dot("Base").Call()),
				errReturn())
		}
		if p.Null {
			body = append(body, jen.Comment("ResultPath null "+f.g.paren(p.Pos)+": the result is discarded"), jen.Id("v").Op("=").Id("state"))
		} else {
			step(fmt.Sprintf("ResultPath %q %s", p.Text, f.g.paren(p.Pos)),
				jen.Qual(statesPath, "Set").Call(jen.Id("state"), pathLit(*p.Static), jen.Id("v")))
		}
	}
	if p := fl.OutputPath; p != nil {
		if p.Null {
			body = append(body, jen.Comment("OutputPath null "+f.g.paren(p.Pos)), jen.Id("v").Op("=").Map(jen.String()).Any().Values())
		} else {
			step(fmt.Sprintf("OutputPath %q %s", p.Text, f.g.paren(p.Pos)), f.selectPath(p, jen.Id("v"), "OutputPath"))
		}
	}
	body = append(body, jen.Return(jen.Qual(statesPath, "Encode").Call(jen.Id("v"))))

	doc := fmt.Sprintf("flow wraps the function of %q in its input and output processing.", n.Name)
	if n.Func == nil {
		doc = fmt.Sprintf("flow is the input and output processing of %q, which calls no function.", n.Name)
	}
	f.add(doc, jen.Func().Id("flow").Params(jen.Id("x").Op("*").Qual(rtPath, "Invocation"), jen.Id("fn").Qual(rtPath, "UserFunc")).
		Qual(rtPath, "UserFunc").Block(
		jen.Return(jen.Func().Params(jen.Id("ctx").Qual("context", "Context"), jen.Id("raw").Qual("encoding/json", "RawMessage")).
			Params(jen.Qual("encoding/json", "RawMessage"), jen.Error()).Block(body...))))
}

func contextPath(p *ir.JSONPath) bool { return p != nil && (p.Context || p.Var != "") }

// wait emits the delay of a Wait state, ended early only by the context:
//
//	d, err := states.WaitSeconds(...)
//	t := time.NewTimer(d) ...
func (f *file) wait(w *ir.Wait) []jen.Code {
	var d jen.Code
	var pre []jen.Code
	switch {
	case w.SecondsPath != nil:
		pre = append(pre, jen.List(jen.Id("secs"), jen.Err()).Op(":=").Add(f.selectPath(w.SecondsPath, jen.Id("v"), "SecondsPath")), errReturn(),
			jen.List(jen.Id("d"), jen.Err()).Op(":=").Qual(statesPath, "WaitSeconds").Call(jen.Id("secs")), errReturn())
		d = jen.Id("d")
	case w.TimestampPath != nil:
		pre = append(pre, jen.List(jen.Id("ts"), jen.Err()).Op(":=").Add(f.selectPath(w.TimestampPath, jen.Id("v"), "TimestampPath")), errReturn(),
			jen.List(jen.Id("until"), jen.Err()).Op(":=").Qual(statesPath, "WaitUntil").Call(jen.Id("ts")), errReturn())
		d = jen.Qual("time", "Until").Call(jen.Id("until"))
	case w.Timestamp != "":
		pre = append(pre, jen.List(jen.Id("until"), jen.Err()).Op(":=").Qual(statesPath, "WaitUntil").Call(jen.Lit(w.Timestamp)), errReturn())
		d = jen.Qual("time", "Until").Call(jen.Id("until"))
	default:
		d = jen.Lit(w.Seconds).Op("*").Qual("time", "Second")
	}
	code := []jen.Code{jen.Comment("Wait " + f.g.paren(w.Pos))}
	code = append(code, pre...)
	return append(code,
		jen.Id("timer").Op(":=").Qual("time", "NewTimer").Call(d),
		jen.Defer().Id("timer").Dot("Stop").Call(),
		jen.Select().Block(
			jen.Case(jen.Op("<-").Id("timer").Dot("C")),
			jen.Case(jen.Op("<-").Id("ctx").Dot("Done").Call()).Block(jen.Return(jen.Nil(), jen.Id("ctx").Dot("Err").Call())),
		))
}

// selectPath emits the lookup of a path in v (or in the context object c):
//
//	states.Get(v, rt.Path{"a", 0}, "InputPath")    c.Get(rt.Path{"Map", "Item", "Value"}, "Parameters")
//	jsonPath1.Select(v, "Parameters")              c.Select(jsonPath2, "Parameters")
func (f *file) selectPath(p *ir.JSONPath, v jen.Code, what string) *jen.Statement {
	switch {
	case p.Var != "" && p.Static != nil:
		return jen.Id("c").Dot("Variable").Call(jen.Lit(p.Var), pathLit(*p.Static), jen.Lit(what))
	case p.Var != "":
		return jen.Id("c").Dot("SelectVariable").Call(jen.Lit(p.Var), f.pathVar("$"+strings.TrimPrefix(p.Text, "$"+p.Var)), jen.Lit(what))
	case p.Context && p.Static != nil:
		return jen.Id("c").Dot("Get").Call(pathLit(*p.Static), jen.Lit(what))
	case p.Context:
		return jen.Id("c").Dot("Select").Call(f.pathVar(p.Text), jen.Lit(what))
	case p.Static != nil:
		return jen.Qual(statesPath, "Get").Call(v, pathLit(*p.Static), jen.Lit(what))
	}
	return f.pathVar(p.Text).Dot("Select").Call(v, jen.Lit(what))
}

// template emits a function that builds a payload template from in:
//
//	func parameters(c *states.Context, in any) (any, error) {
//		v1, err := states.Get(in, rt.Path{"id"}, "Parameters") // $.id
//		if err != nil {
//			return nil, err
//		}
//		return map[string]any{"id": v1, "n": json.Number("3")}, nil
//	}
func (f *file) template(name, doc string, e ir.Expr, what string) {
	t := &tmpl{f: f, what: what}
	value := t.value(e)
	body := append(t.stmts, jen.Return(value, jen.Nil()))
	f.add(doc, jen.Func().Id(name).Params(jen.Id("c").Op("*").Qual(statesPath, "Context"), jen.Id("in").Any()).
		Params(jen.Any(), jen.Error()).Block(body...))
}

// assign emits a function that computes the variables of an Assign from in:
//
//	func assign(c *states.Context, in any) (map[string]any, error) {
//		v1, err := states.Get(in, rt.Path{"total"}, "Assign") // $.total
//		...
//		return map[string]any{"total": v1, "seen": true}, nil
//	}
func (f *file) assign(name, doc string, o *ir.Object, what string) {
	t := &tmpl{f: f, what: what}
	value := t.value(o)
	body := append(t.stmts, jen.Return(value, jen.Nil()))
	f.add(doc, jen.Func().Id(name).Params(jen.Id("c").Op("*").Qual(statesPath, "Context"), jen.Id("in").Any()).
		Params(jen.Map(jen.String()).Any(), jen.Error()).Block(body...))
}

// tmpl emits the statements and the value of one template.
type tmpl struct {
	f     *file
	what  string
	ret   func() *jen.Statement // the check after a call; nil: errReturn
	stmts []jen.Code
	n     int
}

func (t *tmpl) check() *jen.Statement {
	if t.ret != nil {
		return t.ret()
	}
	return errReturn()
}

func (t *tmpl) temp() *jen.Statement {
	t.n++
	return jen.Id(fmt.Sprintf("v%d", t.n))
}

func (t *tmpl) value(e ir.Expr) jen.Code {
	switch e := e.(type) {
	case *ir.Literal:
		return literalValue(e.Value)
	case *ir.Object:
		return jen.Map(jen.String()).Any().Values(jen.DictFunc(func(d jen.Dict) {
			for _, fl := range e.Fields {
				d[jen.Lit(fl.Name)] = t.value(fl.Value)
			}
		}))
	case *ir.Array:
		items := make([]jen.Code, len(e.Items))
		for i, it := range e.Items {
			items[i] = t.value(it)
		}
		return jen.Index().Any().Values(items...)
	case *ir.Select:
		v := t.temp()
		t.stmts = append(t.stmts,
			jen.List(v.Clone(), jen.Err()).Op(":=").Add(t.f.selectPath(&e.Path, jen.Id("in"), t.what)).Comment(e.Path.Text),
			t.check())
		return v
	case *ir.Intrinsic:
		args := make([]jen.Code, len(e.Args))
		for i, a := range e.Args {
			args[i] = t.value(a)
		}
		v := t.temp()
		t.stmts = append(t.stmts,
			jen.List(v.Clone(), jen.Err()).Op(":=").Qual(statesPath, strings.TrimPrefix(e.Name, "States.")).Call(args...),
			t.check())
		return v
	}
	return jen.Nil()
}

// literalValue emits a JSON scalar as the Go value states works with.
func literalValue(v any) jen.Code {
	switch v := v.(type) {
	case nil:
		return jen.Nil()
	case json.Number:
		return jen.Qual("encoding/json", "Number").Call(jen.Lit(v.String()))
	case float64:
		return jen.Qual("encoding/json", "Number").Call(jen.Lit(ir.LiteralJSON(v)))
	}
	return jen.Lit(v)
}

// fanOutShaping emits the functions that compute a fan-out's branch inputs,
// prefix "fanOut" for the node's own fan-out and "scope" for the map it
// runs in, whose next element it may start:
//
//	func fanOutInput(ctx context.Context, x *rt.Invocation, raw json.RawMessage) (json.RawMessage, error)
//	func fanOutItem(ctx context.Context, x *rt.Invocation, raw json.RawMessage, index int, item json.RawMessage) (json.RawMessage, error)
func (f *file) fanOutShaping(prefix string, origin *ir.Node, fo *ir.FanOut) []field {
	var d []field
	ctxParams := []jen.Code{jen.Id("ctx").Qual("context", "Context"), jen.Id("x").Op("*").Qual(rtPath, "Invocation"), jen.Id("raw").Qual("encoding/json", "RawMessage")}
	results := []jen.Code{jen.Qual("encoding/json", "RawMessage"), jen.Error()}
	if p := fo.InputPath; p != nil {
		var sel jen.Code
		if p.Null {
			sel = jen.Id("v").Op("=").Map(jen.String()).Any().Values()
		} else {
			sel = jen.If(jen.List(jen.Id("v"), jen.Err()).Op("=").Add(f.selectPath(p, jen.Id("v"), "InputPath")), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err()))
		}
		var pre []jen.Code
		if contextPath(p) {
			pre = append(pre, jen.Id("c").Op(":=").Add(f.contextCall()))
		}
		body := append(pre,
			jen.List(jen.Id("v"), jen.Err()).Op(":=").Qual(statesPath, "Decode").Call(jen.Id("raw")), errReturn(),
			sel,
			jen.Return(jen.Qual(statesPath, "Encode").Call(jen.Id("v"))))
		name := prefix + "Input"
		f.add(fmt.Sprintf("%s selects the input of the %s after %q (InputPath %q %s).", name, fo.Kind, origin.Name, p.String(), f.g.paren(p.Pos)),
			jen.Func().Id(name).Params(ctxParams...).Params(results...).Block(body...))
		d = append(d, field{"Prepare", jen.Id(name)})
	}
	if fo.ItemSelector != nil {
		tname := prefix + "Selector"
		f.template(tname, fmt.Sprintf("%s builds the input of each branch of the %s after %q %s.", tname, fo.Kind, origin.Name, f.g.paren(fo.ItemSelector.Position())), fo.ItemSelector, "ItemSelector")
		name := prefix + "Item"
		body := []jen.Code{
			jen.Id("c").Op(":=").Add(f.contextCall()),
			jen.List(jen.Id("in"), jen.Err()).Op(":=").Qual(statesPath, "Decode").Call(jen.Id("raw")), errReturn(),
			jen.If(jen.Id("index").Op(">=").Lit(0)).Block(
				jen.List(jen.Id("c").Dot("MapItem"), jen.Id("c").Dot("MapIndex")).Op("=").List(jen.True(), jen.Id("index")),
				jen.If(jen.List(jen.Id("c").Dot("MapValue"), jen.Err()).Op("=").Qual(statesPath, "Decode").Call(jen.Id("item")), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
			),
			jen.List(jen.Id("v"), jen.Err()).Op(":=").Id(tname).Call(jen.Id("c"), jen.Id("in")), errReturn(),
			jen.Return(jen.Qual(statesPath, "Encode").Call(jen.Id("v"))),
		}
		f.add(fmt.Sprintf("%s builds the input of branch index (-1: every branch of a parallel), whose\nelement is item, from the effective input.", name),
			jen.Func().Id(name).Params(append(ctxParams, jen.Id("index").Int(), jen.Id("item").Qual("encoding/json", "RawMessage"))...).Params(results...).Block(body...))
		d = append(d, field{"Select", jen.Id(name)})
	}
	return d
}

// failExpr emits a function for a fail whose error or cause is computed
// from the node's output, and returns its call. An error computing them
// fails the scope with that error instead:
//
//	func fail1(ctx context.Context, x *rt.Invocation, res *rt.Result) error {
//		in, err := states.Decode(res.Output)
//		...
//		v1, err := states.Get(in, rt.Path{"error"}, "ErrorPath") // $.error
//		if err != nil {
//			return x.Fail(ctx, rt.FailureOf(err))
//		}
//		return x.FailWith(ctx, states.Text(v1), "static cause")
//	}
func (f *file) failExpr(t *ir.Fail) *jen.Statement {
	f.fails++
	name := fmt.Sprintf("fail%d", f.fails)
	fail := func() *jen.Statement {
		return jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Id("x").Dot("Fail").Call(jen.Id("ctx"), jen.Qual(rtPath, "FailureOf").Call(jen.Err()))))
	}
	tm := &tmpl{f: f, what: "ErrorPath", ret: fail}
	errV := jen.Lit(t.Error)
	if t.ErrorExpr != nil {
		errV = jen.Qual(statesPath, "Text").Call(tm.value(t.ErrorExpr))
	}
	tm.what = "CausePath"
	causeV := jen.Lit(t.Cause)
	if t.CauseExpr != nil {
		causeV = jen.Qual(statesPath, "Text").Call(tm.value(t.CauseExpr))
	}
	var body []jen.Code
	usesC, usesIn := false, false
	for _, e := range []ir.Expr{t.ErrorExpr, t.CauseExpr} {
		walkExpr(e, func(p *ir.JSONPath) {
			usesC = usesC || contextPath(p)
			usesIn = usesIn || !contextPath(p)
		})
	}
	if usesC {
		body = append(body, jen.Id("c").Op(":=").Add(f.contextCall()))
	}
	if usesIn {
		body = append(body,
			jen.List(jen.Id("in"), jen.Err()).Op(":=").Qual(statesPath, "Decode").Call(jen.Id("res").Dot("Output")),
			fail())
	}
	body = append(body, tm.stmts...)
	body = append(body, jen.Return(jen.Id("x").Dot("FailWith").Call(jen.Id("ctx"), errV, causeV)))
	f.add(fmt.Sprintf("%s ends the scope of %q with the error the fail %s computes from its output.", name, f.n.Name, f.g.paren(t.Pos)),
		jen.Func().Id(name).Params(jen.Id("ctx").Qual("context", "Context"), jen.Id("x").Op("*").Qual(rtPath, "Invocation"), jen.Id("res").Op("*").Qual(rtPath, "Result")).
			Error().Block(body...))
	return jen.Id(name).Call(jen.Id("ctx"), jen.Id("x"), jen.Id("res"))
}
