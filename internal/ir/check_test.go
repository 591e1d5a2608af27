package ir

import (
	"strings"
	"testing"

	"github.com/unumc/unumc/internal/diag"
)

func pos(line int) diag.Pos { return diag.Pos{File: "w", Line: line, Col: 1} }

func node(name string, line int, next Transition) *Node {
	return &Node{Name: name, Pos: pos(line), Func: &Func{Import: "example.com/f", Name: name}, Next: next}
}

func to(name string, line int) *Goto { return &Goto{Node: name, Pos: pos(line)} }

func errorsOf(w *Workflow) string {
	return strings.TrimSpace(Check(w).Lines())
}

// Graphs the .unum syntax cannot express but another front end can.
func TestCheckRejectsGraphsOnlyAnImporterCouldBuild(t *testing.T) {
	for name, tc := range map[string]struct {
		w    *Workflow
		want string
	}{
		"join closes a loop": {
			&Workflow{Name: "w", Start: "A", StartPos: pos(1), Nodes: []*Node{
				node("A", 1, &FanOut{Kind: Parallel, Branches: []*Branch{{Start: "B", Pos: pos(2)}}, Join: to("A", 3), Pos: pos(1)}),
				node("B", 2, &End{}),
			}},
			`w:1:1: start node "A" cannot be a join`,
		},
		"fan-out inside a choice": {
			&Workflow{Name: "w", Start: "A", Nodes: []*Node{
				node("A", 1, &Choice{Cases: []*Case{{Cond: &Has{}, Then: &FanOut{Kind: Parallel, Pos: pos(2)}}}, Pos: pos(1)}),
			}},
			`w:2:1: a choice in node "A" leads straight to a parallel; put a node before it`,
		},
		"edge into a branch": {
			&Workflow{Name: "w", Start: "A", Nodes: []*Node{
				node("A", 1, &FanOut{Kind: Map, Branches: []*Branch{{Start: "B", Pos: pos(2)}}, Join: to("J", 3), Pos: pos(1)}),
				node("B", 2, &End{}),
				node("J", 3, to("B", 4)),
			}},
			`w:4:1: node "B" runs in the map after node "A" and cannot also be reached from the top level`,
		},
		"map with two branches": {
			&Workflow{Name: "w", Start: "A", Nodes: []*Node{
				node("A", 1, &FanOut{Kind: Map, Branches: []*Branch{{Start: "B", Pos: pos(2)}, {Start: "C", Pos: pos(2)}}, Join: to("J", 3), Pos: pos(1)}),
				node("B", 2, &End{}), node("C", 2, &End{}), node("J", 3, &End{}),
			}},
			`w:1:1: map after node "A" must have exactly one branch, not 2`,
		},
		"loop without exit and unreachable node": {
			&Workflow{Name: "w", Start: "A", Nodes: []*Node{
				node("A", 1, to("B", 1)),
				node("B", 2, &Choice{Cases: []*Case{{Cond: &Has{}, Then: to("A", 3)}}, Default: to("B", 4)}),
				node("C", 5, &End{}),
			}},
			"w:1:1: loop through \"A\", \"B\" has no exit\nw:5:1: node \"C\" is unreachable from the start",
		},
	} {
		t.Run(name, func(t *testing.T) {
			if got := errorsOf(tc.w); got != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

func TestCheckMarksLoopsAndIdentifiers(t *testing.T) {
	w := &Workflow{Name: "w", Start: "Step One", Nodes: []*Node{
		node("Step One", 1, &Choice{Cases: []*Case{{Cond: &Has{}, Then: to("Step One", 2)}}, Default: &End{}}),
		node("step-one", 2, &End{}),
	}}
	w.Nodes[1].Name = "step-one"
	w.Nodes[0].Next.(*Choice).Default = to("step-one", 3)
	if errs := Check(w); len(errs) > 0 {
		t.Fatal(errs)
	}
	if !w.Nodes[0].Next.(*Choice).Cases[0].Then.(*Goto).Back {
		t.Error("the self edge is not marked as a loop")
	}
	if a, b := w.Nodes[0].Ident, w.Nodes[1].Ident; a != "step_one" || b != "step_one2" {
		t.Errorf("identifiers %q and %q, want step_one and step_one2", a, b)
	}
	// Checking again after the loop is removed clears the mark.
	w.Nodes[0].Next.(*Choice).Cases[0].Then = to("step-one", 2)
	if errs := Check(w); len(errs) > 0 || w.Nodes[0].Next.(*Choice).Cases[0].Then.(*Goto).Back {
		t.Errorf("errors %v, or the loop mark survived", errs)
	}
}
