package ir

import (
	"strings"
	"testing"
	"time"

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
		"retry and timeout on a pass node, a catcher without errors or handler": {
			&Workflow{Name: "w", Start: "A", Nodes: []*Node{
				{Name: "A", Pos: pos(1), Next: &End{}, Timeout: -time.Second, TimeoutPos: pos(2),
					Retry: []*Retrier{{Errors: []string{"X"}, Interval: 0, Backoff: 2, MaxDelay: -1, Pos: pos(3)}},
					Catch: []*Catcher{{Pos: pos(4)}}},
			}},
			"w:2:1: node \"A\" calls no function, so it has nothing to time out\n" +
				"w:2:1: timeout of node \"A\" must be positive, not -1s\n" +
				"w:3:1: node \"A\" calls no function, so it has nothing to retry (a join that calls none retries its fan-out)\n" +
				"w:3:1: retry interval of node \"A\" must be positive, not 0s\n" +
				"w:3:1: retry maxdelay of node \"A\" must be positive, not -1ns\n" +
				"w:4:1: catch in node \"A\" has no handler\n" +
				"w:4:1: catch in node \"A\" names no errors",
		},
		"catch on a pass join, to an undeclared handler": {
			&Workflow{Name: "w", Start: "A", Nodes: []*Node{
				node("A", 1, &FanOut{Kind: Parallel, Branches: []*Branch{{Start: "B", Pos: pos(2)}}, Join: to("J", 3), Pos: pos(1)}),
				node("B", 2, &End{}),
				{Name: "J", Pos: pos(3), Next: &End{}, Catch: []*Catcher{{Errors: []string{"States.ALL"}, Next: to("Handler", 4), Pos: pos(4)}}},
				node("H", 5, &End{}),
			}},
			`w:4:1: node "Handler" is not declared`,
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

// A node reached only through a catch is reachable and in the scope of the
// node that catches; a catch to the node itself closes a loop.
func TestCatchHandlersAreSuccessors(t *testing.T) {
	w := &Workflow{Name: "w", Start: "A", Nodes: []*Node{
		node("A", 1, &FanOut{Kind: Map, Branches: []*Branch{{Start: "B", Pos: pos(2)}}, Join: to("J", 3), Pos: pos(1)}),
		node("B", 2, &End{}),
		node("H", 4, &End{}),
		node("J", 3, to("K", 5)),
		node("K", 5, &End{}),
	}}
	w.Nodes[1].Catch = []*Catcher{{Errors: []string{"X"}, Next: to("H", 2), Pos: pos(2)}}
	w.Nodes[4].Catch = []*Catcher{{Errors: []string{"States.ALL"}, Next: to("K", 5), Pos: pos(5)}}
	if errs := Check(w); len(errs) > 0 {
		t.Fatal(errs)
	}
	if h := w.Nodes[2]; h.Scope != w.Nodes[1].Scope || h.Scope.Parent == nil {
		t.Errorf("handler H runs in %v, want the map's scope", h.Scope.Name())
	}
	if !w.Nodes[4].Catch[0].Next.Back {
		t.Error("the catch of K back to K is not marked as a loop")
	}
	if got := Successors(w.Nodes[1]); len(got) != 1 || got[0].Node != "H" {
		t.Errorf("Successors(B) = %v, want the handler", got)
	}
}

// A fail needs an error name, unless its ErrorExpr computes one.
func TestCheckFailNames(t *testing.T) {
	sel := &Select{Path: JSONPath{Text: "$.e", Static: &Path{Steps: []Step{{Field: "e"}}}}}
	computed := &Workflow{Name: "w", Start: "A", Nodes: []*Node{node("A", 1, &Fail{ErrorExpr: sel, Pos: pos(2)})}}
	if got := errorsOf(computed); got != "" {
		t.Errorf("a fail whose ErrorExpr computes its name: %s", got)
	}
	unnamed := &Workflow{Name: "w", Start: "A", Nodes: []*Node{node("A", 1, &Fail{Pos: pos(2)})}}
	if got, want := errorsOf(unnamed), `w:2:1: fail in node "A" has no error name`; got != want {
		t.Errorf("a fail with no name: %q, want %q", got, want)
	}
}
