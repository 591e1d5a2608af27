package ir

// afterPrevious checks the nodes that wait for the previous element of
// their map (Node.AfterPrevious). The runtime meets the node's input and the
// previous element's outcome in one record per element, so the node must
// run once per element, be entered in one way it can record — a plain goto,
// or the start of the branch — and be alone in its map; and since elements
// wait for each other in order, the map must start them all at once.
func (c *checker) afterPrevious() {
	seen := map[*Scope]*Node{}
	for _, n := range c.w.Nodes {
		if !n.AfterPrevious || n.Scope == nil {
			continue
		}
		s := n.Scope
		if s.FanOut == nil || s.FanOut.Kind != Map {
			c.errs.Add(n.AfterPreviousPos, "node %q waits for the previous element, so it must run in the branch of a map, not in %s", n.Name, scopeDesc(s))
			continue
		}
		if other := seen[s]; other != nil {
			c.errs.Add(n.AfterPreviousPos, "nodes %q and %q both wait for the previous element of the map after node %q; only one may", other.Name, n.Name, s.Origin.Name)
			continue
		}
		seen[s] = n
		if n.Join != nil {
			c.errs.Add(n.AfterPreviousPos, "node %q joins the %s after node %q and cannot also wait for the previous element", n.Name, n.Join.FanOut.Kind, n.Join.Origin.Name)
			continue
		}
		if s.FanOut.Limit > 0 {
			c.errs.Add(n.AfterPreviousPos, "node %q waits for the previous element, so the map after node %q cannot have a limit (elements already start in turn)", n.Name, s.Origin.Name)
		}
		for _, m := range s.Nodes {
			for _, g := range Successors(m) {
				switch {
				case g.Back:
					c.errs.Add(g.Pos, "node %q waits for the previous element, so its branch cannot loop", n.Name)
				case g.Node == n.Name && m.Next != Transition(g):
					c.errs.Add(g.Pos, "node %q waits for the previous element: it can follow a node or start its branch, but not be the target of a choice or a catch", n.Name)
				}
			}
		}
	}
}
