package ir

import (
	"fmt"
	"strconv"
	"strings"
)

// Dump renders a workflow as stable, position-free text for golden tests.
// After Check it also shows scopes and loop edges.
func Dump(w *Workflow) string {
	var b strings.Builder
	fmt.Fprintf(&b, "workflow %s\n", w.Name)
	fmt.Fprintf(&b, "start %s\n", w.Start)
	for _, n := range w.Nodes {
		fmt.Fprintf(&b, "node %s", n.Name)
		if n.Func != nil {
			fmt.Fprintf(&b, " = %s", n.Func)
			if n.Func.Shape == ShapeLambdaInvoke {
				b.WriteString(" as lambda:invoke")
			}
		} else {
			b.WriteString(" = pass")
		}
		if n.Synthetic {
			b.WriteString(" (synthetic)")
		}
		if n.Scope != nil && n.Scope.Parent != nil {
			fmt.Fprintf(&b, " in %s", n.Scope.Name())
		}
		b.WriteString("\n")
		if n.AfterPrevious {
			b.WriteString("\tafter previous\n")
		}
		dumpPolicy(&b, "\t", n)
		dumpFlow(&b, "\t", n)
		if n.Assign != nil {
			fmt.Fprintf(&b, "\tassign %s\n", ExprJSON(n.Assign))
		}
		dumpTransition(&b, "\t", n.Next)
	}
	return b.String()
}

// dumpPolicy renders a node's error handling with every default filled in:
//
//	timeout 30s
//	retry OutOfStock, States.Timeout every 2s max 5 backoff 1.5 maxdelay 20s jitter
//	catch States.ALL into .error: goto Fallback
func dumpPolicy(b *strings.Builder, indent string, n *Node) {
	if n.Timeout != 0 {
		fmt.Fprintf(b, "%stimeout %s\n", indent, DurationString(n.Timeout))
	}
	for _, r := range n.Retry {
		fmt.Fprintf(b, "%sretry %s every %s max %d backoff %s", indent, strings.Join(r.Errors, ", "),
			DurationString(r.Interval), r.MaxAttempts, LiteralJSON(r.Backoff))
		if r.MaxDelay != 0 {
			fmt.Fprintf(b, " maxdelay %s", DurationString(r.MaxDelay))
		}
		if r.Jitter {
			b.WriteString(" jitter")
		}
		b.WriteString("\n")
	}
	for _, c := range n.Catch {
		fmt.Fprintf(b, "%scatch %s", indent, strings.Join(c.Errors, ", "))
		if c.Into != nil {
			fmt.Fprintf(b, " into %s", c.Into)
		}
		if c.Assign != nil {
			fmt.Fprintf(b, " assign %s", ExprJSON(c.Assign))
		}
		target := "<none>"
		if c.Next != nil {
			target = transitionString(c.Next)
		}
		fmt.Fprintf(b, ": %s\n", target)
	}
}

// dumpFlow renders a node's wait and data flow, one step a line:
//
//	wait 10s
//	inputpath $.order
//	parameters {"id.$":"$.id"}
func dumpFlow(b *strings.Builder, indent string, n *Node) {
	if w := n.Wait; w != nil {
		switch {
		case w.SecondsPath != nil:
			fmt.Fprintf(b, "%swait seconds %s\n", indent, w.SecondsPath)
		case w.TimestampPath != nil:
			fmt.Fprintf(b, "%swait until %s\n", indent, w.TimestampPath)
		case w.Timestamp != "":
			fmt.Fprintf(b, "%swait until %q\n", indent, w.Timestamp)
		default:
			fmt.Fprintf(b, "%swait %ds\n", indent, w.Seconds)
		}
	}
	f := n.Flow
	if f == nil {
		return
	}
	path := func(name string, p *JSONPath) {
		if p != nil {
			fmt.Fprintf(b, "%s%s %s\n", indent, name, p)
		}
	}
	expr := func(name string, e Expr) {
		if e != nil {
			fmt.Fprintf(b, "%s%s %s\n", indent, name, ExprJSON(e))
		}
	}
	path("inputpath", f.InputPath)
	expr("parameters", f.Parameters)
	expr("result", f.Result)
	expr("resultselector", f.ResultSelector)
	path("resultpath", f.ResultPath)
	path("outputpath", f.OutputPath)
}

func dumpTransition(b *strings.Builder, indent string, t Transition) {
	switch t := t.(type) {
	case nil:
		fmt.Fprintf(b, "%s<none>\n", indent)
	case *Choice:
		fmt.Fprintf(b, "%schoose", indent)
		if t.Assign != nil {
			fmt.Fprintf(b, " assign %s", ExprJSON(t.Assign))
		}
		b.WriteString("\n")
		for _, c := range t.Cases {
			fmt.Fprintf(b, "%s\twhen %s", indent, CondString(c.Cond))
			if c.Assign != nil {
				fmt.Fprintf(b, " assign %s", ExprJSON(c.Assign))
			}
			fmt.Fprintf(b, ": %s\n", transitionString(c.Then))
		}
		if t.Default != nil {
			fmt.Fprintf(b, "%s\telse: %s\n", indent, transitionString(t.Default))
		}
	default:
		fmt.Fprintf(b, "%s%s\n", indent, transitionString(t))
	}
}

func transitionString(t Transition) string {
	switch t := t.(type) {
	case *Goto:
		if t.Back {
			return "loop " + t.Node
		}
		return "goto " + t.Node
	case *End:
		return "end"
	case *Fail:
		if t.ErrorExpr != nil || t.CauseExpr != nil {
			s := "fail"
			if t.ErrorExpr != nil {
				s += " error " + string(ExprJSON(t.ErrorExpr))
			} else {
				s += " " + t.Error
			}
			if t.CauseExpr != nil {
				s += " cause " + string(ExprJSON(t.CauseExpr))
			} else if t.Cause != "" {
				s += " " + strconv.Quote(t.Cause)
			}
			return s
		}
		if t.Cause == "" {
			return "fail " + t.Error
		}
		return "fail " + t.Error + " " + strconv.Quote(t.Cause)
	case *FanOut:
		var starts []string
		for _, br := range t.Branches {
			starts = append(starts, br.Start)
		}
		s := t.Kind.String()
		if t.InputPath != nil {
			s += " inputpath " + t.InputPath.String()
		}
		if t.Kind == Map {
			s += " " + t.Items.String()
			if t.Limit > 0 {
				s += fmt.Sprintf(" limit %d", t.Limit)
			}
		}
		if t.ItemSelector != nil {
			s += " itemselector " + string(ExprJSON(t.ItemSelector))
		}
		s += " [" + strings.Join(starts, ", ") + "]"
		if t.Join != nil {
			s += " join " + t.Join.Node
		}
		return s
	case *Choice:
		return "choose"
	}
	return fmt.Sprintf("%T", t)
}

// CondString renders a condition in .unum syntax, parenthesising nested
// and/or so that the text reads back as the same tree.
func CondString(c Cond) string {
	switch c := c.(type) {
	case *Compare:
		r := ""
		if c.Right.Path != nil {
			r = c.Right.Path.String()
		} else {
			r = LiteralJSON(c.Right.Literal)
		}
		op := c.Op.String()
		if c.Kind != KindAny {
			op = c.Kind.String() + " " + op
		}
		return c.Left.String() + " " + op + " " + r
	case *Has:
		return "has " + c.Path.String()
	case *IsType:
		return c.Path.String() + " is " + c.Type.String()
	case *Matches:
		return c.Path.String() + " matches " + strconv.Quote(c.Pattern)
	case *Not:
		return "not " + condOperand(c.Cond)
	case *And:
		return joinConds(c.Conds, " and ")
	case *Or:
		return joinConds(c.Conds, " or ")
	}
	return fmt.Sprintf("%T", c)
}

func joinConds(cs []Cond, sep string) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = condOperand(c)
	}
	return strings.Join(parts, sep)
}

func condOperand(c Cond) string {
	switch c.(type) {
	case *And, *Or:
		return "(" + CondString(c) + ")"
	}
	return CondString(c)
}
