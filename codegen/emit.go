package codegen

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/unumc/unumc/internal/ir"
)

// nodeFields emits the fields of the node's descriptor:
//
//	Workflow: "wordcount", Name: "Count", Ident: "count", Start: "split",
//	Scopes: []*rt.FanOut{{Origin: "split", ...}}, JoinOf: "split", Handle: handle,
func (g *gen) nodeFields(n *ir.Node) jen.Dict {
	d := jen.Dict{
		jen.Id("Workflow"): jen.Lit(g.w.Name),
		jen.Id("Name"):     jen.Lit(n.Name),
		jen.Id("Ident"):    jen.Lit(n.Ident),
		jen.Id("Start"):    jen.Lit(g.ident(g.w.Start)),
		jen.Id("Handle"):   jen.Id("handle"),
	}
	var scopes []*ir.Scope
	for s := n.Scope; s.Parent != nil; s = s.Parent {
		scopes = append([]*ir.Scope{s}, scopes...)
	}
	if len(scopes) > 0 {
		var lits []jen.Code
		for _, s := range scopes {
			lits = append(lits, g.fanOutLit(s.Origin, s.FanOut))
		}
		d[jen.Id("Scopes")] = jen.Index().Op("*").Qual(rtPath, "FanOut").ValuesFunc(func(vg *jen.Group) {
			for _, l := range lits {
				vg.Add(jen.Line(), l)
			}
			vg.Line()
		})
	}
	if n.Join != nil {
		d[jen.Id("JoinOf")] = jen.Lit(n.Join.Origin.Ident)
	}
	return d
}

// fanOutLit emits a fan-out's description:
//
//	rt.FanOut{Origin: "split", Join: "merge", Heads: []string{"count"}, Map: true, Items: rt.Path{"chunks"}, Limit: 8}
func (g *gen) fanOutLit(origin *ir.Node, fo *ir.FanOut) *jen.Statement {
	heads := make([]jen.Code, len(fo.Branches))
	for i, b := range fo.Branches {
		heads[i] = jen.Lit(g.ident(b.Start))
	}
	d := jen.Dict{
		jen.Id("Origin"): jen.Lit(origin.Ident),
		jen.Id("Join"):   jen.Lit(g.ident(fo.Join.Node)),
		jen.Id("Heads"):  jen.Index().String().Values(heads...),
	}
	if fo.Kind == ir.Map {
		d[jen.Id("Map")] = jen.True()
		d[jen.Id("Items")] = pathLit(fo.Items)
		if fo.Limit > 0 {
			d[jen.Id("Limit")] = jen.Lit(fo.Limit)
		}
	}
	return jen.Qual(rtPath, "FanOut").Values(d)
}

// body emits handle's statements: the checkpointed call, then the continuation.
//
//	res, err := x.Call(ctx, rt.Func(hello.Greet))
//	if res == nil {
//		return err // ...
//	}
//	if res.Failed() {
//		return x.Fail(ctx, res.Failure)
//	}
//	<continuation>
func (g *gen) body(n *ir.Node) []jen.Code {
	fn := jen.Nil()
	if n.Func != nil {
		fn = jen.Qual(rtPath, "Func").Call(jen.Qual(n.Func.Import, n.Func.Name))
	}
	code := []jen.Code{
		jen.List(jen.Id("res"), jen.Err()).Op(":=").Id("x").Dot("Call").Call(jen.Id("ctx"), fn),
		jen.If(jen.Id("res").Op("==").Nil()).Block(
			jen.Return(jen.Err()).Comment("an error to retry, or a late duplicate with nothing left to do"),
		),
		jen.If(jen.Id("res").Dot("Failed").Call()).Block(
			jen.Return(jen.Id("x").Dot("Fail").Call(jen.Id("ctx"), jen.Id("res").Dot("Failure"))),
		),
	}
	return append(code, g.continuation(n, n.Next)...)
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
		return jen.Id("x").Dot("Goto").Call(jen.Id("ctx"), jen.Lit(g.ident(t.Node)))
	case *ir.End:
		return jen.Id("x").Dot("End").Call(jen.Id("ctx"))
	case *ir.Fail:
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
	return []jen.Code{
		jen.List(jen.Id("v"), jen.Err()).Op(":=").Id("res").Dot("Value").Call(),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
		jen.Switch().BlockFunc(func(sw *jen.Group) {
			for _, cs := range c.Cases {
				sw.Case(g.cond(cs.Cond)).Comment(fmt.Sprintf("when %s (%s)", ir.CondString(cs.Cond), g.pos(cs.Pos))).
					Block(jen.Return(g.simple(n, cs.Then)))
			}
			if c.Default != nil {
				sw.Default().Block(jen.Return(g.simple(n, c.Default)))
			} else {
				sw.Default().Block(jen.Return(jen.Id("x").Dot("FailWith").Call(jen.Id("ctx"),
					jen.Lit("States.NoChoiceMatched"),
					jen.Lit(fmt.Sprintf("no case of the choice after %q matched", n.Name)))))
			}
		}),
	}
}
