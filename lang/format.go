package lang

import (
	"bytes"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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
//   - a node's option block has one option per line: inputpath, parameters,
//     result, resultselector, resultpath, outputpath, the timeout, the
//     retries, then the catches, retries and catches each in source order, a
//     retry's clauses in the order every, max, backoff, maxdelay, jitter; an
//     empty block is dropped; the clauses of a map in the order limit,
//     inputpath, itemselector, of a parallel inputpath, parameters;
//   - a JSON value is on one line when it has no object or array in it that
//     is not empty and takes at most 60 characters: {"a": 1, "b.$": "$.x"};
//     otherwise its members are one per line, one tab in;
//   - node, workflow and error names are quoted only when they are not
//     plain names or are keywords;
//   - conditions have the parentheses they need and no others ("and" binds
//     tighter than "or"); strings are quoted as Go quotes them and numbers
//     are written in their JSON form;
//   - comments are kept: on their own lines before a declaration, branch,
//     case, option, JSON member or element, or closing brace, or at the end
//     of a line (see attachComments).
func Format(f *File) []byte {
	p := &printer{fresh: true, width: alignNodes(f.Decls)}
	for i, d := range f.Decls {
		var next *Chain
		if i+1 < len(f.Decls) {
			if c, ok := f.Decls[i+1].(*ChainDecl); ok && !c.Start {
				next = c.Chain
			}
		}
		p.decl(d, next)
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
			w = max(w, utf8.RuneCountInString(nameString(n.Name.Name)))
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

// decl prints a declaration; next is the chain declared after it, if any.
func (p *printer) decl(d Decl, next *Chain) {
	switch d := d.(type) {
	case *WorkflowDecl:
		p.item(d.Doc, d.BlankBefore, 0)
		p.text(0, "workflow "+nameString(d.Name))
		p.endLine(d.Comment)
	case *ImportDecl:
		p.item(d.Doc, d.BlankBefore, 0)
		p.text(0, "import ")
		if d.Alias != "" {
			p.text(0, d.Alias+" ")
		}
		p.text(0, quote(d.Path))
		p.endLine(d.Comment)
	case *NodeDecl:
		p.item(d.Doc, d.BlankBefore, 0)
		name := nameString(d.Name.Name)
		pad := strings.Repeat(" ", max(0, p.width[d]-utf8.RuneCountInString(name)))
		p.text(0, "node "+name+pad+" = "+kindString(d))
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
		p.chain(d.Chain, 0, next)
		p.endLine(d.Chain.Comment)
	}
}

// kindString prints what a node declaration binds the node to: pkg.Func,
// lambda pkg.Func, pass, or a wait.
func kindString(d *NodeDecl) string {
	switch {
	case d.Func != nil:
		return d.Func.Package + "." + d.Func.Name
	case d.Lambda != nil:
		return "lambda " + d.Lambda.Package + "." + d.Lambda.Name
	case d.Pass != nil:
		return "pass"
	case d.Wait != nil && d.Wait.Seconds != nil:
		return "wait " + ir.DurationString(time.Duration(d.Wait.Seconds.Value))
	case d.Wait != nil && d.Wait.SecondsPath != nil:
		return "wait seconds " + quote(d.Wait.SecondsPath.Value)
	case d.Wait != nil && d.Wait.Until != nil:
		return "wait until " + quote(d.Wait.Until.Value)
	}
	return ""
}

// option prints one option of a node's block on a line of its own.
func (p *printer) option(o Option) {
	switch o := o.(type) {
	case *PathOption:
		p.item(o.Doc, o.BlankBefore, 1)
		p.text(1, o.Kind+" "+pathValueString(o.Value))
		p.endLine(o.Comment)
	case *TemplateOption:
		p.item(o.Doc, o.BlankBefore, 1)
		p.text(1, o.Kind+" ")
		p.json(o.Value, 1)
		p.endLine(o.Comment)
	case *After:
		p.item(o.Doc, o.BlankBefore, 1)
		p.text(1, "after previous")
		p.endLine(o.Comment)
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
		if o.Assign != nil {
			p.text(1, " assign ")
			p.json(o.Assign, 1)
		}
		p.text(1, " -> "+nameString(o.Next.Name))
		p.endLine(o.Comment)
	}
}

// errorNames prints the error list of a retry or catch: A, States.Timeout.
func errorNames(names []*ErrorName) string {
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = errorNameString(n.Name)
	}
	return strings.Join(parts, ", ")
}

// optionRank orders the options of a block.
var optionRank = map[string]int{
	"inputpath": 0, "parameters": 1, "result": 2, "resultselector": 3, "resultpath": 4, "outputpath": 5, "assign": 6,
}

// Options returns the options of the node's block in canonical order:
// after previous, inputpath, parameters, result, resultselector,
// resultpath, outputpath, assign, the timeout, the retries, then the
// catches, each kind in source order.
func (d *NodeDecl) Options() []Option {
	var out, flow []Option
	for _, a := range d.Afters {
		out = append(out, a)
	}
	for _, o := range d.Paths {
		flow = append(flow, o)
	}
	for _, o := range d.Templates {
		flow = append(flow, o)
	}
	sort.SliceStable(flow, func(i, j int) bool { return optionRank[optionKind(flow[i])] < optionRank[optionKind(flow[j])] })
	out = append(out, flow...)
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

func optionKind(o Option) string {
	switch o := o.(type) {
	case *PathOption:
		return o.Kind
	case *TemplateOption:
		return o.Kind
	}
	return ""
}

// chain prints the steps of c on the current line, breaking it inside
// blocks. next is the chain that follows c with nothing between them, the
// next branch of a parallel or the next top-level chain, if any.
func (p *printer) chain(c *Chain, ind int, next *Chain) {
	for i, s := range c.Steps {
		if i > 0 {
			p.text(ind, " -> ")
		}
		p.step(s, ind, next)
	}
}

// readsAsCause reports whether next, after a fail without a cause, would be
// read as the cause: a quoted name with nothing after it, or the name
// causepath (which would take a quoted name after it as a causepath).
func readsAsCause(next *Chain) bool {
	if next == nil || len(next.Steps) != 1 {
		return false
	}
	r, ok := next.Steps[0].(*Ref)
	return ok && (needsQuotes(string(r.Name)) || r.Name == "causepath")
}

func (p *printer) step(s Step, ind int, next *Chain) {
	switch s := s.(type) {
	case *Ref:
		p.text(ind, nameString(s.Name))
	case *Succeed:
		p.text(ind, "succeed")
	case *Fail:
		p.text(ind, "fail ")
		if s.ErrorPath != nil {
			p.text(ind, "errorpath "+quote(s.ErrorPath.Value))
		} else {
			p.text(ind, failErrorString(s.Error.Name))
		}
		switch {
		case s.CausePath != nil:
			p.text(ind, " causepath "+quote(s.CausePath.Value))
		case s.Cause != nil:
			p.text(ind, " "+quote(s.Cause.Value))
		case readsAsCause(next):
			p.text(ind, ` ""`) // the same as no cause, so that next is not one
		}
	case *Parallel:
		p.text(ind, "parallel")
		for _, v := range s.InputPath {
			p.text(ind, " inputpath "+pathValueString(v))
		}
		for _, v := range s.Parameters {
			p.text(ind, " parameters ")
			p.json(v, ind)
		}
		p.text(ind, " {")
		if oneLine(s, hasComments) {
			p.text(ind, " ")
			p.chain(s.Branches[0], ind, nil)
			p.text(ind, " }")
			return
		}
		p.open(s.Comment)
		for i, b := range s.Branches {
			var next *Chain
			if i+1 < len(s.Branches) {
				next = s.Branches[i+1]
			}
			p.branch(b, ind+1, next)
		}
		p.close(s.Footer, ind)
	case *Map:
		p.text(ind, "map "+pathString(s.Items))
		for _, n := range s.Limit {
			p.text(ind, " limit "+ir.LiteralJSON(n.Value))
		}
		for _, v := range s.InputPath {
			p.text(ind, " inputpath "+pathValueString(v))
		}
		for _, v := range s.ItemSelector {
			p.text(ind, " itemselector ")
			p.json(v, ind)
		}
		p.text(ind, " {")
		if oneLine(s, hasComments) {
			p.text(ind, " ")
			p.chain(s.Body, ind, nil)
			p.text(ind, " }")
			return
		}
		p.open(s.Comment)
		p.branch(s.Body, ind+1, nil)
		p.close(s.Footer, ind)
	case *Choose:
		p.text(ind, "choose ")
		if s.Assign != nil {
			p.text(ind, "assign ")
			p.json(s.Assign, ind)
			p.text(ind, " ")
		}
		p.text(ind, "{")
		p.open(s.Comment)
		for _, c := range s.Cases {
			p.item(c.Doc, c.BlankBefore, ind+1)
			p.text(ind+1, "when "+condString(c.Cond))
			if c.Assign != nil {
				p.text(ind+1, " assign ")
				p.json(c.Assign, ind+1)
			}
			p.text(ind+1, " -> ")
			p.chain(c.Chain, ind+1, nil)
			p.endLine(c.Chain.Comment)
		}
		if e := s.Else; e != nil {
			p.item(e.Doc, e.BlankBefore, ind+1)
			p.text(ind+1, "else -> ")
			p.chain(e.Chain, ind+1, nil)
			p.endLine(e.Chain.Comment)
		}
		p.close(s.Footer, ind)
	}
}

// jsonWidth is the widest a JSON object or array may be on one line.
const jsonWidth = 60

// json prints a JSON value: on the current line if it fits (see
// inlineJSON), otherwise one member or element per line, one tab in, with
// their comments.
func (p *printer) json(v *JSON, ind int) {
	if s, ok := inlineJSON(v); ok {
		p.text(ind, s)
		return
	}
	if o := v.Object; o != nil {
		p.text(ind, "{")
		p.open(o.Comment)
		for i, m := range o.Members {
			p.item(m.Doc, m.BlankBefore, ind+1)
			p.text(ind+1, quote(m.Name)+": ")
			p.json(m.Value, ind+1)
			if i < len(o.Members)-1 {
				p.text(ind+1, ",")
			}
			p.endLine(m.Comment)
		}
		p.close(o.Footer, ind)
		return
	}
	a := v.Array
	p.text(ind, "[")
	p.open(a.Comment)
	for i, it := range a.Items {
		p.item(it.Doc, it.BlankBefore, ind+1)
		p.json(it, ind+1)
		if i < len(a.Items)-1 {
			p.text(ind+1, ",")
		}
		p.endLine(it.Comment)
	}
	p.docs(a.Footer, ind+1)
	p.text(ind, "]")
}

// inlineJSON prints a JSON value on one line, if it goes on one: a scalar,
// an empty object or array, or one holding no object or array that is not
// empty and taking at most jsonWidth characters.
func inlineJSON(v *JSON) (string, bool) {
	switch {
	case v.Object != nil:
		parts := make([]string, len(v.Object.Members))
		for i, m := range v.Object.Members {
			s, ok := inlineJSON(m.Value)
			if !ok || nonEmpty(m.Value) {
				return "", false
			}
			parts[i] = quote(m.Name) + ": " + s
		}
		s := "{" + strings.Join(parts, ", ") + "}"
		return s, len(s) <= jsonWidth || len(parts) == 0
	case v.Array != nil:
		parts := make([]string, len(v.Array.Items))
		for i, it := range v.Array.Items {
			s, ok := inlineJSON(it)
			if !ok || nonEmpty(it) {
				return "", false
			}
			parts[i] = s
		}
		s := "[" + strings.Join(parts, ", ") + "]"
		return s, len(s) <= jsonWidth || len(parts) == 0
	case v.String != nil:
		return quote(*v.String), true
	case v.Number != nil:
		return *v.Number, true
	case v.Bool != nil:
		return strconv.FormatBool(bool(*v.Bool)), true
	case v.Computed != nil:
		return "computed " + quote(v.Computed.Value), true
	}
	return "null", true
}

// nonEmpty reports whether v is an object or array with something in it.
func nonEmpty(v *JSON) bool {
	return v.Object != nil && len(v.Object.Members) > 0 || v.Array != nil && len(v.Array.Items) > 0
}

// quote writes a string literal as Go quotes it.
func quote(t Text) string { return strconv.Quote(string(t)) }

// nameString prints a node or workflow name: as it is when it is a plain
// name, quoted otherwise.
func nameString(t Text) string {
	if needsQuotes(string(t)) {
		return quote(t)
	}
	return string(t)
}

// errorNameString prints an error name: as it is when it reads back as one
// (a name, then .fields: States.Timeout), quoted otherwise.
func errorNameString(t Text) string {
	parts := strings.Split(string(t), ".")
	if !isIdent(parts[0]) {
		return quote(t)
	}
	for _, f := range parts[1:] {
		if !isIdent(f) && !isKeyword(f) {
			return quote(t)
		}
	}
	return string(t)
}

// failErrorString prints the error name of a fail, quoting the word
// errorpath, which would begin a computed error.
func failErrorString(t Text) string {
	if t == "errorpath" {
		return quote(t)
	}
	return errorNameString(t)
}

// pathValueString prints a path option's value: a string, or null.
func pathValueString(v *PathValue) string {
	if v.Null {
		return "null"
	}
	return quote(*v.Path)
}

// open ends the line of a block's opening brace.
func (p *printer) open(comments []*Comment) {
	p.endLine(comments)
	p.fresh = true
}

// branch prints one branch of a block on lines of its own.
func (p *printer) branch(c *Chain, ind int, next *Chain) {
	p.item(c.Doc, c.BlankBefore, ind)
	p.chain(c, ind, next)
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

// pathString prints a path: ".", ".a.b[2]", `.["odd key"]`, "$v.a".
func pathString(p *Path) string {
	if p.Var == "" && len(p.Steps) == 0 {
		return "."
	}
	var b strings.Builder
	b.WriteString(p.Var)
	for i, s := range p.Steps {
		switch {
		case s.Key != nil:
			if i == 0 && p.Var == "" {
				b.WriteByte('.')
			}
			b.WriteString("[" + quote(*s.Key) + "]")
		case s.Index != nil:
			if i == 0 && p.Var == "" {
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
			return s + " matches " + quote(*x.Pattern)
		case x.Type != "":
			return s + " is " + x.Type
		case x.Typed != nil:
			return s + " " + x.Typed.Kind + " " + x.Typed.Op + " " + operandString(x.Typed.Value)
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
		return quote(*o.String)
	case o.Bool != nil:
		return strconv.FormatBool(bool(*o.Bool))
	}
	return "null"
}
