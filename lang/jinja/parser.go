package jinja

import (
	"slices"
	"strings"
)

// parser is a recursive-descent parser with Jinja2's grammar and operator
// precedence. Errors panic with *Error and are recovered by Parse.
type parser struct {
	t      *Template
	toks   []token
	i      int
	depth  int // expression nesting
	blocks int // block nesting
	open   []openTag
}

type openTag struct {
	name string
	pos  int
	ends []string
}

func (p *parser) cur() token  { return p.toks[p.i] }
func (p *parser) peek() token { return p.toks[min(p.i+1, len(p.toks)-1)] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if p.i < len(p.toks)-1 {
		p.i++
	}
	return t
}

func (p *parser) fail(pos int, format string, args ...any) {
	panic(p.t.errorAt(pos, format, args...))
}

func (p *parser) isOp(op string) bool {
	t := p.cur()
	return t.kind == tOp && t.val == op
}

func (p *parser) isName(name string) bool {
	t := p.cur()
	return t.kind == tName && t.val == name
}

func (p *parser) skipOp(op string) bool {
	if p.isOp(op) {
		p.next()
		return true
	}
	return false
}

func (p *parser) skipName(name string) bool {
	if p.isName(name) {
		p.next()
		return true
	}
	return false
}

func (p *parser) expectOp(op, what string) token {
	if !p.isOp(op) {
		p.fail(p.cur().pos, "expected '%s'%s, got %s", op, what, p.cur().describe())
	}
	return p.next()
}

func (p *parser) expectName(what string) token {
	if p.cur().kind != tName {
		p.fail(p.cur().pos, "expected %s, got %s", what, p.cur().describe())
	}
	return p.next()
}

func (p *parser) expectBlockEnd(tag string) {
	if p.cur().kind != tBlockEnd {
		p.fail(p.cur().pos, "expected '%%}' to end the '%s' tag, got %s", tag, p.cur().describe())
	}
	p.next()
}

// enter counts one level of expression nesting.
func (p *parser) enter(pos int) {
	p.depth++
	if p.depth > p.t.limits.MaxDepth {
		p.fail(pos, "expression is nested too deeply (the limit is %d levels)", p.t.limits.MaxDepth)
	}
}

func (p *parser) parseTemplate() []node {
	body, _ := p.subparse(nil)
	return body
}

// subparse parses template content until a {% tag %} named in ends, which
// it returns without consuming it (the token after {% is current).
func (p *parser) subparse(ends []string) ([]node, string) {
	var body []node
	for {
		t := p.cur()
		switch t.kind {
		case tData:
			body = append(body, &textNode{pos: t.pos, text: t.val})
			p.next()
		case tVarBegin:
			p.next()
			if p.cur().kind == tVarEnd {
				p.fail(p.cur().pos, "expected an expression between '{{' and '}}'")
			}
			x := p.parseTuple(false, true, nil, false)
			if p.cur().kind != tVarEnd {
				p.fail(p.cur().pos, "expected '}}' to end the expression, got %s", p.cur().describe())
			}
			p.next()
			body = append(body, &outputNode{x: x})
		case tBlockBegin:
			p.next()
			name := p.cur()
			if name.kind != tName {
				p.fail(name.pos, "expected a tag name after '{%%', got %s", name.describe())
			}
			if slices.Contains(ends, name.val) {
				return body, name.val
			}
			body = append(body, p.parseStatement())
		case tEOF:
			if ends != nil {
				o := p.open[len(p.open)-1]
				line, _ := p.t.position(o.pos)
				p.fail(t.pos, "unexpected end of template: expected %s to close the '%s' tag from line %d",
					quoteList(o.ends), o.name, line)
			}
			return body, ""
		default:
			p.fail(t.pos, "unexpected %s", t.describe())
		}
	}
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "'" + n + "'"
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

var unsupportedTags = map[string]bool{
	"block": true, "extends": true, "print": true, "macro": true, "include": true,
	"from": true, "import": true, "with": true, "autoescape": true, "call": true,
	"filter": true, "do": true, "break": true, "continue": true, "trans": true,
}

func (p *parser) parseStatement() node {
	t := p.cur()
	switch t.val {
	case "if":
		return p.parseIf()
	case "for":
		return p.parseFor()
	case "set":
		return p.parseSet()
	case "raw":
		p.fail(t.pos, "malformed raw tag: write {%% raw %%} with nothing else inside")
	}
	if strings.HasPrefix(t.val, "end") || t.val == "else" || t.val == "elif" {
		if len(p.open) == 0 {
			p.fail(t.pos, "unexpected tag '%s': there is no open block it could close", t.val)
		}
		o := p.open[len(p.open)-1]
		line, _ := p.t.position(o.pos)
		p.fail(t.pos, "unexpected tag '%s': expected %s to close the '%s' tag from line %d",
			t.val, quoteList(o.ends), o.name, line)
	}
	if unsupportedTags[t.val] {
		p.fail(t.pos, "the '%s' tag is not supported (supported tags: if, for, set, raw)", t.val)
	}
	p.fail(t.pos, "unknown tag '%s' (supported tags: if, for, set, raw)", t.val)
	return nil
}

// block parses the statements after the current tag's %} up to one of
// ends. tag names the tag being ended, open the block it belongs to.
func (p *parser) block(tag, open string, pos int, ends ...string) ([]node, string) {
	p.expectBlockEnd(tag)
	p.blocks++
	if p.blocks > p.t.limits.MaxDepth {
		p.fail(pos, "blocks are nested too deeply (the limit is %d levels)", p.t.limits.MaxDepth)
	}
	p.open = append(p.open, openTag{name: open, pos: pos, ends: ends})
	body, end := p.subparse(ends)
	p.open = p.open[:len(p.open)-1]
	p.blocks--
	p.next() // the end tag name
	return body, end
}

func (p *parser) parseIf() node {
	start := p.next()
	n := &ifNode{}
	tag := "if"
	for {
		n.conds = append(n.conds, p.parseTuple(false, false, nil, false))
		body, end := p.block(tag, "if", start.pos, "elif", "else", "endif")
		n.bodies = append(n.bodies, body)
		switch end {
		case "elif":
			tag = "elif"
			continue
		case "else":
			n.els, _ = p.block("else", "if", start.pos, "endif")
		}
		p.expectBlockEnd("endif")
		return n
	}
}

func (p *parser) parseFor() node {
	start := p.next()
	n := &forNode{pos: start.pos}
	n.targets, n.tuple = p.parseTargets("in")
	for _, name := range n.targets {
		if name == "loop" {
			p.fail(start.pos, "cannot assign to the special loop variable in a for-loop target")
		}
	}
	if !p.skipName("in") {
		p.fail(p.cur().pos, "expected 'in' after the for-loop target, got %s", p.cur().describe())
	}
	n.iter = p.parseTuple(false, false, []string{"recursive"}, false)
	if p.skipName("if") {
		n.cond = p.parseExpression(true)
	}
	if p.isName("recursive") {
		p.fail(p.cur().pos, "recursive loops are not supported")
	}
	var end string
	n.body, end = p.block("for", "for", start.pos, "endfor", "else")
	if end == "else" {
		n.els, _ = p.block("else", "for", start.pos, "endfor")
	}
	p.expectBlockEnd("endfor")
	return n
}

// parseTargets parses assignment targets: a name or a comma-separated
// list of names, optionally in parentheses.
func (p *parser) parseTargets(endName string) ([]string, bool) {
	paren := p.skipOp("(")
	var names []string
	tuple := paren
	for {
		t := p.cur()
		if t.kind != tName {
			if t.kind == tOp && (t.val == "(" || t.val == "[") {
				p.fail(t.pos, "nested unpacking in assignment targets is not supported")
			}
			p.fail(t.pos, "expected a variable name, got %s", t.describe())
		}
		if isReservedName(t.val) {
			p.fail(t.pos, "cannot assign to '%s'", t.val)
		}
		p.next()
		names = append(names, t.val)
		if !p.skipOp(",") {
			break
		}
		tuple = true
		if (paren && p.isOp(")")) || p.isName(endName) || p.cur().kind == tBlockEnd || p.isOp("=") {
			break
		}
	}
	if paren {
		p.expectOp(")", " to close the target list")
	}
	return names, tuple
}

func isReservedName(s string) bool {
	switch s {
	case "true", "false", "none", "True", "False", "None":
		return true
	}
	return false
}

func (p *parser) parseSet() node {
	start := p.next()
	n := &setNode{pos: start.pos}
	if p.cur().kind == tName && p.peek().kind == tOp && p.peek().val == "." {
		ns := p.next()
		p.next()
		attr := p.expectName("an attribute name after '.'")
		n.targets, n.nsAttr = []string{ns.val}, attr.val
	} else {
		n.targets, n.tuple = p.parseTargets("")
	}
	if p.skipOp("=") {
		n.x = p.parseTuple(false, true, nil, false)
		p.expectBlockEnd("set")
		return n
	}
	if n.tuple || n.nsAttr != "" {
		p.fail(p.cur().pos, "expected '=' after the set target, got %s", p.cur().describe())
	}
	for p.isOp("|") {
		p.next()
		n.filters = append(n.filters, p.parseOneFilter(nil))
	}
	if p.cur().kind != tBlockEnd {
		p.fail(p.cur().pos, "expected '=' or '%%}' after the set target, got %s", p.cur().describe())
	}
	n.body, _ = p.block("set", "set", start.pos, "endset")
	p.expectBlockEnd("endset")
	return n
}
