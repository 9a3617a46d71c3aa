package data

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"nodetool/lang/pystr"
	"nodetool/lang/pyval"
)

// A query is a pandas DataFrame.query condition, evaluated a column at a
// time. The supported subset, with pandas' semantics:
//
//   - column names, or `backtick quoted` names, and index (the row's
//     position); string, number, True/False/None literals; lists [..] and
//     tuples (..)
//   - comparisons == != < > <= >=, chained (100 <= price <= 200); in and
//     not in against a list or a column
//   - and, or, not, and pandas' &, | (with the precedence of and, or) and
//     ~; parentheses
//   - arithmetic + - * / // % ** and unary minus on numbers, + on texts
//   - methods: .str.contains(pat, case=True, regex=True),
//     .str.startswith(s), .str.endswith(s), .str.lower(), .str.upper(),
//     .str.strip(), .str.len(), .isna(), .notna(), .isnull(), .notnull(),
//     .isin([..]), .between(a, b, inclusive="both")
//
// Comparing a missing value (None, NaN) is false (!= is true); == between
// a text and a number is false, ordering them is an error. Anything else
// (@variables, other functions and attributes, assignment, bitwise
// operators) is refused with an error naming it.
type query struct {
	src  string
	root qnode
}

type qnode any

type (
	qLit   struct{ v any }
	qName  struct{ name string }
	qList  struct{ items []qnode }
	qUnary struct {
		op string
		x  qnode
	}
	qBool struct {
		and bool
		xs  []qnode
	}
	qCompare struct {
		operands []qnode
		ops      []string
	}
	qArith struct {
		op   string
		l, r qnode
	}
	qCall struct {
		recv   qnode
		method string
		args   []qnode
		kwargs map[string]qnode
		pos    int
	}
)

type qtoken struct {
	kind string // "num", "str", "name", "op", "eof"
	text string
	val  any
	pos  int
}

// qTokenCost is what a token and its share of the parsed query hold;
// maxQueryDepth bounds nesting as Python's parser bounds parentheses.
const (
	qTokenCost    = 96
	maxQueryDepth = 200
)

// parseQuery parses a condition; bud bounds what the parsed query holds.
func parseQuery(bud pyval.Budget, src string) (*query, error) {
	clip := pystr.ClipCount(src, 200)
	if strings.TrimSpace(src) == "" {
		return nil, fmt.Errorf("the condition is empty: give one, such as age > 30")
	}
	toks, err := qTokenize(bud, src)
	if err != nil {
		if _, ok := err.(qSyntax); !ok {
			return nil, err
		}
		return nil, fmt.Errorf("condition %q: %v", clip, err)
	}
	p := &qparser{toks: toks}
	root, err := p.or()
	if err == nil && p.peek().kind != "eof" {
		err = p.unexpected()
	}
	if err != nil {
		return nil, fmt.Errorf("condition %q: %v", clip, err)
	}
	return &query{src: clip, root: root}, nil
}

// qSyntax is an error in the condition's text.
type qSyntax string

func (e qSyntax) Error() string { return string(e) }

func qErr(format string, a ...any) error { return qSyntax(fmt.Sprintf(format, a...)) }

func qTokenize(bud pyval.Budget, src string) ([]qtoken, error) {
	var toks []qtoken
	i := 0
	for i < len(src) {
		if int64(len(toks)+1)*qTokenCost > bud.MaxValue() {
			return nil, bud.CheckSize(-1)
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
				return nil, qErr("bad number %q at position %d", src[i:j], i)
			}
			toks = append(toks, qtoken{kind: "num", val: v, pos: i})
			i = j
		case c == '\'' || c == '"':
			s, n, err := qString(src[i:])
			if err != nil {
				return nil, qErr("%v at position %d", err, i)
			}
			toks = append(toks, qtoken{kind: "str", val: s, pos: i})
			i += n
		case c == '`':
			end := strings.IndexByte(src[i+1:], '`')
			if end < 0 {
				return nil, qErr("unclosed ` at position %d", i)
			}
			toks = append(toks, qtoken{kind: "name", text: src[i+1 : i+1+end], val: true, pos: i})
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
				return nil, qErr("unexpected character %q at position %d", r, i)
			}
			toks = append(toks, qtoken{kind: "name", text: src[i:j], pos: i})
			i = j
		default:
			two := src[i:min(i+2, len(src))]
			switch {
			case two == "==" || two == "!=" || two == "<=" || two == ">=" || two == "**" || two == "//":
				toks = append(toks, qtoken{kind: "op", text: two, pos: i})
				i += 2
			case two == "<<" || two == ">>":
				return nil, qErr("bit shifts (%s) are not supported (position %d)", two, i)
			case strings.IndexByte("<>()[],&|~-+*/%.=", c) >= 0:
				toks = append(toks, qtoken{kind: "op", text: string(c), pos: i})
				i++
			case c == '@':
				return nil, qErr("local variables (@name) are not available here (position %d): write the value itself", i)
			case c == '^':
				return nil, qErr("bitwise xor (^) is not supported (position %d)", i)
			default:
				r, _ := utf8.DecodeRuneInString(src[i:])
				return nil, qErr("unexpected character %q at position %d", r, i)
			}
		}
	}
	return append(toks, qtoken{kind: "eof", pos: len(src)}), nil
}

// qString reads a Python string literal at the start of s and returns its
// value and length.
func qString(s string) (string, int, error) {
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
			case '0':
				b.WriteByte(0)
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

type qparser struct {
	toks  []qtoken
	i     int
	depth int
}

func (p *qparser) peek() qtoken { return p.toks[p.i] }

func (p *qparser) next() qtoken {
	t := p.toks[p.i]
	if t.kind != "eof" {
		p.i++
	}
	return t
}

// is reports whether the next token is the operator or keyword s (a
// backticked name is never a keyword).
func (p *qparser) is(s string) bool {
	t := p.peek()
	return (t.kind == "op" || t.kind == "name" && t.val == nil) && t.text == s
}

func (p *qparser) unexpected() error {
	t := p.peek()
	switch t.kind {
	case "eof":
		return fmt.Errorf("the condition ends too early")
	case "num", "str":
		return fmt.Errorf("unexpected %s at position %d", pystr.ClipCount(pyval.Repr(t.val), 200), t.pos)
	}
	if t.kind == "op" && t.text == "=" {
		return fmt.Errorf("'=' at position %d: use == to compare (assignment is not supported)", t.pos)
	}
	return fmt.Errorf("unexpected %s at position %d", pystr.ClipQuote(t.text), t.pos)
}

func (p *qparser) enter() error {
	p.depth++
	if p.depth > maxQueryDepth {
		return fmt.Errorf("the condition nests deeper than %d levels (position %d)", maxQueryDepth, p.peek().pos)
	}
	return nil
}

func (p *qparser) leave() { p.depth-- }

func (p *qparser) or() (qnode, error) {
	return p.boolChain(false, "or", "|", p.and)
}

func (p *qparser) and() (qnode, error) {
	return p.boolChain(true, "and", "&", p.not)
}

func (p *qparser) boolChain(and bool, word, sym string, sub func() (qnode, error)) (qnode, error) {
	l, err := sub()
	if err != nil || !(p.is(word) || p.is(sym)) {
		return l, err
	}
	b := qBool{and: and, xs: []qnode{l}}
	for p.is(word) || p.is(sym) {
		p.next()
		r, err := sub()
		if err != nil {
			return nil, err
		}
		b.xs = append(b.xs, r)
	}
	return b, nil
}

func (p *qparser) not() (qnode, error) {
	if p.is("not") {
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer p.leave()
		p.next()
		x, err := p.not()
		return qUnary{"not", x}, err
	}
	return p.comparison()
}

func (p *qparser) compOp() string {
	t := p.peek()
	switch {
	case t.kind == "op" && (t.text == "==" || t.text == "!=" || t.text == "<" || t.text == ">" || t.text == "<=" || t.text == ">="):
		return t.text
	case p.is("in"):
		return "in"
	case p.is("not") && p.toks[p.i+1].kind == "name" && p.toks[p.i+1].val == nil && p.toks[p.i+1].text == "in":
		return "not in"
	case p.is("is"):
		return "is"
	}
	return ""
}

func (p *qparser) comparison() (qnode, error) {
	first, err := p.arith()
	if err != nil {
		return nil, err
	}
	c := qCompare{operands: []qnode{first}}
	for {
		op := p.compOp()
		if op == "" {
			break
		}
		if op == "is" {
			return nil, fmt.Errorf("'is' at position %d is not supported; use == or !=, or .isna()", p.peek().pos)
		}
		p.next()
		if op == "not in" {
			p.next()
		}
		x, err := p.arith()
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

func (p *qparser) arith() (qnode, error) {
	l, err := p.term()
	for err == nil && (p.is("+") || p.is("-")) {
		op := p.next().text
		var r qnode
		if r, err = p.term(); err == nil {
			l = qArith{op, l, r}
		}
	}
	return l, err
}

func (p *qparser) term() (qnode, error) {
	l, err := p.factor()
	for err == nil && (p.is("*") || p.is("/") || p.is("//") || p.is("%")) {
		op := p.next().text
		var r qnode
		if r, err = p.factor(); err == nil {
			l = qArith{op, l, r}
		}
	}
	return l, err
}

func (p *qparser) factor() (qnode, error) {
	if p.is("-") || p.is("+") || p.is("~") {
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer p.leave()
		op := p.next()
		x, err := p.factor()
		if err != nil {
			return nil, err
		}
		if lit, ok := x.(qLit); ok && op.text == "-" {
			switch n := lit.v.(type) {
			case int64:
				return qLit{-n}, nil
			case float64:
				return qLit{-n}, nil
			}
		}
		return qUnary{op.text, x}, nil
	}
	return p.power()
}

func (p *qparser) power() (qnode, error) {
	base, err := p.primary()
	if err != nil || !p.is("**") {
		return base, err
	}
	p.next()
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	exp, err := p.factor()
	if err != nil {
		return nil, err
	}
	return qArith{"**", base, exp}, nil
}

// methods are the calls a condition may make on a column, with the
// number of positional arguments they take (min, max).
var methods = map[string][2]int{
	"str.contains": {1, 1}, "str.startswith": {1, 1}, "str.endswith": {1, 1},
	"str.lower": {0, 0}, "str.upper": {0, 0}, "str.strip": {0, 0}, "str.len": {0, 0},
	"isna": {0, 0}, "notna": {0, 0}, "isnull": {0, 0}, "notnull": {0, 0},
	"isin": {1, 1}, "between": {2, 3},
}

// methodKeywords are the keyword arguments each method accepts.
var methodKeywords = map[string][]string{
	"str.contains": {"case", "regex", "na"}, "str.startswith": {"na"}, "str.endswith": {"na"},
	"between": {"inclusive"},
}

func (p *qparser) primary() (qnode, error) {
	x, err := p.atom()
	if err != nil {
		return nil, err
	}
	for p.is(".") {
		dot := p.next()
		var path []string
		for {
			t := p.next()
			if t.kind != "name" {
				return nil, fmt.Errorf("a name must follow '.' at position %d", dot.pos)
			}
			path = append(path, t.text)
			if !p.is(".") {
				break
			}
			p.next()
		}
		name := strings.Join(path, ".")
		arity, ok := methods[name]
		if !ok {
			return nil, fmt.Errorf(".%s at position %d is not supported; the supported methods are .str.contains, .str.startswith, .str.endswith, .str.lower, .str.upper, .str.strip, .str.len, .isna, .notna, .isin and .between", pystr.ClipCount(name, 60), dot.pos)
		}
		if !p.is("(") {
			return nil, fmt.Errorf(".%s at position %d must be called: .%s(...)", name, dot.pos, name)
		}
		call, err := p.call(x, name, dot.pos)
		if err != nil {
			return nil, err
		}
		if len(call.args) < arity[0] || len(call.args) > arity[1] {
			return nil, fmt.Errorf(".%s at position %d takes %d to %d arguments, got %d", name, dot.pos, arity[0], arity[1], len(call.args))
		}
		x = call
	}
	if p.is("(") {
		return nil, fmt.Errorf("function calls are not supported (position %d)", p.peek().pos)
	}
	if p.is("[") {
		return nil, fmt.Errorf("indexing with [ ] is not supported (position %d)", p.peek().pos)
	}
	return x, nil
}

// call reads the arguments of a method call: values, then keyword=value.
func (p *qparser) call(recv qnode, name string, pos int) (qCall, error) {
	if err := p.enter(); err != nil {
		return qCall{}, err
	}
	defer p.leave()
	p.next() // (
	c := qCall{recv: recv, method: name, pos: pos}
	for !p.is(")") {
		if len(c.args)+len(c.kwargs) > 0 {
			if !p.is(",") {
				return c, p.unexpected()
			}
			p.next()
			if p.is(")") {
				break
			}
		}
		if t := p.peek(); t.kind == "name" && t.val == nil && p.toks[p.i+1].kind == "op" && p.toks[p.i+1].text == "=" {
			p.next()
			p.next()
			if !slices.Contains(methodKeywords[name], t.text) {
				return c, fmt.Errorf(".%s has no keyword argument %s (position %d)", name, pystr.ClipQuote(t.text), t.pos)
			}
			if _, dup := c.kwargs[t.text]; dup {
				return c, fmt.Errorf("keyword argument %s given twice (position %d)", t.text, t.pos)
			}
			x, err := p.or()
			if err != nil {
				return c, err
			}
			if c.kwargs == nil {
				c.kwargs = map[string]qnode{}
			}
			c.kwargs[t.text] = x
			continue
		}
		if len(c.kwargs) > 0 {
			return c, fmt.Errorf("a positional argument follows a keyword argument (position %d)", p.peek().pos)
		}
		x, err := p.or()
		if err != nil {
			return c, err
		}
		c.args = append(c.args, x)
	}
	p.next() // )
	return c, nil
}

func (p *qparser) atom() (qnode, error) {
	t := p.peek()
	switch t.kind {
	case "num", "str":
		p.next()
		return qLit{t.val}, nil
	case "name":
		if t.val == nil {
			switch t.text {
			case "and", "or", "not", "in", "is":
				return nil, p.unexpected()
			case "True":
				p.next()
				return qLit{true}, nil
			case "False":
				p.next()
				return qLit{false}, nil
			case "None":
				p.next()
				return qLit{nil}, nil
			case "lambda", "if", "else", "for":
				return nil, fmt.Errorf("%s at position %d is not supported", t.text, t.pos)
			}
		}
		p.next()
		if p.is("(") {
			return nil, fmt.Errorf("function calls (%s(...)) are not supported (position %d)", pystr.ClipCount(t.text, 40), t.pos)
		}
		return qName{t.text}, nil
	case "op":
		switch t.text {
		case "(", "[":
			if err := p.enter(); err != nil {
				return nil, err
			}
			defer p.leave()
			closing := ")"
			if t.text == "[" {
				closing = "]"
			}
			p.next()
			if p.is(closing) {
				p.next()
				return qList{}, nil
			}
			x, err := p.or()
			if err != nil {
				return nil, err
			}
			if t.text == "(" && p.is(")") {
				p.next()
				return x, nil
			}
			return p.items(x, closing)
		}
	}
	return nil, p.unexpected()
}

// items reads the rest of a list or tuple literal after its first item.
func (p *qparser) items(first qnode, closing string) (qnode, error) {
	l := qList{items: []qnode{first}}
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
