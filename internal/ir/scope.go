package ir

import (
	"fmt"
	"strings"
)

// Scope is the top level of a workflow or one branch of a fan-out: the nodes
// that run as one thread of control, one after another, until the scope ends.
type Scope struct {
	Parent *Scope  // nil for the top level
	Origin *Node   // the node whose transition is the fan-out; nil at the top level
	FanOut *FanOut // the fan-out this scope is a branch of; nil at the top level
	Branch int     // the index of this branch in FanOut.Branches
	Entry  *Node   // the first node of the scope
	Nodes  []*Node // the nodes of the scope, in workflow order
	Depth  int     // 0 at the top level, 1 in a branch of a top-level fan-out, ...
}

// Name describes the scope for messages and dumps: "top", or the origin and
// branch such as "Split.map" or "Fork.parallel[1]", prefixed by enclosing scopes.
func (s *Scope) Name() string {
	if s.Parent == nil {
		return "top"
	}
	var b strings.Builder
	if s.Parent.Parent != nil {
		b.WriteString(s.Parent.Name() + "/")
	}
	b.WriteString(s.Origin.Name + "." + s.FanOut.Kind.String())
	if s.FanOut.Kind == Parallel {
		fmt.Fprintf(&b, "[%d]", s.Branch)
	}
	return b.String()
}

// AfterPrevious returns the node of a map branch that waits for the
// previous element, or nil.
func (s *Scope) AfterPrevious() *Node {
	for _, n := range s.Nodes {
		if n.AfterPrevious {
			return n
		}
	}
	return nil
}

// Successors lists the nodes a node can lead to within its own scope, in
// source order: the goto targets, choice targets or fan-out join of its
// transition, then its catch handlers. A handler counts as a successor for
// reachability, scopes and loops: a node reached only through a catch is
// reachable.
func Successors(n *Node) []*Goto {
	out := transitionSuccessors(n.Next)
	for _, c := range n.Catch {
		if c.Next != nil {
			out = append(out, c.Next)
		}
	}
	return out
}

func transitionSuccessors(t Transition) []*Goto {
	switch t := t.(type) {
	case *Goto:
		return []*Goto{t}
	case *Choice:
		var out []*Goto
		for _, c := range t.Cases {
			out = append(out, transitionSuccessors(c.Then)...)
		}
		if t.Default != nil {
			out = append(out, transitionSuccessors(t.Default)...)
		}
		return out
	case *FanOut:
		if t.Join != nil {
			return []*Goto{t.Join}
		}
	}
	return nil
}

// Terminates reports whether a transition can end the node's scope: it is an
// End or a Fail, or a choice with such a case or no default.
func Terminates(t Transition) bool {
	switch t := t.(type) {
	case *End, *Fail:
		return true
	case *Choice:
		if t.Default == nil || Terminates(t.Default) {
			return true
		}
		for _, c := range t.Cases {
			if Terminates(c.Then) {
				return true
			}
		}
	}
	return false
}
