package asl

import (
	"fmt"
	"strings"

	"github.com/ohler55/ojg/jp"

	"github.com/unumc/unumc/internal/ir"
)

// evaluable returns why the generated code could not evaluate a path that
// is not a reference path, or "". Such paths are evaluated at run time by
// rt/states with the JSONPath library github.com/ohler55/ojg/jp, which
// reads less than Step Functions does (no '-' in a name after a dot, no
// ".[", no script expressions, no bare words in filters); the generated
// code compiles them when it starts, so what the library cannot read is
// reported here, as unsupported.
func evaluable(p *ir.JSONPath) (problem string) {
	if p.Static != nil || p.Null {
		return ""
	}
	src := p.Text
	switch {
	case p.Context:
		src = src[1:]
	case p.Var != "":
		src = "$" + strings.TrimPrefix(src, "$"+p.Var)
	}
	defer func() {
		if r := recover(); r != nil {
			problem = fmt.Sprint(r)
		}
	}()
	x, err := jp.ParseString(src)
	switch {
	case err != nil:
		return strings.TrimSuffix(err.Error(), " in "+src)
	case len(x) == 0:
		return "empty path"
	}
	if _, ok := x[0].(jp.Root); !ok {
		return "it does not begin at the root"
	}
	return ""
}
