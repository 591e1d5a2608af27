package ir

import "sort"

// Invokes returns, for every node identifier, the identifiers of the nodes
// its program may invoke, sorted: what a cloud deployment lets each
// function invoke, and nothing more. That is the targets of its gotos,
// choices and catchers; the heads and the join of its fan-out (the join
// when a map is empty); for a join with retriers, its fan-out's origin,
// which a retry runs again; and for a node in a branch, which may end it,
// the join of the innermost fan-out, the branch's first node in a bounded
// map (the next element) and the node that waits for the previous element
// (the next element's).
func Invokes(w *Workflow) map[string][]string {
	out := map[string][]string{}
	for _, n := range w.Nodes {
		set := map[string]bool{}
		add := func(name string) {
			if t := w.Node(name); t != nil {
				set[t.Ident] = true
			}
		}
		for _, g := range Successors(n) {
			add(g.Node)
		}
		if fo, ok := n.Next.(*FanOut); ok {
			for _, b := range fo.Branches {
				add(b.Start)
			}
		}
		if n.Join != nil && n.Join.Origin != nil && len(n.Retry) > 0 {
			set[n.Join.Origin.Ident] = true
		}
		if s := n.Scope; s != nil && s.FanOut != nil {
			if s.FanOut.Join != nil {
				add(s.FanOut.Join.Node)
			}
			if s.FanOut.Kind == Map && s.FanOut.Limit > 0 && s.Entry != nil {
				set[s.Entry.Ident] = true
			}
			if wait := s.AfterPrevious(); wait != nil {
				set[wait.Ident] = true
			}
		}
		ids := make([]string, 0, len(set))
		for id := range set {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		out[n.Ident] = ids
	}
	return out
}
