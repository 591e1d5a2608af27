package ir

import (
	"fmt"
	"sort"

	"github.com/unumc/unumc/internal/diag"
)

// Variables, as Step Functions' workflow variables: a node's Assign (and a
// choice's, a case's or a catcher's) sets them when the node finishes, and
// any later node reads them with a path that begins "$name". Every
// reference in a node reads the values the node received, so the fields of
// one Assign do not see each other.
//
// The top level of the workflow and each branch of a fan-out is a scope of
// variables, as it is a scope of nodes: a branch reads the variables of the
// scopes around it, as they were when the fan-out started, and sets its own,
// which end with the branch. So a branch cannot assign a variable that an
// enclosing scope assigns, and the join sees the variables its origin saw.
// A reference to a variable that no node has set by then is a
// States.Runtime error at run time, as in Step Functions.

// Assigns lists the Assign objects of a node: its own, its choice's and
// cases', and its catchers'.
func Assigns(n *Node) []*Object {
	var out []*Object
	add := func(o *Object) {
		if o != nil {
			out = append(out, o)
		}
	}
	add(n.Assign)
	if ch, ok := n.Next.(*Choice); ok {
		add(ch.Assign)
		for _, c := range ch.Cases {
			add(c.Assign)
		}
	}
	for _, c := range n.Catch {
		add(c.Assign)
	}
	return out
}

// UsesVariables reports whether any node of w assigns a variable.
func UsesVariables(w *Workflow) bool {
	for _, n := range w.Nodes {
		if len(Assigns(n)) > 0 {
			return true
		}
	}
	return false
}

// VariableProblem says why name cannot name a variable, or "": a name is
// letters, digits and '_', not starting with a digit, and not JSONata's
// reserved "states".
func VariableProblem(name string) string {
	if name == "states" {
		return `"states" is reserved: it is JSONata's $states`
	}
	ok := name != "" && !(name[0] >= '0' && name[0] <= '9')
	for i := 0; ok && i < len(name); i++ {
		ok = isNameByte(name[i])
	}
	if !ok {
		return fmt.Sprintf("%q cannot name a variable: use letters, digits and '_', not starting with a digit", name)
	}
	return ""
}

// variables checks the names of assigned variables and that no branch
// assigns a variable of a scope around it.
func (c *checker) variables() {
	type assignment struct {
		pos   diag.Pos
		scope *Scope
	}
	first := map[string][]assignment{} // by variable, in workflow order
	for _, n := range c.w.Nodes {
		if n.Scope == nil {
			continue // unreachable, reported
		}
		for _, o := range Assigns(n) {
			for _, f := range o.Fields {
				if problem := VariableProblem(f.Name); problem != "" {
					c.errs.Add(f.Pos, "%s", problem)
					continue
				}
				first[f.Name] = append(first[f.Name], assignment{f.Pos, n.Scope})
			}
		}
	}
	names := make([]string, 0, len(first))
	for name := range first {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		as := first[name]
		for _, a := range as {
			for _, b := range as {
				if a.scope != b.scope && encloses(b.scope, a.scope) {
					c.errs.Add(a.pos, "variable %q is assigned in an enclosing scope (%s, at %s); a branch can read it but not assign it", "$"+name, scopeDesc(b.scope), b.pos)
					break
				}
			}
		}
	}
}

// encloses reports whether outer is a scope around inner.
func encloses(outer, inner *Scope) bool {
	for s := inner.Parent; s != nil; s = s.Parent {
		if s == outer {
			return true
		}
	}
	return false
}
