package jinja

import (
	"fmt"
	"slices"
)

// Expression parsing, with Jinja2's operator precedence from lowest to
// highest: inline if, or, and, not, comparisons and in, + -, ~, * / // %,
// **, unary - +, then postfix access, calls, filters and tests.

// parseTuple parses an expression or a comma-separated tuple of them.
func (p *parser) parseTuple(simplified, withCond bool, extraEnd []string, explicitParens bool) expr {
	pos := p.cur().pos
	var items []expr
	isTuple := false
	for {
		if len(items) > 0 {
			p.expectOp(",", "")
		}
		if p.isTupleEnd(extraEnd) {
			break
		}
		if simplified {
			items = append(items, p.parsePrimary())
		} else {
			items = append(items, p.parseExpression(withCond))
		}
		if p.isOp(",") {
			isTuple = true
		} else {
			break
		}
	}
	if !isTuple {
		if len(items) > 0 {
			return items[0]
		}
		if !explicitParens {
			p.fail(p.cur().pos, "expected an expression, got %s", p.cur().describe())
		}
	}
	return &tupleExpr{exprBase{pos}, items}
}

func (p *parser) isTupleEnd(extraEnd []string) bool {
	t := p.cur()
	if t.kind == tVarEnd || t.kind == tBlockEnd || (t.kind == tOp && t.val == ")") {
		return true
	}
	return t.kind == tName && slices.Contains(extraEnd, t.val)
}

func (p *parser) parseExpression(withCond bool) expr {
	p.enter(p.cur().pos)
	defer func() { p.depth-- }()
	if withCond {
		return p.parseCondexpr()
	}
	return p.parseOr()
}

func (p *parser) parseCondexpr() expr {
	pos := p.cur().pos
	x := p.parseOr()
	links := 0
	defer func() { p.depth -= links }()
	for p.skipName("if") {
		p.enter(pos)
		links++
		cond := p.parseOr()
		var els expr
		if p.skipName("else") {
			els = p.parseCondexpr()
		}
		x = &condExpr{exprBase{pos}, cond, x, els}
		pos = p.cur().pos
	}
	return x
}

func (p *parser) parseOr() expr {
	x := p.parseAnd()
	links := 0
	defer func() { p.depth -= links }()
	for p.isName("or") {
		pos := p.next().pos
		p.enter(pos)
		links++
		x = &logicExpr{exprBase{pos}, false, x, p.parseAnd()}
	}
	return x
}

func (p *parser) parseAnd() expr {
	x := p.parseNot()
	links := 0
	defer func() { p.depth -= links }()
	for p.isName("and") {
		pos := p.next().pos
		p.enter(pos)
		links++
		x = &logicExpr{exprBase{pos}, true, x, p.parseNot()}
	}
	return x
}

func (p *parser) parseNot() expr {
	if p.isName("not") {
		pos := p.next().pos
		p.enter(pos)
		defer func() { p.depth-- }()
		return &unaryExpr{exprBase{pos}, "not", p.parseNot()}
	}
	return p.parseCompare()
}

var compareOps = map[string]bool{"==": true, "!=": true, "<": true, ">": true, "<=": true, ">=": true}

func (p *parser) parseCompare() expr {
	pos := p.cur().pos
	first := p.parseMath1()
	var c *compareExpr
	add := func(op string, opPos int) {
		if c == nil {
			c = &compareExpr{exprBase: exprBase{pos}, first: first}
			p.enter(pos)
		}
		c.ops = append(c.ops, op)
		c.opPos = append(c.opPos, opPos)
		c.rights = append(c.rights, p.parseMath1())
	}
	for {
		t := p.cur()
		switch {
		case t.kind == tOp && compareOps[t.val]:
			p.next()
			add(t.val, t.pos)
		case p.isName("in"):
			p.next()
			add("in", t.pos)
		case p.isName("not") && p.peek().kind == tName && p.peek().val == "in":
			p.next()
			p.next()
			add("notin", t.pos)
		default:
			if c == nil {
				return first
			}
			p.depth--
			return c
		}
	}
}

// binaryChain parses a left-associative chain of operators.
func (p *parser) binaryChain(ops []string, operand func() expr) expr {
	x := operand()
	links := 0
	defer func() { p.depth -= links }()
	for p.cur().kind == tOp && slices.Contains(ops, p.cur().val) {
		t := p.next()
		p.enter(t.pos)
		links++
		x = &binExpr{exprBase{t.pos}, t.val, x, operand()}
	}
	return x
}

func (p *parser) parseMath1() expr {
	return p.binaryChain([]string{"+", "-"}, p.parseConcat)
}

func (p *parser) parseConcat() expr {
	pos := p.cur().pos
	first := p.parseMath2()
	if !p.isOp("~") {
		return first
	}
	p.enter(pos)
	defer func() { p.depth-- }()
	items := []expr{first}
	for p.skipOp("~") {
		items = append(items, p.parseMath2())
	}
	return &concatExpr{exprBase{pos}, items}
}

func (p *parser) parseMath2() expr {
	return p.binaryChain([]string{"*", "/", "//", "%"}, p.parsePow)
}

func (p *parser) parsePow() expr {
	return p.binaryChain([]string{"**"}, func() expr { return p.parseUnary(true) })
}

func (p *parser) parseUnary(withFilter bool) expr {
	t := p.cur()
	var x expr
	if t.kind == tOp && (t.val == "-" || t.val == "+") {
		p.next()
		p.enter(t.pos)
		x = &unaryExpr{exprBase{t.pos}, t.val, p.parseUnary(false)}
		p.depth--
	} else {
		x = p.parsePrimary()
	}
	links := 0
	defer func() { p.depth -= links }()
	x = p.parsePostfix(x, &links)
	if withFilter {
		x = p.parseFilterExpr(x, &links)
	}
	return x
}

func (p *parser) parsePrimary() expr {
	t := p.cur()
	switch t.kind {
	case tName:
		p.next()
		switch t.val {
		case "true", "True":
			return &constExpr{exprBase{t.pos}, true}
		case "false", "False":
			return &constExpr{exprBase{t.pos}, false}
		case "none", "None":
			return &constExpr{exprBase{t.pos}, nil}
		}
		return &nameExpr{exprBase{t.pos}, t.val}
	case tString:
		p.next()
		s := t.val
		for p.cur().kind == tString {
			s += p.next().val
		}
		return &constExpr{exprBase{t.pos}, s}
	case tInt, tFloat:
		p.next()
		return &constExpr{exprBase{t.pos}, t.num}
	case tOp:
		switch t.val {
		case "(":
			p.next()
			p.enter(t.pos)
			x := p.parseTuple(false, true, nil, true)
			p.expectOp(")", " to close '('")
			p.depth--
			return x
		case "[":
			return p.parseList()
		case "{":
			return p.parseDict()
		}
	}
	p.fail(t.pos, "expected an expression, got %s", t.describe())
	return nil
}

func (p *parser) parseList() expr {
	t := p.next()
	p.enter(t.pos)
	defer func() { p.depth-- }()
	l := &listExpr{exprBase: exprBase{t.pos}}
	for !p.isOp("]") {
		if len(l.items) > 0 {
			p.expectOp(",", " between list items")
			if p.isOp("]") {
				break
			}
		}
		l.items = append(l.items, p.parseExpression(true))
	}
	p.next()
	return l
}

func (p *parser) parseDict() expr {
	t := p.next()
	p.enter(t.pos)
	defer func() { p.depth-- }()
	d := &dictExpr{exprBase: exprBase{t.pos}}
	for !p.isOp("}") {
		if len(d.keys) > 0 {
			p.expectOp(",", " between dict items")
			if p.isOp("}") {
				break
			}
		}
		d.keys = append(d.keys, p.parseExpression(true))
		p.expectOp(":", " after a dict key")
		d.vals = append(d.vals, p.parseExpression(true))
	}
	p.next()
	return d
}

func (p *parser) parsePostfix(x expr, links *int) expr {
	for {
		t := p.cur()
		if t.kind != tOp || (t.val != "." && t.val != "[" && t.val != "(") {
			return x
		}
		p.enter(t.pos)
		*links++
		switch t.val {
		case ".", "[":
			x = p.parseSubscript(x)
		case "(":
			x = p.parseCall(x)
		}
	}
}

func (p *parser) parseFilterExpr(x expr, links *int) expr {
	for {
		t := p.cur()
		switch {
		case t.kind == tOp && t.val == "|":
			p.next()
			p.enter(t.pos)
			*links++
			x = p.parseOneFilter(x)
		case t.kind == tName && t.val == "is":
			p.next()
			p.enter(t.pos)
			*links++
			x = p.parseTest(x, t.pos)
		case t.kind == tOp && t.val == "(":
			p.enter(t.pos)
			*links++
			x = p.parseCall(x)
		default:
			return x
		}
	}
}

func (p *parser) parseSubscript(x expr) expr {
	t := p.next()
	if t.val == "." {
		a := p.cur()
		switch a.kind {
		case tName:
			p.next()
			return &attrExpr{exprBase{t.pos}, x, a.val}
		case tInt:
			p.next()
			return &itemExpr{exprBase{t.pos}, x, &constExpr{exprBase{a.pos}, a.num}}
		}
		p.fail(a.pos, "expected an attribute name or number after '.', got %s", a.describe())
	}
	if p.isOp("]") {
		p.fail(p.cur().pos, "expected an index or slice between '[' and ']'")
	}
	var keys []expr
	for !p.isOp("]") {
		if len(keys) > 0 {
			p.expectOp(",", " between subscripts")
		}
		keys = append(keys, p.parseSubscribed(x, t.pos))
	}
	p.next()
	if len(keys) == 1 {
		if s, ok := keys[0].(*sliceExpr); ok {
			s.x = x
			return s
		}
		return &itemExpr{exprBase{t.pos}, x, keys[0]}
	}
	for _, k := range keys {
		if _, ok := k.(*sliceExpr); ok {
			p.fail(k.position(), "multi-dimensional slices are not supported")
		}
	}
	return &itemExpr{exprBase{t.pos}, x, &tupleExpr{exprBase{t.pos}, keys}}
}

// parseSubscribed parses an index or a slice [lo:hi:step].
func (p *parser) parseSubscribed(x expr, pos int) expr {
	s := &sliceExpr{exprBase: exprBase{pos}}
	if !p.isOp(":") {
		lo := p.parseExpression(true)
		if !p.isOp(":") {
			return lo
		}
		s.lo, s.hasLo = lo, true
	}
	p.next() // ':'
	if !p.isOp(":") && !p.isOp("]") && !p.isOp(",") {
		s.hi, s.hasHi = p.parseExpression(true), true
	}
	if p.skipOp(":") {
		if !p.isOp("]") && !p.isOp(",") {
			s.step, s.hasStep = p.parseExpression(true), true
		}
	}
	return s
}

func (p *parser) parseCallArgs() ([]expr, []kwarg) {
	p.expectOp("(", "")
	var args []expr
	var kwargs []kwarg
	for !p.isOp(")") {
		if len(args)+len(kwargs) > 0 {
			p.expectOp(",", " between arguments")
			if p.isOp(")") {
				break
			}
		}
		t := p.cur()
		if t.kind == tOp && (t.val == "*" || t.val == "**") {
			p.fail(t.pos, "argument unpacking with %s is not supported", t.val)
		}
		if t.kind == tName && p.peek().kind == tOp && p.peek().val == "=" {
			p.next()
			p.next()
			for _, k := range kwargs {
				if k.name == t.val {
					p.fail(t.pos, "keyword argument '%s' given twice", t.val)
				}
			}
			kwargs = append(kwargs, kwarg{t.val, p.parseExpression(true)})
			continue
		}
		if len(kwargs) > 0 {
			p.fail(t.pos, "positional argument follows keyword argument")
		}
		args = append(args, p.parseExpression(true))
	}
	p.next()
	return args, kwargs
}

func (p *parser) parseCall(fn expr) expr {
	pos := p.cur().pos
	args, kwargs := p.parseCallArgs()
	return &callExpr{exprBase{pos}, fn, args, kwargs}
}

func (p *parser) dottedName(what string) token {
	t := p.expectName(what)
	for p.isOp(".") {
		p.next()
		t.val += "." + p.expectName(what).val
	}
	return t
}

func (p *parser) parseOneFilter(x expr) *filterExpr {
	t := p.dottedName("a filter name after '|'")
	def, ok := filters[t.val]
	if !ok {
		p.fail(t.pos, "unknown filter '%s'", t.val)
	}
	f := &filterExpr{exprBase: exprBase{t.pos}, x: x, name: t.val, def: def}
	if p.isOp("(") {
		f.args, f.kwargs = p.parseCallArgs()
	}
	if err := def.sig.check(len(f.args), f.kwargs); err != "" {
		p.fail(t.pos, "filter '%s' %s", t.val, err)
	}
	return f
}

func (p *parser) parseTest(x expr, pos int) expr {
	neg := p.skipName("not")
	t := p.dottedName("a test name after 'is'")
	def, ok := tests[t.val]
	if !ok {
		p.fail(t.pos, "unknown test '%s'", t.val)
	}
	te := &testExpr{exprBase: exprBase{t.pos}, x: x, name: t.val, def: def, neg: neg}
	c := p.cur()
	var kwargs []kwarg
	switch {
	case c.kind == tOp && c.val == "(":
		te.args, kwargs = p.parseCallArgs()
	case c.kind == tString || c.kind == tInt || c.kind == tFloat ||
		(c.kind == tOp && (c.val == "[" || c.val == "{")) ||
		(c.kind == tName && c.val != "else" && c.val != "or" && c.val != "and"):
		if c.kind == tName && c.val == "is" {
			p.fail(c.pos, "tests cannot be chained with 'is'")
		}
		links := 0
		a := p.parsePostfix(p.parsePrimary(), &links)
		p.depth -= links
		te.args = []expr{a}
	}
	if len(kwargs) > 0 {
		p.fail(t.pos, "test '%s' takes no keyword arguments", t.val)
	}
	if len(te.args) != def.nargs {
		p.fail(t.pos, "test '%s' takes %s", t.val, plural(def.nargs, "argument"))
	}
	return te
}

func plural(n int, word string) string {
	if n == 0 {
		return "no " + word + "s"
	}
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
