package dicts

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"nodetool/engine"
	"nodetool/lang/pystr"
	"nodetool/lang/pyval"
	"nodetool/nodes/lists"
)

// dictQuery is a parsed pandas query expression, evaluated against one
// dict as pandas evaluates it against a one-row DataFrame built from it.
//
// The supported subset: comparisons (== != < > <= >=, chained as in
// a < b < c), in and not in against a list ([...] or (...)), and, or, not
// (and pandas' &, |, ~, which there have the precedence of and, or, not),
// parentheses, string, number and True/False/None literals, and keys as
// names or `backtick quoted`. Arithmetic, attribute access, function calls
// and @variables are rejected with an error naming them.
//
// As in pandas: comparing with None is false (!= is true); == between
// different kinds (text and number) is false; ordering them is an error;
// and a name that is not a key is an error.
type dictQuery struct {
	src  string
	root queryNode
}

type queryNode any

type (
	queryLit  struct{ v any }
	queryName struct{ name string }
	queryList struct{ items []queryNode }
	queryNot  struct{ x queryNode }
	// queryBool is a chain of and (or of or): a and b and c.
	queryBool struct {
		and bool
		xs  []queryNode
	}
	queryCompare struct {
		operands []queryNode
		ops      []string
	}
)

type queryToken struct {
	kind string // "num", "str", "name", "op", "eof"
	text string // operator or name
	val  any    // literal value
	pos  int
}

// queryTokenCost is what a token and its share of the parsed query hold.
const queryTokenCost = 96

// maxQueryDepth bounds the nesting of parentheses, brackets, not and ~, as
// Python's parser bounds nested parentheses.
const maxQueryDepth = 200

func queryTokenize(ctx *engine.Ctx, src string) ([]queryToken, error) {
	var toks []queryToken
	limit := int64(engine.DefaultMaxValue)
	if ctx != nil {
		limit = ctx.MaxValue()
	}
	i := 0
	for i < len(src) {
		if int64(len(toks)+1)*queryTokenCost > limit {
			if ctx != nil {
				return nil, ctx.CheckSize(-1)
			}
			return nil, fmt.Errorf("the query has too many tokens")
		}
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			j := i
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '_' || src[j] == '.') {
				j++
			}
			if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
				k := j + 1
				if k < len(src) && (src[k] == '+' || src[k] == '-') {
					k++
				}
				if k < len(src) && src[k] >= '0' && src[k] <= '9' {
					for j = k; j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '_'); j++ {
					}
				}
			}
			text := strings.ReplaceAll(src[i:j], "_", "")
			var v any
			var err error
			if strings.ContainsAny(text, ".eE") {
				v, err = strconv.ParseFloat(text, 64)
			} else {
				v, err = strconv.ParseInt(text, 10, 64)
			}
			if err != nil {
				return nil, fmt.Errorf("bad number %q at position %d", src[i:j], i)
			}
			toks = append(toks, queryToken{kind: "num", val: v, pos: i})
			i = j
		case c == '\'' || c == '"':
			s, n, err := queryString(src[i:])
			if err != nil {
				return nil, fmt.Errorf("%v at position %d", err, i)
			}
			toks = append(toks, queryToken{kind: "str", val: s, pos: i})
			i += n
		case c == '`':
			end := strings.IndexByte(src[i+1:], '`')
			if end < 0 {
				return nil, fmt.Errorf("unclosed ` at position %d", i)
			}
			toks = append(toks, queryToken{kind: "name", text: src[i+1 : i+1+end], pos: i})
			i += end + 2
		case c == '_' || c < utf8.RuneSelf && unicode.IsLetter(rune(c)) || c >= utf8.RuneSelf:
			j := i
			for j < len(src) {
				r, size := utf8.DecodeRuneInString(src[j:])
				if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
					break
				}
				j += size
			}
			if j == i {
				r, _ := utf8.DecodeRuneInString(src[i:])
				return nil, fmt.Errorf("unexpected character %q at position %d", r, i)
			}
			toks = append(toks, queryToken{kind: "name", text: src[i:j], pos: i})
			i = j
		default:
			two := src[i:min(i+2, len(src))]
			switch {
			case two == "==" || two == "!=" || two == "<=" || two == ">=":
				toks = append(toks, queryToken{kind: "op", text: two, pos: i})
				i += 2
			case two == "**" || two == "//" || two == "<<" || two == ">>":
				return nil, fmt.Errorf("arithmetic (%s) is not supported in queries (position %d)", two, i)
			case strings.IndexByte("<>()[],&|~-+", c) >= 0:
				toks = append(toks, queryToken{kind: "op", text: string(c), pos: i})
				i++
			case c == '=':
				return nil, fmt.Errorf("'=' at position %d: use == to compare", i)
			case c == '@':
				return nil, fmt.Errorf("local variables (@name) are not supported in queries (position %d)", i)
			case c == '.':
				return nil, fmt.Errorf("attribute access (.) is not supported in queries (position %d)", i)
			case strings.IndexByte("*/%^", c) >= 0:
				return nil, fmt.Errorf("arithmetic (%c) is not supported in queries (position %d)", c, i)
			default:
				r, _ := utf8.DecodeRuneInString(src[i:])
				return nil, fmt.Errorf("unexpected character %q at position %d", r, i)
			}
		}
	}
	return append(toks, queryToken{kind: "eof", pos: len(src)}), nil
}

// queryString reads a Python string literal at the start of s and returns its
// value and length.
func queryString(s string) (string, int, error) {
	quote := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == quote:
			return b.String(), i + 1, nil
		case c == '\\' && i+1 < len(s):
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '\\', '\'', '"':
				b.WriteByte(s[i])
			default:
				b.WriteByte('\\')
				b.WriteByte(s[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, fmt.Errorf("unclosed string")
}

type queryParser struct {
	toks  []queryToken
	i     int
	depth int
}

// parseDictQuery parses a query; ctx (nil in tests) bounds what the
// parsed query may hold by its max-value budget.
func parseDictQuery(ctx *engine.Ctx, src string) (*dictQuery, error) {
	toks, err := queryTokenize(ctx, src)
	if err != nil {
		if engine.IsLimit(err) {
			return nil, err
		}
		return nil, fmt.Errorf("query %q: %v", pystr.ClipCount(src, 200), err)
	}
	p := &queryParser{toks: toks}
	root, err := p.or()
	if err == nil && p.peek().kind != "eof" {
		err = p.unexpected()
	}
	if err != nil {
		return nil, fmt.Errorf("query %q: %v", pystr.ClipCount(src, 200), err)
	}
	return &dictQuery{src: pystr.ClipCount(src, 200), root: root}, nil
}

func (p *queryParser) peek() queryToken { return p.toks[p.i] }

func (p *queryParser) next() queryToken {
	t := p.toks[p.i]
	if t.kind != "eof" {
		p.i++
	}
	return t
}

// is reports whether the next token is the operator or keyword s.
func (p *queryParser) is(s string) bool {
	t := p.peek()
	return (t.kind == "op" || t.kind == "name") && t.text == s
}

func (p *queryParser) unexpected() error {
	t := p.peek()
	switch t.kind {
	case "eof":
		return fmt.Errorf("the query ends too early")
	case "num", "str":
		return fmt.Errorf("unexpected %s at position %d", pystr.ClipCount(pyval.Repr(t.val), 200), t.pos)
	}
	if t.text == "+" || t.text == "-" {
		return fmt.Errorf("arithmetic (%s) is not supported in queries (position %d)", t.text, t.pos)
	}
	if t.text == "(" {
		return fmt.Errorf("function calls are not supported in queries (position %d)", t.pos)
	}
	return fmt.Errorf("unexpected %q at position %d", t.text, t.pos)
}

func (p *queryParser) or() (queryNode, error) {
	l, err := p.and()
	if err != nil || !(p.is("or") || p.is("|")) {
		return l, err
	}
	b := queryBool{and: false, xs: []queryNode{l}}
	for p.is("or") || p.is("|") {
		p.next()
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		b.xs = append(b.xs, r)
	}
	return b, nil
}

func (p *queryParser) and() (queryNode, error) {
	l, err := p.not()
	if err != nil || !(p.is("and") || p.is("&")) {
		return l, err
	}
	b := queryBool{and: true, xs: []queryNode{l}}
	for p.is("and") || p.is("&") {
		p.next()
		r, err := p.not()
		if err != nil {
			return nil, err
		}
		b.xs = append(b.xs, r)
	}
	return b, nil
}

// enter counts one more level of nesting; leave undoes it.
func (p *queryParser) enter() error {
	p.depth++
	if p.depth > maxQueryDepth {
		return fmt.Errorf("the query nests deeper than %d levels (position %d)", maxQueryDepth, p.peek().pos)
	}
	return nil
}

func (p *queryParser) leave() { p.depth-- }

func (p *queryParser) not() (queryNode, error) {
	if p.is("not") {
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer p.leave()
		p.next()
		x, err := p.not()
		return queryNot{x}, err
	}
	return p.comparison()
}

func (p *queryParser) compOp() string {
	t := p.peek()
	switch {
	case t.kind == "op" && (t.text == "==" || t.text == "!=" || t.text == "<" || t.text == ">" || t.text == "<=" || t.text == ">="):
		return t.text
	case p.is("in"):
		return "in"
	case p.is("not") && p.i+1 < len(p.toks) && p.toks[p.i+1].kind == "name" && p.toks[p.i+1].text == "in":
		return "not in"
	case p.is("is"):
		return "is"
	}
	return ""
}

func (p *queryParser) comparison() (queryNode, error) {
	first, err := p.unary()
	if err != nil {
		return nil, err
	}
	c := queryCompare{operands: []queryNode{first}}
	for {
		op := p.compOp()
		if op == "" {
			break
		}
		if op == "is" {
			return nil, fmt.Errorf("'is' at position %d is not supported; use == or !=", p.peek().pos)
		}
		p.next()
		if op == "not in" {
			p.next()
		}
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		c.operands = append(c.operands, x)
		c.ops = append(c.ops, op)
	}
	if len(c.ops) == 0 {
		return first, nil
	}
	return c, nil
}

func (p *queryParser) unary() (queryNode, error) {
	switch {
	case p.is("~"):
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer p.leave()
		p.next()
		x, err := p.unary()
		return queryNot{x}, err
	case p.is("-") || p.is("+"):
		op := p.next()
		if t := p.peek(); t.kind == "num" {
			p.next()
			if op.text == "-" {
				switch n := t.val.(type) {
				case int64:
					return queryLit{-n}, nil
				case float64:
					return queryLit{-n}, nil
				}
			}
			return queryLit{t.val}, nil
		}
		return nil, fmt.Errorf("'%s' at position %d: only numbers can have a sign; arithmetic is not supported in queries", op.text, op.pos)
	}
	return p.atom()
}

func (p *queryParser) atom() (queryNode, error) {
	t := p.peek()
	switch t.kind {
	case "num", "str":
		p.next()
		return queryLit{t.val}, nil
	case "name":
		switch t.text {
		case "and", "or", "not", "in", "is":
			return nil, p.unexpected()
		case "True":
			p.next()
			return queryLit{true}, nil
		case "False":
			p.next()
			return queryLit{false}, nil
		case "None":
			p.next()
			return queryLit{nil}, nil
		}
		p.next()
		if p.is("(") {
			return nil, fmt.Errorf("function calls (%s(...)) are not supported in queries", t.text)
		}
		return queryName{t.text}, nil
	case "op":
		if t.text == "(" || t.text == "[" {
			if err := p.enter(); err != nil {
				return nil, err
			}
			defer p.leave()
		}
		switch t.text {
		case "(":
			p.next()
			if p.is(")") {
				p.next()
				return queryList{}, nil
			}
			x, err := p.or()
			if err != nil {
				return nil, err
			}
			if p.is(")") {
				p.next()
				return x, nil
			}
			if !p.is(",") {
				return nil, p.unexpected()
			}
			return p.items(x, ")")
		case "[":
			p.next()
			if p.is("]") {
				p.next()
				return queryList{}, nil
			}
			x, err := p.or()
			if err != nil {
				return nil, err
			}
			return p.items(x, "]")
		}
	}
	return nil, p.unexpected()
}

// items reads the rest of a list or tuple literal after its first item.
func (p *queryParser) items(first queryNode, closing string) (queryNode, error) {
	l := queryList{items: []queryNode{first}}
	for {
		if p.is(closing) {
			p.next()
			return l, nil
		}
		if !p.is(",") {
			return nil, p.unexpected()
		}
		p.next()
		if p.is(closing) {
			p.next()
			return l, nil
		}
		x, err := p.or()
		if err != nil {
			return nil, err
		}
		l.items = append(l.items, x)
	}
}

// match evaluates the query against row; the result must be true or false.
// ctx (nil in tests) is polled while values are compared.
func (q *dictQuery) match(ctx *engine.Ctx, row *pyval.Dict) (bool, error) {
	v, err := queryEval(ctx, q.root, row)
	if err != nil {
		if engine.IsLimit(err) || ctx != nil && ctx.Err() != nil {
			return false, err
		}
		return false, fmt.Errorf("query %q: %v", q.src, err)
	}
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("query %q gives %s %s, not true or false; compare it, e.g. x > 0", q.src, lists.ListArticle(pyval.TypeName(v)), pyval.TypeName(v))
	}
	return b, nil
}

func queryEval(ctx *engine.Ctx, n queryNode, row *pyval.Dict) (any, error) {
	switch t := n.(type) {
	case queryLit:
		return t.v, nil
	case queryName:
		v, ok := row.Get(t.name)
		if !ok {
			return nil, fmt.Errorf("name %q is not defined: the dictionary has no such key (its keys: %s)", t.name, dictKeyList(row))
		}
		return v, nil
	case queryList:
		out := make([]any, len(t.items))
		for i, x := range t.items {
			v, err := queryEval(ctx, x, row)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case queryNot:
		v, err := queryEval(ctx, t.x, row)
		if err != nil {
			return nil, err
		}
		b, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("'not' needs true or false, got %s %s", lists.ListArticle(pyval.TypeName(v)), pyval.TypeName(v))
		}
		return !b, nil
	case queryBool:
		op := "or"
		if t.and {
			op = "and"
		}
		// Every side is evaluated, as pandas does.
		result := t.and
		for _, x := range t.xs {
			v, err := queryEval(ctx, x, row)
			if err != nil {
				return nil, err
			}
			b, ok := v.(bool)
			if !ok {
				return nil, fmt.Errorf("'%s' needs true or false on both sides, got %s %s", op, lists.ListArticle(pyval.TypeName(v)), pyval.TypeName(v))
			}
			if t.and {
				result = result && b
			} else {
				result = result || b
			}
		}
		return result, nil
	case queryCompare:
		left, err := queryEval(ctx, t.operands[0], row)
		if err != nil {
			return nil, err
		}
		result := true
		for i, op := range t.ops {
			right, err := queryEval(ctx, t.operands[i+1], row)
			if err != nil {
				return nil, err
			}
			_, fromKey := t.operands[i+1].(queryName)
			ok, err := queryCompareValues(ctx, op, left, right, fromKey)
			if err != nil {
				return nil, err
			}
			result = result && ok
			left = right
		}
		return result, nil
	}
	return nil, fmt.Errorf("unsupported expression")
}

// queryCompareValues applies one comparison the way pandas does on a one-row
// column. rightIsKey tells whether right is a column, where "in" means
// equality with its one value.
func queryCompareValues(ctx *engine.Ctx, op string, left, right any, rightIsKey bool) (bool, error) {
	if op == "in" || op == "not in" {
		var found bool
		switch r := right.(type) {
		case []any:
			for _, item := range r {
				eq, err := pyval.EqualWithin(ctx, left, item)
				if err != nil {
					return false, err
				}
				if eq {
					found = true
					break
				}
			}
		default:
			if !rightIsKey {
				return false, fmt.Errorf("'%s' needs a list on its right, like x in [1, 2], got %s %s", op, lists.ListArticle(pyval.TypeName(right)), pyval.TypeName(right))
			}
			eq, err := pyval.EqualWithin(ctx, left, right)
			if err != nil {
				return false, err
			}
			found = eq
		}
		return found == (op == "in"), nil
	}
	if left == nil || right == nil {
		return op == "!=", nil
	}
	switch op {
	case "==", "!=":
		eq, err := pyval.EqualWithin(ctx, left, right)
		return eq == (op == "=="), err
	}
	_, ln := pyval.AsNumber(left)
	_, rn := pyval.AsNumber(right)
	_, ls := left.(string)
	_, rs := right.(string)
	if !(ln && rn || ls && rs) {
		return false, fmt.Errorf("'%s' is not supported between %s %s and %s %s", op,
			lists.ListArticle(pyval.TypeName(left)), pyval.TypeName(left), lists.ListArticle(pyval.TypeName(right)), pyval.TypeName(right))
	}
	c, err := pyval.Compare(left, right)
	if err != nil {
		return false, err
	}
	switch op {
	case "<":
		return c < 0, nil
	case ">":
		return c > 0, nil
	case "<=":
		return c <= 0, nil
	}
	return c >= 0, nil
}
