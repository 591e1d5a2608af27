package cost

import (
	"time"

	"github.com/unumc/unumc/internal/ir"
	"github.com/unumc/unumc/targets/local"
)

// Shape is what one execution did, in the terms the models price: worked
// out from a local run's Stats and the workflow's IR.
type Shape struct {
	// Invocations counts deliveries, as Lambda and Cloud Run bill requests;
	// Instances the node instances that ran (deliveries that did not fail).
	Invocations int `json:"invocations"`
	Instances   int `json:"instances"`
	// Tasks counts the instances of nodes that call a user function: the
	// Lambda tasks Step Functions would run. Pass and synthetic join nodes
	// are invocations for unumc but states without a function for Step
	// Functions.
	Tasks int `json:"tasks"`
	// Transitions counts the state transitions Step Functions Standard
	// would bill for the same execution, by ASL semantics (Transitions).
	Transitions int `json:"transitions"`
	// FanInBranches counts the branches that ended in a fan-in.
	FanInBranches int `json:"fan_in_branches"`
	// Milliseconds of the deliveries as Lambda bills them (each rounded
	// up to 1 ms) and as Cloud Run bills them (each rounded up to 100 ms),
	// of all invocations and of the tasks only.
	LambdaMS       int64 `json:"lambda_ms"`
	TaskLambdaMS   int64 `json:"task_lambda_ms"`
	CloudRunMS     int64 `json:"cloud_run_ms"`
	DurationsExact bool  `json:"durations_exact"` // per delivery, or worked out from the sums (see Measure)
	WallMS         int64 `json:"wall_ms"`         // the execution's duration
	// DataBytes are the bytes the run moved between nodes and the store.
	DataBytes int64       `json:"data_bytes"`
	Nodes     []NodeShape `json:"nodes"`
}

// NodeShape is one node's part of a Shape.
type NodeShape struct {
	Node        string `json:"node"`
	Ident       string `json:"ident"`
	Kind        string `json:"kind"` // task, pass or synthetic
	Invocations int    `json:"invocations"`
	Instances   int    `json:"instances"`
	Transitions int    `json:"transitions"`
}

// Measure works out the Shape of the execution a local run made of w.
// durations, when not nil, holds each delivery's duration by node
// identifier; without it, billed durations are worked out from each node's
// sum of whole milliseconds (Counts.BusyMS): Lambda rounds each delivery
// up to the next millisecond, and a delivery of d ms, d not a whole number,
// adds floor(d) to the sum, so the billed time is the sum plus one per
// delivery; Cloud Run rounds each up to 100 ms, for which the sum plus 100
// per delivery is an upper bound (when every delivery takes under 100 ms,
// the exact figure is 100 per delivery, less by the sum).
func Measure(w *ir.Workflow, s *local.Stats, durations map[string][]time.Duration) Shape {
	sh := Shape{WallMS: s.WallMS, DataBytes: s.Bytes, DurationsExact: durations != nil}
	instances := map[string]int{}
	for _, n := range w.Nodes {
		c := s.Nodes[n.Ident]
		if c == nil {
			c = &local.Counts{}
		}
		inst := c.Invocations - c.FailedAttempts
		instances[n.Ident] = inst
		var lambda, cloudRun int64
		if durations != nil {
			for _, d := range durations[n.Ident] {
				lambda += ceilDuration(d, time.Millisecond)
				cloudRun += 100 * ceilDuration(d, 100*time.Millisecond)
			}
		} else {
			lambda = c.BusyMS + int64(c.Invocations)
			cloudRun = c.BusyMS + 100*int64(c.Invocations)
		}
		sh.Invocations += c.Invocations
		sh.Instances += inst
		sh.LambdaMS += lambda
		sh.CloudRunMS += cloudRun
		kind := "task"
		switch {
		case n.Func != nil:
			sh.Tasks += inst
			sh.TaskLambdaMS += lambda
		case n.Synthetic:
			kind = "synthetic"
		default:
			kind = "pass"
		}
		sh.Nodes = append(sh.Nodes, NodeShape{Node: n.Name, Ident: n.Ident, Kind: kind, Invocations: c.Invocations, Instances: inst})
	}
	for i, n := range w.Nodes {
		var sent map[string]int
		if m := s.NodesMetered[n.Ident]; m != nil {
			sent = m.Sent
		}
		t := nodeTransitions(w, n, instances[n.Ident], sent)
		sh.Nodes[i].Transitions = t
		sh.Transitions += t
		if f, ok := n.Next.(*ir.FanOut); ok && f.Join != nil {
			for _, b := range f.Branches {
				if e := w.Node(b.Start); e != nil {
					sh.FanInBranches += instances[e.Ident]
				}
			}
		}
	}
	return sh
}

func ceilDuration(d, unit time.Duration) int64 { return int64((d + unit - 1) / unit) }

// nodeTransitions counts the state transitions that runs instances of n
// stand for, given the invokes they sent by receiving node identifier.
//
// Each state entered is one transition. The two front ends lower states to
// nodes differently, and the IR keeps enough to tell them apart:
//
//   - A node that calls a function is a Task state.
//   - A pass node written by the user is a state of its own: in a Step
//     Functions definition a Pass, Wait, Choice, Parallel or Map state (the
//     origin of a fan-out is the Parallel or Map state itself), or a Succeed
//     or Fail state that had to be a node.
//   - A synthetic node stands for no state: the pass node .unum adds to
//     start a chain or branch that begins with a map, parallel or choose
//     (the state is the map, parallel or choose that follows), the join
//     node the Step Functions importer adds after a Parallel or Map (part of
//     that state), and the node that applies a Choice state's OutputPath.
//   - A choose or fan-out after a Task or synthetic node is a Choice, Map or
//     Parallel state of its own, entered each time the node runs.
//   - A transition to fail is a Fail state entered, unless the node is that
//     Fail state (a pass node at the Fail's own position). A choice that
//     ends its scope enters a Succeed or Fail state; how often it did so is
//     the instances that invoked none of the choice's targets.
//   - The end of a chain ("End": true) is no state. A Next to a Succeed
//     state, or .unum's succeed, lowers to the same End, so those Succeed
//     states, one per execution at most, are not counted.
//
// A Map or Parallel state's iterations are not transitions, the states
// inside them are, and each branch's nodes count their own instances.
// Retries inside an invocation are not visible here and not counted; Step
// Functions bills each as a transition.
func nodeTransitions(w *ir.Workflow, n *ir.Node, instances int, sent map[string]int) int {
	state := n.Func != nil || !n.Synthetic
	separate := n.Func != nil || n.Synthetic // a control state after the node is a state of its own
	t := 0
	if state {
		t += instances
	}
	switch next := n.Next.(type) {
	case *ir.Choice:
		if separate {
			t += instances
		}
		if terminal(next) {
			went := 0
			seen := map[string]bool{}
			for _, g := range choiceTargets(next) {
				if target := w.Node(g.Node); target != nil && !seen[target.Ident] {
					seen[target.Ident] = true
					went += sent[target.Ident]
				}
			}
			t += max(0, instances-went)
		}
	case *ir.FanOut:
		if separate {
			t += instances
		}
	case *ir.Fail:
		if separate || next.Pos != n.Pos {
			t += instances
		}
	}
	return t
}

// terminal reports whether a case of the choice ends its scope.
func terminal(c *ir.Choice) bool {
	for _, k := range c.Cases {
		if isEnd(k.Then) {
			return true
		}
	}
	return isEnd(c.Default)
}

func isEnd(t ir.Transition) bool {
	switch t.(type) {
	case *ir.End, *ir.Fail:
		return true
	}
	return false
}

func choiceTargets(c *ir.Choice) []*ir.Goto {
	var out []*ir.Goto
	for _, k := range c.Cases {
		if g, ok := k.Then.(*ir.Goto); ok {
			out = append(out, g)
		}
	}
	if g, ok := c.Default.(*ir.Goto); ok {
		out = append(out, g)
	}
	return out
}
