package ir

import (
	"fmt"
	"sort"
	"strings"

	"github.com/unumc/unumc/internal/diag"
)

// Check validates a workflow and fills in what later phases need: each node's
// scope and identifier, join links and loop edges. It reports every problem
// it finds; a workflow with errors must not be given to code generation.
func Check(w *Workflow) diag.List {
	c := &checker{w: w, byName: map[string]*Node{}}
	c.names()
	c.start()
	c.transitions()
	if len(c.errs) == 0 {
		c.scopes()
		c.variables()
	}
	if len(c.errs) == c.unreachable {
		c.loops() // over the reachable nodes, even if some are unreachable
		c.afterPrevious()
	}
	c.errs.Sort()
	return c.errs
}

type checker struct {
	w      *Workflow
	byName map[string]*Node
	names_ []string
	errs   diag.List
	// unreachable counts the errors about unreachable nodes, which leave
	// the rest of the graph fit for the loop checks.
	unreachable int
	fails       []string // the error names of fail transitions, once collected
	joins       map[string]bool
}

func (c *checker) names() {
	if c.w.Name == "" {
		c.errs.Add(c.w.Pos, "workflow has no name")
	}
	idents := map[string]bool{}
	for _, n := range c.w.Nodes {
		if n.Name == "" {
			c.errs.Add(n.Pos, "node has no name")
			continue
		}
		if prev, ok := c.byName[n.Name]; ok {
			c.errs.Add(n.Pos, "node %q is already declared at %s", n.Name, prev.Pos)
			continue
		}
		c.byName[n.Name] = n
		c.names_ = append(c.names_, n.Name)
		n.Ident = uniqueIdent(n.Name, idents)
		if n.Func != nil && (n.Func.Import == "" || n.Func.Name == "") {
			c.errs.Add(n.Func.Pos, "node %q names no Go function", n.Name)
		}
	}
}

// uniqueIdent turns a node name into a lowercase Go identifier, unique even on
// case-insensitive file systems, for package directories and Go names.
func uniqueIdent(name string, taken map[string]bool) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			if s := b.String(); s != "" && !strings.HasSuffix(s, "_") {
				b.WriteByte('_')
			}
		}
	}
	id := strings.TrimRight(b.String(), "_")
	if id == "" || id[0] >= '0' && id[0] <= '9' {
		id = "n" + id
	}
	if isGoKeyword(id) || id == "main" || id == "rt" || id == "unum" {
		id += "_"
	}
	base := id
	for i := 2; taken[id]; i++ {
		id = fmt.Sprintf("%s%d", base, i)
	}
	taken[id] = true
	return id
}

func isGoKeyword(s string) bool {
	switch s {
	case "break", "case", "chan", "const", "continue", "default", "defer", "else", "fallthrough",
		"for", "func", "go", "goto", "if", "import", "interface", "map", "package", "range",
		"return", "select", "struct", "switch", "type", "var":
		return true
	}
	return false
}

func (c *checker) start() {
	if c.w.Start == "" {
		c.errs.Add(c.w.Pos, "workflow %q has no start", c.w.Name)
		return
	}
	if c.byName[c.w.Start] == nil {
		c.errs.Add(c.w.StartPos, "start node %q is not declared%s", c.w.Start, diag.Suggest(c.w.Start, c.names_))
	}
}

func (c *checker) ref(name string, pos diag.Pos) *Node {
	n := c.byName[name]
	if n == nil {
		c.errs.Add(pos, "node %q is not declared%s", name, diag.Suggest(name, c.names_))
	}
	return n
}

func (c *checker) transitions() {
	for _, n := range c.w.Nodes {
		if c.byName[n.Name] != n {
			continue
		}
		c.policy(n)
		if n.Next == nil {
			c.errs.Add(n.Pos, "node %q has no transition", n.Name)
			continue
		}
		c.transition(n, n.Next, false)
	}
}

// isJoin reports whether a fan-out joins into the node named name.
func (c *checker) isJoin(name string) bool {
	if c.joins == nil {
		c.joins = map[string]bool{}
		var walk func(t Transition)
		walk = func(t Transition) {
			switch t := t.(type) {
			case *FanOut:
				if t.Join != nil {
					c.joins[t.Join.Node] = true
				}
			case *Choice:
				for _, k := range t.Cases {
					walk(k.Then)
				}
				walk(t.Default)
			}
		}
		for _, n := range c.w.Nodes {
			walk(n.Next)
		}
	}
	return c.joins[name]
}

// policy checks a node's timeout, retriers and catchers against the rules
// of Step Functions: positive intervals, MaxAttempts from 0, BackoffRate at
// least 1, and States.ALL alone in its list and in the last retrier or
// catcher.
func (c *checker) policy(n *Node) {
	if n.Func == nil && n.Timeout != 0 {
		c.errs.Add(n.TimeoutPos, "node %q calls no function, so it has nothing to time out", n.Name)
	}
	if n.Func == nil && len(n.Retry) > 0 && !c.isJoin(n.Name) {
		c.errs.Add(n.Retry[0].Pos, "node %q calls no function, so it has nothing to retry (a join that calls none retries its fan-out)", n.Name)
	}
	if n.Timeout < 0 {
		c.errs.Add(n.TimeoutPos, "timeout of node %q must be positive, not %s", n.Name, DurationString(n.Timeout))
	}
	for i, r := range n.Retry {
		c.errorList("retry", n, r.Errors, r.Pos, i == len(n.Retry)-1)
		if r.Interval <= 0 {
			c.errs.Add(r.Pos, "retry interval of node %q must be positive, not %s", n.Name, DurationString(r.Interval))
		}
		if r.MaxAttempts < 0 {
			c.errs.Add(r.Pos, "retry max of node %q must be at least 0, not %d", n.Name, r.MaxAttempts)
		}
		if !(r.Backoff >= 1) {
			c.errs.Add(r.Pos, "retry backoff of node %q must be at least 1, not %s", n.Name, LiteralJSON(r.Backoff))
		}
		if r.MaxDelay < 0 {
			c.errs.Add(r.Pos, "retry maxdelay of node %q must be positive, not %s", n.Name, DurationString(r.MaxDelay))
		}
	}
	for i, k := range n.Catch {
		c.errorList("catch", n, k.Errors, k.Pos, i == len(n.Catch)-1)
		if k.Next == nil {
			c.errs.Add(k.Pos, "catch in node %q has no handler", n.Name)
		} else {
			c.ref(k.Next.Node, k.Next.Pos)
		}
	}
}

// errorList checks the error names of a retrier or catcher.
func (c *checker) errorList(what string, n *Node, errors []string, pos diag.Pos, last bool) {
	if len(errors) == 0 {
		c.errs.Add(pos, "%s in node %q names no errors", what, n.Name)
	}
	for _, e := range errors {
		switch {
		case e == "":
			c.errs.Add(pos, "%s in node %q has an empty error name", what, n.Name)
		case e == ErrorAll && len(errors) > 1:
			c.errs.Add(pos, "%s must be alone in the error list of a %s", ErrorAll, what)
		case e == ErrorAll && !last:
			c.errs.Add(pos, "%s must be in the last %s of node %q", ErrorAll, what, n.Name)
		case strings.HasPrefix(e, "States.") && !c.knownError(e):
			c.errs.Add(pos, "unknown error name %q%s", e, diag.Suggest(e, append(c.failNames(), PredefinedErrors...)))
		}
	}
}

// knownError reports whether a States.* name can be reported: a predefined
// name, or one that a fail in the workflow uses.
func (c *checker) knownError(name string) bool {
	for _, p := range PredefinedErrors {
		if p == name {
			return true
		}
	}
	for _, f := range c.failNames() {
		if f == name {
			return true
		}
	}
	return false
}

// failNames lists the error names of every fail in the workflow.
func (c *checker) failNames() []string {
	if c.fails == nil {
		c.fails = []string{}
		var walk func(t Transition)
		walk = func(t Transition) {
			switch t := t.(type) {
			case *Fail:
				if t.Error != "" {
					c.fails = append(c.fails, t.Error)
				}
			case *Choice:
				for _, cs := range t.Cases {
					walk(cs.Then)
				}
				walk(t.Default)
			}
		}
		for _, n := range c.w.Nodes {
			walk(n.Next)
		}
	}
	return c.fails
}

func (c *checker) transition(n *Node, t Transition, inChoice bool) {
	switch t := t.(type) {
	case *Goto:
		c.ref(t.Node, t.Pos)
	case *End:
	case *Fail:
		if t.Error == "" && t.ErrorExpr == nil {
			c.errs.Add(t.Pos, "fail in node %q has no error name", n.Name)
		}
	case *Choice:
		if inChoice {
			c.errs.Add(t.Pos, "choice in node %q is nested in another choice", n.Name)
			return
		}
		if len(t.Cases) == 0 {
			c.errs.Add(t.Pos, "choice after node %q has no cases", n.Name)
		}
		for _, cs := range t.Cases {
			c.cond(cs.Cond)
			c.transition(n, cs.Then, true)
		}
		if t.Default != nil {
			c.transition(n, t.Default, true)
		}
	case *FanOut:
		if inChoice {
			c.errs.Add(t.Pos, "a choice in node %q leads straight to a %s; put a node before it", n.Name, t.Kind)
			return
		}
		switch {
		case t.Kind == Parallel && len(t.Branches) == 0:
			c.errs.Add(t.Pos, "parallel after node %q has no branches", n.Name)
		case t.Kind == Map && len(t.Branches) != 1:
			c.errs.Add(t.Pos, "map after node %q must have exactly one branch, not %d", n.Name, len(t.Branches))
		}
		if t.Limit < 0 {
			c.errs.Add(t.Pos, "map after node %q has a negative limit", n.Name)
		}
		for _, b := range t.Branches {
			c.ref(b.Start, b.Pos)
		}
		if t.Join == nil {
			c.errs.Add(t.Pos, "%s after node %q has no join node", t.Kind, n.Name)
		} else {
			c.ref(t.Join.Node, t.Join.Pos)
		}
	default:
		c.errs.Add(n.Pos, "node %q has an unknown transition %T", n.Name, t)
	}
}

func (c *checker) cond(x Cond) {
	switch x := x.(type) {
	case *And:
		for _, y := range x.Conds {
			c.cond(y)
		}
	case *Or:
		for _, y := range x.Conds {
			c.cond(y)
		}
	case *Not:
		c.cond(x.Cond)
	case *Compare:
		if x.Right.Path == nil {
			switch v := x.Right.Literal.(type) {
			case nil, bool, float64, string:
				if x.Kind == KindNumber {
					if _, ok := v.(float64); !ok {
						c.errs.Add(x.Pos, "numeric comparison with %s", LiteralJSON(v))
					}
				}
			default:
				c.errs.Add(x.Pos, "comparison with a %T literal", v)
			}
		}
		if x.Op != Eq && x.Op != Ne && x.Right.Path == nil {
			switch x.Right.Literal.(type) {
			case float64, string:
			default:
				c.errs.Add(x.Pos, "comparison with %q needs a number or a string, not %s", x.Op.String(), LiteralJSON(x.Right.Literal))
			}
		}
	case *Has, *IsType, *Matches:
	default:
		c.errs.Add(diag.Pos{}, "unknown condition %T", x)
	}
}

// scopes assigns every reachable node to its scope, walking from the start.
func (c *checker) scopes() {
	root := &Scope{Entry: c.byName[c.w.Start]}
	c.w.Root = root
	joinOf := map[*Node]*FanOut{}
	joinFrom := map[*Node]*Node{}
	for _, n := range c.w.Nodes {
		n.Scope, n.Join = nil, nil
		if f, ok := n.Next.(*FanOut); ok {
			j := c.byName[f.Join.Node]
			if other, dup := joinFrom[j]; dup {
				c.errs.Add(f.Join.Pos, "node %q already joins the %s after node %q", j.Name, joinOf[j].Kind, other.Name)
				continue
			}
			joinOf[j], joinFrom[j] = f, n
		}
	}
	// A join receives a list of branch results, so it must have no other way in.
	for _, n := range c.w.Nodes {
		for _, g := range Successors(n) {
			if _, isJoin := n.Next.(*FanOut); isJoin && g == n.Next.(*FanOut).Join {
				continue
			}
			if t := c.byName[g.Node]; joinOf[t] != nil {
				how := "follow"
				if isCatch(n, g) {
					how = "handle the errors of"
				}
				c.errs.Add(g.Pos, "node %q joins the %s after node %q and cannot also %s node %q",
					t.Name, joinOf[t].Kind, joinFrom[t].Name, how, n.Name)
			}
		}
		if f, ok := n.Next.(*FanOut); ok {
			for _, b := range f.Branches {
				if t := c.byName[b.Start]; joinOf[t] != nil {
					c.errs.Add(b.Pos, "node %q joins the %s after node %q and cannot also start a branch",
						t.Name, joinOf[t].Kind, joinFrom[t].Name)
				}
			}
		}
	}
	if root.Entry != nil && joinOf[root.Entry] != nil {
		c.errs.Add(c.w.StartPos, "start node %q cannot be a join", root.Entry.Name)
	}
	if len(c.errs) > 0 {
		return
	}

	type item struct {
		n   *Node
		via diag.Pos
	}
	var visit func(s *Scope)
	visit = func(s *Scope) {
		queue := []item{{s.Entry, diag.Pos{}}}
		for len(queue) > 0 {
			it := queue[0]
			queue = queue[1:]
			n := it.n
			if n.Scope != nil {
				if n.Scope != s {
					c.errs.Add(it.via, "node %q runs in %s and cannot also be reached from %s", n.Name, scopeDesc(n.Scope), scopeDesc(s))
				}
				continue
			}
			n.Scope = s
			s.Nodes = append(s.Nodes, n)
			for _, g := range Successors(n) {
				queue = append(queue, item{c.byName[g.Node], g.Pos})
			}
			if f, ok := n.Next.(*FanOut); ok {
				j := c.byName[f.Join.Node]
				for i, b := range f.Branches {
					child := &Scope{Parent: s, Origin: n, FanOut: f, Branch: i, Entry: c.byName[b.Start], Depth: s.Depth + 1}
					if i == 0 {
						j.Join = child
					}
					if child.Entry.Scope != nil {
						c.errs.Add(b.Pos, "node %q runs in %s and cannot also start a branch of the %s after node %q",
							child.Entry.Name, scopeDesc(child.Entry.Scope), f.Kind, n.Name)
						continue
					}
					visit(child)
				}
			}
		}
		order := map[*Node]int{}
		for i, n := range c.w.Nodes {
			order[n] = i
		}
		sort.SliceStable(s.Nodes, func(i, j int) bool { return order[s.Nodes[i]] < order[s.Nodes[j]] })
	}
	if root.Entry != nil {
		visit(root)
	}
	for _, n := range c.w.Nodes {
		if n.Scope == nil && c.byName[n.Name] == n {
			c.errs.Add(n.Pos, "node %q is unreachable from the start", n.Name)
			c.unreachable++
		}
	}
}

// isCatch reports whether g is the handler edge of one of n's catchers.
func isCatch(n *Node, g *Goto) bool {
	for _, c := range n.Catch {
		if c.Next == g {
			return true
		}
	}
	return false
}

func scopeDesc(s *Scope) string {
	if s.Parent == nil {
		return "the top level"
	}
	if s.FanOut.Kind == Map {
		return fmt.Sprintf("the map after node %q", s.Origin.Name)
	}
	return fmt.Sprintf("branch %d of the parallel after node %q", s.Branch+1, s.Origin.Name)
}

// loops marks the edges that close a loop and rejects loops that cannot end.
func (c *checker) loops() {
	// Back edges: a depth-first walk of each scope from its entry; an edge to a
	// node still on the walk's stack closes a loop. Every cycle has one.
	for _, n := range c.w.Nodes {
		for _, g := range Successors(n) {
			g.Back = false // Check may run again on a changed graph
		}
	}
	state := map[*Node]int{} // 0 unvisited, 1 on stack, 2 done
	var dfs func(n *Node)
	dfs = func(n *Node) {
		state[n] = 1
		for _, g := range Successors(n) {
			t := c.byName[g.Node]
			switch state[t] {
			case 0:
				dfs(t)
			case 1:
				if f, ok := n.Next.(*FanOut); ok && f.Join == g {
					c.errs.Add(g.Pos, "the join of the %s after node %q closes a loop; add a node after the join", f.Kind, n.Name)
					continue
				}
				g.Back = true
			}
		}
		state[n] = 2
	}
	var walk func(s *Scope)
	walk = func(s *Scope) {
		dfs(s.Entry)
		for _, n := range s.Nodes {
			if state[n] == 0 {
				dfs(n)
			}
		}
	}
	var scopes []*Scope
	seen := map[*Scope]bool{}
	for _, n := range c.w.Nodes {
		if n.Scope != nil && !seen[n.Scope] {
			seen[n.Scope] = true
			scopes = append(scopes, n.Scope)
		}
	}
	for _, s := range scopes {
		walk(s)
	}

	// Loops with no exit: strongly connected components (Tarjan) with no edge
	// out of the component and no transition that ends the scope.
	index, low := map[*Node]int{}, map[*Node]int{}
	onStack := map[*Node]bool{}
	var stack []*Node
	next := 0
	var strong func(n *Node)
	strong = func(n *Node) {
		index[n], low[n] = next, next
		next++
		stack = append(stack, n)
		onStack[n] = true
		for _, g := range Successors(n) {
			t := c.byName[g.Node]
			if _, ok := index[t]; !ok {
				strong(t)
				low[n] = min(low[n], low[t])
			} else if onStack[t] {
				low[n] = min(low[n], index[t])
			}
		}
		if low[n] != index[n] {
			return
		}
		var comp []*Node
		for {
			m := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			onStack[m] = false
			comp = append(comp, m)
			if m == n {
				break
			}
		}
		c.checkExit(comp)
	}
	for _, n := range c.w.Nodes {
		if n.Scope != nil {
			if _, ok := index[n]; !ok {
				strong(n)
			}
		}
	}
}

func (c *checker) checkExit(comp []*Node) {
	in := map[string]bool{}
	for _, n := range comp {
		in[n.Name] = true
	}
	cyclic := len(comp) > 1
	for _, n := range comp {
		if Terminates(n.Next) {
			return
		}
		for _, g := range Successors(n) {
			if !in[g.Node] {
				return
			}
			if g.Node == n.Name {
				cyclic = true
			}
		}
	}
	if !cyclic {
		return
	}
	sort.Slice(comp, func(i, j int) bool { return comp[i].Pos.Before(comp[j].Pos) })
	names := make([]string, len(comp))
	for i, n := range comp {
		names[i] = fmt.Sprintf("%q", n.Name)
	}
	c.errs.Add(comp[0].Pos, "loop through %s has no exit", strings.Join(names, ", "))
}
