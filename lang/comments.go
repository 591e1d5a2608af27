package lang

import (
	"sort"

	"github.com/alecthomas/participle/v2/lexer"
)

// Comments are kept by attaching each one to a line of the formatted output.
// Format prints every declaration, branch, case and option on a line of its
// own, so the lines are known from the tree alone: a line begins with a
// declaration, a branch, a case, an option, a member or element of a JSON
// value printed over several lines, or a closing brace, and ends at the end
// of a chain, at the end of a simple declaration, option or JSON member, or
// at the opening brace of a block or JSON value printed over several lines.
// Then:
//
//   - comments after a line's last token and on the same source line stay at
//     the end of that line (the Comment fields);
//   - other comments between two lines go on lines of their own before the
//     next line (Doc; Footer before a closing brace or at the end of the file);
//   - comments in the middle of a line move to before the line.
//
// An empty line before a declaration, branch, case or whole-line comment is
// kept; several count as one.

// line is one line of the formatted output, located in the source.
type line struct {
	start, end int         // source offsets of its first token and just past its last
	doc        *[]*Comment // where comments before the line go
	comment    *[]*Comment // where comments at its end go
	blank      *bool       // the BlankBefore of the item the line begins; nil for a closing brace
}

// span is a token other than whitespace.
type span struct {
	start, end int
	comment    bool
	tok        lexer.Token
}

// source is the text being parsed, by lines and tokens.
type source struct {
	spans      []span
	lineStarts []int
}

func newSource(src []byte, toks []lexer.Token) *source {
	s := &source{lineStarts: []int{0}}
	for i, b := range src {
		if b == '\n' {
			s.lineStarts = append(s.lineStarts, i+1)
		}
	}
	for i, t := range toks {
		if t.EOF() || t.Type == tokWhitespace {
			continue
		}
		end := len(src)
		if i+1 < len(toks) {
			end = toks[i+1].Pos.Offset
		}
		s.spans = append(s.spans, span{start: t.Pos.Offset, end: end, comment: t.Type == tokComment, tok: t})
	}
	return s
}

// lineOf returns the 1-based line of offset.
func (s *source) lineOf(offset int) int {
	return sort.Search(len(s.lineStarts), func(i int) bool { return s.lineStarts[i] > offset })
}

// before returns the index of the last span that ends at or before offset, or -1.
func (s *source) before(offset int) int {
	return sort.Search(len(s.spans), func(i int) bool { return s.spans[i].end > offset }) - 1
}

// blankBefore reports whether an empty line separates the span starting at
// offset from the span before it.
func (s *source) blankBefore(offset int) bool {
	i := s.before(offset)
	return i >= 0 && s.lineOf(offset)-s.lineOf(s.spans[i].end-1) >= 2
}

// openBrace returns the offset of the first "{" at or after offset.
func (s *source) openBrace(offset int) int {
	for i := s.before(offset) + 1; i < len(s.spans); i++ {
		if sp := s.spans[i]; sp.tok.Type == tokPunct && sp.tok.Value == "{" {
			return sp.start
		}
	}
	return offset
}

// hasComment reports whether a comment lies between offsets from and to.
func (s *source) hasComment(from, to int) bool {
	for i := s.before(from) + 1; i < len(s.spans) && s.spans[i].start < to; i++ {
		if s.spans[i].comment {
			return true
		}
	}
	return false
}

// attachComments fills in the comment fields and BlankBefore flags of f.
func attachComments(f *File, src []byte, toks []lexer.Token) {
	s := newSource(src, toks)
	commented := func(b Step) bool {
		from, to := blockSpan(b)
		return s.hasComment(s.openBrace(from), to)
	}
	var lines []line
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *WorkflowDecl:
			lines = append(lines, line{d.Pos.Offset, d.EndPos.Offset, &d.Doc, &d.Comment, &d.BlankBefore})
		case *ImportDecl:
			lines = append(lines, line{d.Pos.Offset, d.EndPos.Offset, &d.Doc, &d.Comment, &d.BlankBefore})
		case *NodeDecl:
			lines = nodeLines(lines, s, d)
		case *ChainDecl:
			lines = chainLines(lines, s, d.Chain, d.Pos.Offset, &d.Chain.Doc, &d.Chain.BlankBefore, commented)
		}
	}
	for i := range lines {
		if l := &lines[i]; l.blank != nil {
			*l.blank = s.blankBefore(l.start)
		}
	}

	hoisted := make([][]*Comment, len(lines))
	k, trailing, trailLine := -2, false, 0
	for _, sp := range s.spans {
		if !sp.comment {
			continue
		}
		c := &Comment{Pos: sp.tok.Pos, Text: sp.tok.Value}
		// The last line that starts before the comment.
		i := sort.Search(len(lines), func(i int) bool { return lines[i].start > sp.start }) - 1
		if i >= 0 && sp.start < lines[i].end {
			hoisted[i] = append(hoisted[i], c)
			*lines[i].doc = append(*lines[i].doc, c)
			continue
		}
		if i != k {
			// The first comment after line i.
			k = i
			trailing = i >= 0 && s.lineOf(sp.start) == s.lineOf(lines[i].end-1)
		} else {
			trailing = trailing && s.lineOf(sp.start) == trailLine
		}
		if trailing {
			trailLine = s.lineOf(sp.end - 1)
			*lines[i].comment = append(*lines[i].comment, c)
			continue
		}
		c.BlankBefore = s.blankBefore(sp.start)
		if i+1 < len(lines) {
			*lines[i+1].doc = append(*lines[i+1].doc, c)
		} else {
			f.Footer = append(f.Footer, c)
		}
	}
	// A comment moved from inside a line takes the empty line that preceded
	// the line, so that the text reads the same after formatting.
	for i, h := range hoisted {
		if len(h) == 0 {
			continue
		}
		if l := lines[i]; l.blank != nil && *l.blank {
			h[0].BlankBefore, *l.blank = true, false
		}
	}
	trimBlanks(f)
}

// chainLines appends the lines of chain c, whose first line starts at offset
// start and takes its comments into doc.
func chainLines(lines []line, s *source, c *Chain, start int, doc *[]*Comment, blank *bool, commented func(Step) bool) []line {
	cur := line{start: start, doc: doc, blank: blank}
	for _, st := range c.Steps {
		for _, j := range blockJSON(st) {
			lines, cur = jsonLines(lines, s, j, cur)
		}
		if !isBlock(st) || oneLine(st, commented) {
			continue
		}
		from, to := blockSpan(st)
		cur.end = s.openBrace(from) + 1
		var footer *[]*Comment
		switch b := st.(type) {
		case *Parallel:
			cur.comment, footer = &b.Comment, &b.Footer
			lines = append(lines, cur)
			for _, br := range b.Branches {
				lines = chainLines(lines, s, br, br.Pos.Offset, &br.Doc, &br.BlankBefore, commented)
			}
		case *Map:
			cur.comment, footer = &b.Comment, &b.Footer
			lines = append(lines, cur)
			lines = chainLines(lines, s, b.Body, b.Body.Pos.Offset, &b.Body.Doc, &b.Body.BlankBefore, commented)
		case *Choose:
			cur.comment, footer = &b.Comment, &b.Footer
			lines = append(lines, cur)
			for _, cs := range b.Cases {
				first := line{start: cs.Pos.Offset, doc: &cs.Doc, blank: &cs.BlankBefore}
				if cs.Assign != nil {
					// An assign over several lines: the case's chain goes
					// on from its closing brace.
					lines, first = jsonLines(lines, s, cs.Assign, first)
				}
				lines = chainLines(lines, s, cs.Chain, first.start, first.doc, first.blank, commented)
			}
			if e := b.Else; e != nil {
				lines = chainLines(lines, s, e.Chain, e.Pos.Offset, &e.Doc, &e.BlankBefore, commented)
			}
		}
		// The closing brace begins the next line.
		cur = line{start: to - 1, doc: footer}
	}
	cur.end, cur.comment = c.EndPos.Offset, &c.Comment
	return append(lines, cur)
}

// nodeLines appends the lines of a node declaration: one, or with an option
// block that Format prints, the line that opens it, one per option in source
// order and the closing brace. It also sets d.Block.
func nodeLines(lines []line, s *source, d *NodeDecl) []line {
	open := -1
	if i := s.before(kindEnd(d)) + 1; i < len(s.spans) {
		for ; i < len(s.spans) && s.spans[i].comment; i++ {
		}
		if i < len(s.spans) && s.spans[i].tok.Type == tokPunct && s.spans[i].tok.Value == "{" {
			open = s.spans[i].start
		}
	}
	opts := d.Options()
	d.Block = open >= 0 && (len(opts) > 0 || s.hasComment(open+1, d.EndPos.Offset))
	if !d.Block {
		return append(lines, line{d.Pos.Offset, d.EndPos.Offset, &d.Doc, &d.Comment, &d.BlankBefore})
	}
	lines = append(lines, line{d.Pos.Offset, open + 1, &d.Doc, &d.Comment, &d.BlankBefore})
	sort.SliceStable(opts, func(i, j int) bool { return optionLine(opts[i]).start < optionLine(opts[j]).start })
	for _, o := range opts {
		l := optionLine(o)
		if v := optionJSON(o); v != nil {
			// A JSON value over several lines: the option's line ends at its
			// opening brace, the last line begins at the closing one.
			var last line
			lines, last = jsonLines(lines, s, v, l)
			last.end, last.comment = l.end, l.comment
			l = last
		}
		lines = append(lines, l)
	}
	return append(lines, line{start: d.EndPos.Offset - 1, end: d.EndPos.Offset, doc: &d.Footer, comment: &d.EndComment})
}

// kindEnd returns the source offset just past what a node declaration binds
// the node to: pkg.Func, pass or a wait.
func kindEnd(d *NodeDecl) int {
	switch {
	case d.Func != nil:
		return d.Func.EndPos.Offset
	case d.Lambda != nil:
		return d.Lambda.EndPos.Offset
	case d.Pass != nil:
		return d.Pass.EndPos.Offset
	case d.Wait != nil:
		return d.Wait.EndPos.Offset
	}
	return d.Name.Pos.Offset
}

// optionLine is the line of one option of a node's block, or the first and
// last line of one with a JSON value printed over several lines.
func optionLine(o Option) line {
	switch o := o.(type) {
	case *PathOption:
		return line{o.Pos.Offset, o.EndPos.Offset, &o.Doc, &o.Comment, &o.BlankBefore}
	case *TemplateOption:
		return line{o.Pos.Offset, o.EndPos.Offset, &o.Doc, &o.Comment, &o.BlankBefore}
	case *Timeout:
		return line{o.Pos.Offset, o.EndPos.Offset, &o.Doc, &o.Comment, &o.BlankBefore}
	case *After:
		return line{o.Pos.Offset, o.EndPos.Offset, &o.Doc, &o.Comment, &o.BlankBefore}
	case *Retry:
		return line{o.Pos.Offset, o.EndPos.Offset, &o.Doc, &o.Comment, &o.BlankBefore}
	case *Catch:
		return line{o.Pos.Offset, o.EndPos.Offset, &o.Doc, &o.Comment, &o.BlankBefore}
	}
	panic("lang: unknown option")
}

// optionJSON returns the JSON value of an option: a template's, or a
// catch's assign; nil for none.
func optionJSON(o Option) *JSON {
	switch o := o.(type) {
	case *TemplateOption:
		return o.Value
	case *Catch:
		return o.Assign
	}
	return nil
}

// blockJSON returns the JSON values in the clauses of a map, a parallel or
// a choose.
func blockJSON(st Step) []*JSON {
	switch b := st.(type) {
	case *Parallel:
		return b.Parameters
	case *Map:
		return b.ItemSelector
	case *Choose:
		if b.Assign != nil {
			return []*JSON{b.Assign}
		}
	}
	return nil
}

// jsonLines appends the lines of a JSON value that Format prints over several
// lines: cur, the line the value begins on, which ends at its opening
// bracket; a line for each member or element (with the lines of its value);
// and returns the line that begins at the closing bracket, for the caller to
// end. A value printed on one line adds no line and returns cur: comments
// inside it move before cur.
func jsonLines(lines []line, s *source, v *JSON, cur line) ([]line, line) {
	if _, ok := inlineJSON(v); ok {
		return lines, cur
	}
	cur.end = v.Pos.Offset + 1
	var footer *[]*Comment
	if o := v.Object; o != nil {
		cur.comment, footer = &o.Comment, &o.Footer
		lines = append(lines, cur)
		for _, m := range o.Members {
			var ml line
			lines, ml = jsonLines(lines, s, m.Value, line{start: m.Pos.Offset, doc: &m.Doc, blank: &m.BlankBefore})
			ml.end, ml.comment = s.pastComma(m.EndPos.Offset), &m.Comment
			lines = append(lines, ml)
		}
	} else {
		a := v.Array
		cur.comment, footer = &a.Comment, &a.Footer
		lines = append(lines, cur)
		for _, it := range a.Items {
			var il line
			lines, il = jsonLines(lines, s, it, line{start: it.Pos.Offset, doc: &it.Doc, blank: &it.BlankBefore})
			il.end, il.comment = s.pastComma(it.EndPos.Offset), &it.Comment
			lines = append(lines, il)
		}
	}
	return lines, line{start: v.EndPos.Offset - 1, doc: footer}
}

// pastComma returns the offset just past the comma that follows offset,
// comments aside, or offset if no comma follows.
func (s *source) pastComma(offset int) int {
	i := s.before(offset) + 1
	for i < len(s.spans) && s.spans[i].comment {
		i++
	}
	if i < len(s.spans) && s.spans[i].tok.Type == tokPunct && s.spans[i].tok.Value == "," {
		return s.spans[i].end
	}
	return offset
}

// blockSpan returns the source offsets of a block step: where its opening
// brace may be found (past its clauses, which may hold JSON objects) and
// just past its closing brace.
func blockSpan(s Step) (from, to int) {
	switch b := s.(type) {
	case *Parallel:
		from = b.Pos.Offset
		for _, j := range b.Parameters {
			from = max(from, j.EndPos.Offset)
		}
		return from, b.EndPos.Offset
	case *Map:
		from = b.Pos.Offset
		for _, j := range b.ItemSelector {
			from = max(from, j.EndPos.Offset)
		}
		return from, b.EndPos.Offset
	case *Choose:
		from = b.Pos.Offset
		if b.Assign != nil {
			from = b.Assign.EndPos.Offset
		}
		return from, b.EndPos.Offset
	}
	return 0, 0
}

// trimBlanks drops the empty line before the first thing printed in the
// file and in each block: there is nothing to separate it from.
func trimBlanks(f *File) {
	var items []listItem
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *WorkflowDecl:
			items = append(items, listItem{d.Doc, &d.BlankBefore})
		case *ImportDecl:
			items = append(items, listItem{d.Doc, &d.BlankBefore})
		case *NodeDecl:
			items = append(items, listItem{d.Doc, &d.BlankBefore})
			// The options as Format prints them, which need not be the
			// order they were written in.
			var opts []listItem
			for _, o := range d.Options() {
				l := optionLine(o)
				opts = append(opts, listItem{*l.doc, l.blank})
				if v := optionJSON(o); v != nil {
					trimJSON(v)
				}
			}
			trimList(opts, d.Footer)
		case *ChainDecl:
			items = append(items, listItem{d.Chain.Doc, &d.Chain.BlankBefore})
			trimChain(d.Chain)
		}
	}
	trimList(items, f.Footer)
}

type listItem struct {
	doc   []*Comment
	blank *bool
}

func trimList(items []listItem, footer []*Comment) {
	switch {
	case len(items) > 0 && len(items[0].doc) > 0:
		items[0].doc[0].BlankBefore = false
	case len(items) > 0:
		*items[0].blank = false
	case len(footer) > 0:
		footer[0].BlankBefore = false
	}
}

// trimJSON trims the empty lines before the first member or element of every
// object and array in v.
func trimJSON(v *JSON) {
	var items []listItem
	switch {
	case v.Object != nil:
		for _, m := range v.Object.Members {
			items = append(items, listItem{m.Doc, &m.BlankBefore})
			trimJSON(m.Value)
		}
		trimList(items, v.Object.Footer)
	case v.Array != nil:
		for _, it := range v.Array.Items {
			items = append(items, listItem{it.Doc, &it.BlankBefore})
			trimJSON(it)
		}
		trimList(items, v.Array.Footer)
	}
}

func trimChain(c *Chain) {
	for _, st := range c.Steps {
		for _, j := range blockJSON(st) {
			trimJSON(j)
		}
		var items []listItem
		var footer []*Comment
		switch b := st.(type) {
		case *Parallel:
			for _, br := range b.Branches {
				items = append(items, listItem{br.Doc, &br.BlankBefore})
				trimChain(br)
			}
			footer = b.Footer
		case *Map:
			items = append(items, listItem{b.Body.Doc, &b.Body.BlankBefore})
			trimChain(b.Body)
			footer = b.Footer
		case *Choose:
			for _, cs := range b.Cases {
				items = append(items, listItem{cs.Doc, &cs.BlankBefore})
				if cs.Assign != nil {
					trimJSON(cs.Assign)
				}
				trimChain(cs.Chain)
			}
			if e := b.Else; e != nil {
				items = append(items, listItem{e.Doc, &e.BlankBefore})
				trimChain(e.Chain)
			}
			footer = b.Footer
		default:
			continue
		}
		trimList(items, footer)
	}
}
