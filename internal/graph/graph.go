// Package graph renders a checked workflow as a Mermaid flowchart or a
// Graphviz DOT digraph, with fan-out branches drawn as nested subgraphs.
package graph

import (
	"fmt"
	"strings"

	"github.com/unumc/unumc/internal/ir"
)

// Mermaid renders w as a Mermaid flowchart.
func Mermaid(w *ir.Workflow) string {
	r := &renderer{w: w, dot: false}
	r.printf("flowchart TD\n")
	r.printf("  %s([start])\n", "start_")
	r.edges = append(r.edges, edge{from: "start_", to: r.id(w.Start)})
	r.scope(w.Root, "  ")
	for _, e := range r.edges {
		if e.label != "" && e.dashed {
			r.printf("  %s -.->|%s| %s\n", e.from, mermaidText(e.label), e.to)
		} else if e.label != "" {
			r.printf("  %s -->|%s| %s\n", e.from, mermaidText(e.label), e.to)
		} else if e.dashed {
			r.printf("  %s -.-> %s\n", e.from, e.to)
		} else {
			r.printf("  %s --> %s\n", e.from, e.to)
		}
	}
	return r.b.String()
}

// DOT renders w as a Graphviz digraph.
func DOT(w *ir.Workflow) string {
	r := &renderer{w: w, dot: true}
	r.printf("digraph %q {\n  node [shape=box, style=rounded];\n", w.Name)
	r.printf("  start_ [label=\"start\", shape=circle];\n")
	r.edges = append(r.edges, edge{from: "start_", to: r.id(w.Start)})
	r.scope(w.Root, "  ")
	for _, e := range r.edges {
		attrs := []string{}
		if e.label != "" {
			attrs = append(attrs, fmt.Sprintf("label=%q", e.label))
		}
		if e.dashed {
			attrs = append(attrs, "style=dashed")
		}
		if len(attrs) > 0 {
			r.printf("  %s -> %s [%s];\n", e.from, e.to, strings.Join(attrs, ", "))
		} else {
			r.printf("  %s -> %s;\n", e.from, e.to)
		}
	}
	r.printf("}\n")
	return r.b.String()
}

type edge struct {
	from, to, label string
	dashed          bool
}

type renderer struct {
	w       *ir.Workflow
	dot     bool
	b       strings.Builder
	edges   []edge
	enders  int
	cluster int
}

func (r *renderer) printf(format string, args ...any) { fmt.Fprintf(&r.b, format, args...) }

func (r *renderer) id(name string) string { return "n_" + r.w.Node(name).Ident }

func (r *renderer) scope(s *ir.Scope, indent string) {
	for _, n := range s.Nodes {
		label := n.Name
		if n.Func != nil {
			label += "\n" + n.Func.Name
		}
		if r.dot {
			r.printf("%s%s [label=%q];\n", indent, r.id(n.Name), label)
		} else {
			r.printf("%s%s[%s]\n", indent, r.id(n.Name), mermaidText(strings.ReplaceAll(label, "\n", "<br/>")))
		}
		r.transition(n, n.Next, "", indent)
		for _, c := range n.Catch {
			r.edges = append(r.edges, edge{from: r.id(n.Name), to: r.id(c.Next.Node), label: "catch " + strings.Join(c.Errors, ", "), dashed: true})
		}
	}
}

func (r *renderer) terminal(label, indent string) string {
	r.enders++
	id := fmt.Sprintf("end_%d", r.enders)
	if r.dot {
		r.printf("%s%s [label=%q, shape=doublecircle];\n", indent, id, label)
	} else {
		r.printf("%s%s((%s))\n", indent, id, mermaidText(label))
	}
	return id
}

func (r *renderer) transition(n *ir.Node, t ir.Transition, label, indent string) {
	from := r.id(n.Name)
	switch t := t.(type) {
	case *ir.Goto:
		r.edges = append(r.edges, edge{from: from, to: r.id(t.Node), label: label, dashed: t.Back})
	case *ir.End:
		end := "end"
		if n.Scope.Parent != nil {
			end = "branch end"
		}
		r.edges = append(r.edges, edge{from: from, to: r.terminal(end, indent), label: label})
	case *ir.Fail:
		r.edges = append(r.edges, edge{from: from, to: r.terminal("fail "+t.Error, indent), label: label})
	case *ir.Choice:
		for _, c := range t.Cases {
			r.transition(n, c.Then, ir.CondString(c.Cond), indent)
		}
		if t.Default != nil {
			r.transition(n, t.Default, "else", indent)
		}
	case *ir.FanOut:
		for i, b := range t.Branches {
			child := r.childScope(n, i)
			r.cluster++
			title := t.Kind.String()
			if t.Kind == ir.Map {
				title += " " + t.Items.String()
			}
			if r.dot {
				r.printf("%ssubgraph cluster_%d {\n%s  label=%q;\n", indent, r.cluster, indent, title)
			} else {
				r.printf("%ssubgraph cluster_%d [%s]\n", indent, r.cluster, mermaidText(title))
			}
			if child != nil {
				r.scope(child, indent+"  ")
			}
			if r.dot {
				r.printf("%s}\n", indent)
			} else {
				r.printf("%send\n", indent)
			}
			r.edges = append(r.edges, edge{from: from, to: r.id(b.Start), label: fmt.Sprintf("%s %d", t.Kind, i+1)})
		}
		r.edges = append(r.edges, edge{from: from, to: r.id(t.Join.Node), label: "join", dashed: true})
	}
}

// childScope finds the scope of branch i of n's fan-out.
func (r *renderer) childScope(n *ir.Node, i int) *ir.Scope {
	fo := n.Next.(*ir.FanOut)
	if s := r.w.Node(fo.Branches[i].Start).Scope; s != nil && s.Origin == n && s.Branch == i {
		return s
	}
	return nil
}

// mermaidText quotes a label so Mermaid reads punctuation literally.
func mermaidText(s string) string {
	return "\"" + strings.ReplaceAll(s, "\"", "#quot;") + "\""
}
