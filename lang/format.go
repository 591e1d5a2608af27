package lang

import (
	"bytes"
	"strconv"
	"strings"
	"time"

	"github.com/unumc/unumc/internal/ir"
)

// Format prints f in canonical form:
//
//   - declarations keep their order, one per line; an empty line between two
//     declarations (or comments) is kept, several become one;
//   - indentation is by tabs, one per level of block;
//   - single spaces around "->" and operators; none inside paths; the "=" of
//     node declarations on consecutive lines is aligned, as gofmt aligns;
//   - a block opens with "{" at the end of its line, each branch or case is
//     on a line of its own one tab in, and "}" is back at the chain's
//     indentation, followed by " -> " and the rest of the chain;
//   - except that a map, or a parallel with a single branch, stays on one
//     line when its branch is a chain of at most three steps with no block in
//     it and no comment in the block: map .chunks limit 8 { Count };
//   - a choose is always over several lines;
//   - a node's option block has one option per line: the timeout, the
//     retries, then the catches, each kind in source order, a retry's
//     clauses in the order every, max, backoff, maxdelay, jitter; an empty
//     block is dropped;
//   - conditions have the parentheses they need and no others ("and" binds
//     tighter than "or"); strings are quoted as Go quotes them and numbers
//     are written in their JSON form;
//   - comments are kept: on their own lines before a declaration, branch,
//     case or closing brace, or at the end of a line (see attachComments).
func Format(f *File) []byte {
	p := &printer{fresh: true, width: alignNodes(f.Decls)}
	for _, d := range f.Decls {
		p.decl(d)
	}
	p.docs(f.Footer, 0)
	return p.out.Bytes()
}

// printer builds the output a line at a time.
type printer struct {
	out   bytes.Buffer
	cur   strings.Builder   // the line being built
	fresh bool              // nothing printed yet in the current file or block
	width map[*NodeDecl]int // the name column of each node declaration
}

// alignNodes aligns the "=" of node declarations on consecutive lines, as
// gofmt aligns a block of assignments; a blank line, a comment line or a
// node with an option block, which spans several lines, ends the run.
func alignNodes(decls []Decl) map[*NodeDecl]int {
	width := map[*NodeDecl]int{}
	var run []*NodeDecl
	flush := func() {
		w := 0
		for _, n := range run {
			w = max(w, len(n.Name.Name))
		}
		for _, n := range run {
			width[n] = w
		}
		run = nil
	}
	for _, d := range decls {
		n, ok := d.(*NodeDecl)
		if !ok || n.BlankBefore || len(n.Doc) > 0 || n.Block || len(run) > 0 && run[len(run)-1].Block {
			flush()
		}
		if ok {
			run = append(run, n)
		}
	}
	flush()
	return width
}

// text appends s to the current line, indented by ind tabs if it is new.
func (p *printer) text(ind int, s string) {
	if p.cur.Len() == 0 {
		p.cur.WriteString(strings.Repeat("\t", ind))
	}
	p.cur.WriteString(s)
}

// endLine finishes the current line with its trailing comments.
func (p *printer) endLine(comments []*Comment) {
	for _, c := range comments {
		p.cur.WriteString(" " + c.Text)
	}
	p.out.WriteString(p.cur.String())
	p.out.WriteByte('\n')
	p.cur.Reset()
	p.fresh = false
}

// blank prints an empty line unless nothing precedes it in its block.
func (p *printer) blank(want bool) {
	if want && !p.fresh {
		p.out.WriteByte('\n')
	}
}

// docs prints whole-line comments.
func (p *printer) docs(cs []*Comment, ind int) {
	for _, c := range cs {
		p.blank(c.BlankBefore)
		p.text(ind, c.Text)
		p.endLine(nil)
	}
}

// item starts a declaration, branch or case.
func (p *printer) item(doc []*Comment, blank bool, ind int) {
	p.docs(doc, ind)
	p.blank(blank)
}

func (p *printer) decl(d Decl) {
	switch d := d.(type) {
	case *WorkflowDecl:
		p.item(d.Doc, d.BlankBefore, 0)
		p.text(0, "workflow "+d.Name)
		p.endLine(d.Comment)
	case *ImportDecl:
		p.item(d.Doc, d.BlankBefore, 0)
		p.text(0, "import ")
		if d.Alias != "" {
			p.text(0, d.Alias+" ")
		}
		p.text(0, strconv.Quote(d.Path))
		p.endLine(d.Comment)
	case *NodeDecl:
		p.item(d.Doc, d.BlankBefore, 0)
		pad := strings.Repeat(" ", max(0, p.width[d]-len(d.Name.Name)))
		p.text(0, "node "+d.Name.Name+pad+" = "+d.Func.Package+"."+d.Func.Name)
		if !d.Block && len(d.Options()) == 0 {
			p.endLine(d.Comment)
			return
		}
		p.text(0, " {")
		p.open(d.Comment)
		for _, o := range d.Options() {
			p.option(o)
		}
		p.docs(d.Footer, 1)
		p.text(0, "}")
		p.endLine(d.EndComment)
	case *ChainDecl:
		p.item(d.Chain.Doc, d.Chain.BlankBefore, 0)
		if d.Start {
			p.text(0, "start -> ")
		}
		p.chain(d.Chain, 0)
		p.endLine(d.Chain.Comment)
	}
}

// option prints one option of a node's block on a line of its own.
func (p *printer) option(o Option) {
	switch o := o.(type) {
	case *Timeout:
		p.item(o.Doc, o.BlankBefore, 1)
		p.text(1, "timeout "+ir.DurationString(time.Duration(o.Value.Value)))
		p.endLine(o.Comment)
	case *Retry:
		p.item(o.Doc, o.BlankBefore, 1)
		p.text(1, "retry "+errorNames(o.Errors))
		for _, d := range o.Every {
			p.text(1, " every "+ir.DurationString(time.Duration(d.Value)))
		}
		for _, n := range o.Max {
			p.text(1, " max "+ir.LiteralJSON(n.Value))
		}
		for _, n := range o.Backoff {
			p.text(1, " backoff "+ir.LiteralJSON(n.Value))
		}
		for _, d := range o.MaxDelay {
			p.text(1, " maxdelay "+ir.DurationString(time.Duration(d.Value)))
		}
		for range o.Jitter {
			p.text(1, " jitter")
		}
		p.endLine(o.Comment)
	case *Catch:
		p.item(o.Doc, o.BlankBefore, 1)
		p.text(1, "catch "+errorNames(o.Errors))
		if o.Into != nil {
			p.text(1, " into "+pathString(o.Into))
		}
		p.text(1, " -> "+o.Next.Name)
		p.endLine(o.Comment)
	}
}

// errorNames prints the error list of a retry or catch: A, States.Timeout.
func errorNames(names []*ErrorName) string {
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n.Name
	}
	return strings.Join(parts, ", ")
}

// Options returns the options of the node's block in canonical order: the
// timeout, the retries, then the catches, each kind in source order.
func (d *NodeDecl) Options() []Option {
	var out []Option
	for _, t := range d.Timeouts {
		out = append(out, t)
	}
	for _, r := range d.Retries {
		out = append(out, r)
	}
	for _, c := range d.Catches {
		out = append(out, c)
	}
	return out
}

// chain prints the steps of c on the current line, breaking it inside blocks.
func (p *printer) chain(c *Chain, ind int) {
	for i, s := range c.Steps {
		if i > 0 {
			p.text(ind, " -> ")
		}
		p.step(s, ind)
	}
}

func (p *printer) step(s Step, ind int) {
	switch s := s.(type) {
	case *Ref:
		p.text(ind, s.Name)
	case *Succeed:
		p.text(ind, "succeed")
	case *Fail:
		p.text(ind, "fail "+s.Error)
		if s.Cause != "" {
			p.text(ind, " "+strconv.Quote(s.Cause))
		}
	case *Parallel:
		p.text(ind, "parallel {")
		if oneLine(s, hasComments) {
			p.text(ind, " ")
			p.chain(s.Branches[0], ind)
			p.text(ind, " }")
			return
		}
		p.open(s.Comment)
		for _, b := range s.Branches {
			p.branch(b, ind+1)
		}
		p.close(s.Footer, ind)
	case *Map:
		p.text(ind, "map "+pathString(s.Items))
		if s.Limit != nil {
			p.text(ind, " limit "+ir.LiteralJSON(s.Limit.Value))
		}
		p.text(ind, " {")
		if oneLine(s, hasComments) {
			p.text(ind, " ")
			p.chain(s.Body, ind)
			p.text(ind, " }")
			return
		}
		p.open(s.Comment)
		p.branch(s.Body, ind+1)
		p.close(s.Footer, ind)
	case *Choose:
		p.text(ind, "choose {")
		p.open(s.Comment)
		for _, c := range s.Cases {
			p.item(c.Doc, c.BlankBefore, ind+1)
			p.text(ind+1, "when "+condString(c.Cond)+" -> ")
			p.chain(c.Chain, ind+1)
			p.endLine(c.Chain.Comment)
		}
		if e := s.Else; e != nil {
			p.item(e.Doc, e.BlankBefore, ind+1)
			p.text(ind+1, "else -> ")
			p.chain(e.Chain, ind+1)
			p.endLine(e.Chain.Comment)
		}
		p.close(s.Footer, ind)
	}
}

// open ends the line of a block's opening brace.
func (p *printer) open(comments []*Comment) {
	p.endLine(comments)
	p.fresh = true
}

// branch prints one branch of a block on lines of its own.
func (p *printer) branch(c *Chain, ind int) {
	p.item(c.Doc, c.BlankBefore, ind)
	p.chain(c, ind)
	p.endLine(c.Comment)
}

// close prints the comments before a block's closing brace and the brace,
// leaving the line open for the rest of the chain.
func (p *printer) close(footer []*Comment, ind int) {
	p.docs(footer, ind+1)
	p.text(ind, "}")
}

func isBlock(s Step) bool {
	switch s.(type) {
	case *Parallel, *Map, *Choose:
		return true
	}
	return false
}

// oneLine reports whether block s is printed on one line: a map, or a
// parallel with one branch, whose branch has at most three steps, none of
// them a block, and which holds no comment.
func oneLine(s Step, commented func(Step) bool) bool {
	var c *Chain
	switch b := s.(type) {
	case *Parallel:
		if len(b.Branches) != 1 {
			return false
		}
		c = b.Branches[0]
	case *Map:
		c = b.Body
	default:
		return false
	}
	if len(c.Steps) > 3 {
		return false
	}
	for _, st := range c.Steps {
		if isBlock(st) {
			return false
		}
	}
	return !commented(s)
}

// hasComments reports whether comments are attached inside a block that has
// no nested blocks.
func hasComments(s Step) bool {
	has := func(c *Chain) bool { return len(c.Doc) > 0 || len(c.Comment) > 0 }
	switch b := s.(type) {
	case *Parallel:
		for _, br := range b.Branches {
			if has(br) {
				return true
			}
		}
		return len(b.Comment) > 0 || len(b.Footer) > 0
	case *Map:
		return has(b.Body) || len(b.Comment) > 0 || len(b.Footer) > 0
	}
	return false
}

// pathString prints a path: ".", ".a.b[2]", `.["odd key"]`.
func pathString(p *Path) string {
	if len(p.Steps) == 0 {
		return "."
	}
	var b strings.Builder
	for i, s := range p.Steps {
		switch {
		case s.Key != nil:
			if i == 0 {
				b.WriteByte('.')
			}
			b.WriteString("[" + strconv.Quote(*s.Key) + "]")
		case s.Index != nil:
			if i == 0 {
				b.WriteByte('.')
			}
			b.WriteString("[" + ir.LiteralJSON(*s.Index) + "]")
		default:
			b.WriteString("." + s.Field)
		}
	}
	return b.String()
}

// condString prints a condition.
func condString(c *Cond) string {
	parts := make([]string, len(c.Or))
	for i, j := range c.Or {
		terms := make([]string, len(j.And))
		for k, t := range j.And {
			terms[k] = termString(t)
		}
		parts[i] = strings.Join(terms, " and ")
	}
	return strings.Join(parts, " or ")
}

func termString(t *Term) string {
	switch {
	case t.Not != nil:
		return "not " + termString(t.Not)
	case t.Group != nil:
		return "(" + condString(t.Group) + ")"
	case t.Has != nil:
		return "has " + pathString(t.Has)
	case t.Test != nil:
		x := t.Test
		s := pathString(x.Path)
		switch {
		case x.Pattern != nil:
			return s + " matches " + strconv.Quote(*x.Pattern)
		case x.Type != "":
			return s + " is " + x.Type
		}
		return s + " " + x.Op + " " + operandString(x.Value)
	}
	return ""
}

func operandString(o *Operand) string {
	switch {
	case o == nil:
		return ""
	case o.Path != nil:
		return pathString(o.Path)
	case o.Number != nil:
		return ir.LiteralJSON(*o.Number)
	case o.String != nil:
		return strconv.Quote(*o.String)
	case o.Bool != nil:
		return strconv.FormatBool(bool(*o.Bool))
	}
	return "null"
}
