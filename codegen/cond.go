package codegen

import (
	"github.com/dave/jennifer/jen"

	"github.com/unumc/unumc/internal/ir"
)

// cond compiles a condition to a Go boolean expression over v, the decoded
// output:
//
//	.temp > 30 and has .mode   =>   rt.Compare(v, rt.Path{"temp"}, rt.Gt, 30.0) && rt.Has(v, rt.Path{"mode"})
func (g *gen) cond(c ir.Cond) *jen.Statement {
	v, path := jen.Id("v"), pathLit
	if g.condVars {
		v, path = jen.Id("doc"), docPathLit
	}
	switch c := c.(type) {
	case *ir.Compare:
		right := literal(c.Right.Literal)
		if c.Right.Path != nil {
			right = path(*c.Right.Path)
		}
		if c.Kind == ir.KindAny {
			return jen.Qual(rtPath, "Compare").Call(v, path(c.Left), opLit(c.Op), right)
		}
		return jen.Qual(rtPath, "CompareKind").Call(kindLit(c.Kind), v, path(c.Left), opLit(c.Op), right)
	case *ir.Has:
		return jen.Qual(rtPath, "Has").Call(v, path(c.Path))
	case *ir.IsType:
		return jen.Qual(rtPath, "IsType").Call(v, path(c.Path), typeLit(c.Type))
	case *ir.Matches:
		return jen.Qual(rtPath, "Matches").Call(v, path(c.Path), jen.Lit(c.Pattern))
	case *ir.Not:
		return jen.Op("!").Add(g.operand(c.Cond))
	case *ir.And:
		return g.join(c.Conds, "&&")
	case *ir.Or:
		return g.join(c.Conds, "||")
	}
	return jen.False()
}

func (g *gen) join(cs []ir.Cond, op string) *jen.Statement {
	s := g.operand(cs[0])
	for _, c := range cs[1:] {
		s = s.Op(op).Add(g.operand(c))
	}
	return s
}

// operand parenthesises and/or/not operands so precedence reads as written.
func (g *gen) operand(c ir.Cond) *jen.Statement {
	switch c.(type) {
	case *ir.And, *ir.Or:
		return jen.Parens(g.cond(c))
	}
	return g.cond(c)
}

// docPathLit emits a path into the document of a choice whose conditions
// read variables: rt.Path{"output", "a"}, rt.Path{"vars", "total", "n"}.
func docPathLit(p ir.Path) *jen.Statement {
	pre := []string{"output"}
	if p.Var != "" {
		pre = []string{"vars", p.Var}
	}
	return pathLitAfter(pre, p)
}

// pathLit emits rt.Path{"a", "b", 2}.
func pathLit(p ir.Path) *jen.Statement { return pathLitAfter(nil, p) }

func pathLitAfter(pre []string, p ir.Path) *jen.Statement {
	elems := make([]jen.Code, 0, len(pre)+len(p.Steps))
	for _, s := range pre {
		elems = append(elems, jen.Lit(s))
	}
	for _, s := range p.Steps {
		if s.IsIndex {
			elems = append(elems, jen.Lit(s.Index))
		} else {
			elems = append(elems, jen.Lit(s.Field))
		}
	}
	return jen.Qual(rtPath, "Path").Values(elems...)
}

func literal(v any) *jen.Statement {
	switch v := v.(type) {
	case nil:
		return jen.Nil()
	case float64:
		return jen.Lit(v)
	case bool:
		return jen.Lit(v)
	case string:
		return jen.Lit(v)
	}
	return jen.Nil()
}

var opNames = map[ir.Op]string{ir.Eq: "Eq", ir.Ne: "Ne", ir.Lt: "Lt", ir.Le: "Le", ir.Gt: "Gt", ir.Ge: "Ge"}

func opLit(o ir.Op) *jen.Statement { return jen.Qual(rtPath, opNames[o]) }

var kindNames = map[ir.Kind]string{ir.KindNumber: "NumberKind", ir.KindString: "StringKind", ir.KindBool: "BoolKind", ir.KindTimestamp: "TimestampKind"}

func kindLit(k ir.Kind) *jen.Statement { return jen.Qual(rtPath, kindNames[k]) }

var typeNames = map[ir.Type]string{
	ir.TypeNull: "NullType", ir.TypeString: "StringType", ir.TypeNumber: "NumberType", ir.TypeBool: "BoolType",
	ir.TypeArray: "ArrayType", ir.TypeObject: "ObjectType", ir.TypeTimestamp: "TimestampType",
}

func typeLit(t ir.Type) *jen.Statement { return jen.Qual(rtPath, typeNames[t]) }
