// Package jsonpath evaluates the JSONPath subset NodeTool's JSON nodes
// accept ($, .name, [index], [start:end:step], .., *, ['key']) over values,
// within a pyval.Budget: what each step selects counts against its
// max-value and every value visited ticks it.
package jsonpath

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"nodetool/lang/pystr"
	"nodetool/lang/pyval"
)

// A small JSONPath evaluator in the dialect of Python's jsonpath-ng (the
// library nodetool.text.ExtractJSON uses), shared by the text and lib.json
// nodes. Supported:
//
//	$            the root (optional at the start)
//	.key  ['key'] ["key"]   a dict key; .'quoted key' too
//	.*           every value of a dict
//	[n] [-n]     a list index (negative counts from the end); a string's character
//	[*] [a:b:c]  every item or a Python slice of a list (a dict or scalar counts
//	             as a one-item list, as in jsonpath-ng)
//	[a,b] ['a','b']  unions of indexes or keys
//	..key ..* ..[n]  recursive descent: the step applied to every node, depth first
//
// A numeric dotted step (.0) selects key "0" of a dict, and, unlike
// jsonpath-ng, also index 0 of a list. Filters ([?(...)]), the | and &
// operators, `this`/`parent` and where clauses are refused with an error.

// Path is a parsed path: steps applied left to right.
type Path struct {
	src   string
	steps []jpStep
}

// jpEval is one evaluation of a path: ctx (nil when unbounded) is polled
// for every value visited and bounds what the evaluation builds.
type jpEval struct {
	ctx pyval.Budget
}

func (e *jpEval) tick() error { return e.ctx.Tick() }

type jpStep interface {
	apply(e *jpEval, v any, emit func(any) error) error
}

// jpFields selects dict keys (or every value with wildcard). A numeric key
// written after a dot (numeric) also indexes lists.
type jpFields struct {
	names    []string
	wildcard bool
	numeric  bool
}

func (s jpFields) apply(e *jpEval, v any, emit func(any) error) error {
	var err error
	switch t := v.(type) {
	case *pyval.Dict:
		if s.wildcard {
			t.Range(func(_ string, x any) bool { err = emit(x); return err == nil })
			return err
		}
		for _, n := range s.names {
			if x, ok := t.Get(n); ok {
				if err := emit(x); err != nil {
					return err
				}
			}
		}
	case []any:
		if s.numeric {
			for _, n := range s.names {
				if i, err := strconv.Atoi(n); err == nil {
					if err := (jpIndex{idx: []int{i}}).apply(e, t, emit); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// jpIndex selects list items by index (negative from the end). Like
// jsonpath-ng, indexing a string gives its character.
type jpIndex struct{ idx []int }

func (s jpIndex) apply(e *jpEval, v any, emit func(any) error) error {
	switch t := v.(type) {
	case []any:
		for _, i := range s.idx {
			if i < 0 {
				i += len(t)
			}
			if i >= 0 && i < len(t) {
				if err := emit(t[i]); err != nil {
					return err
				}
			}
		}
	case string:
		if jpASCII(t) {
			for _, i := range s.idx {
				if i < 0 {
					i += len(t)
				}
				if i >= 0 && i < len(t) {
					if err := emit(t[i : i+1]); err != nil {
						return err
					}
				}
			}
			return nil
		}
		if err := e.ctx.CheckSize(4 * int64(len(t))); err != nil {
			return err
		}
		rs := []rune(t)
		for _, i := range s.idx {
			if i < 0 {
				i += len(rs)
			}
			if i >= 0 && i < len(rs) {
				if err := emit(string(rs[i])); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func jpASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// jpSlice selects a Python slice of a list; [*] is the full slice. A
// non-list value counts as a one-item list.
type jpSlice struct {
	start, end *int
	step       int
}

func (s jpSlice) apply(e *jpEval, v any, emit func(any) error) error {
	if v == nil {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	lo, hi := pystr.SliceIndices(len(list), s.start, s.end, s.step)
	// Counted, so a huge step cannot overflow the position.
	n, _ := pystr.RangeLen(int64(lo), int64(hi), int64(s.step))
	for i, k := lo, int64(0); k < n; i, k = i+s.step, k+1 {
		if err := emit(list[i]); err != nil {
			return err
		}
	}
	return nil
}

// jpDescend applies a step to a node and to every node below it, depth
// first (dict values in order, list items in order).
type jpDescend struct{ step jpStep }

func (s jpDescend) apply(e *jpEval, v any, emit func(any) error) error {
	if err := e.tick(); err != nil {
		return err
	}
	if err := s.step.apply(e, v, emit); err != nil {
		return err
	}
	var err error
	switch t := v.(type) {
	case []any:
		for _, x := range t {
			if err := s.apply(e, x, emit); err != nil {
				return err
			}
		}
	case *pyval.Dict:
		t.Range(func(_ string, x any) bool { err = s.apply(e, x, emit); return err == nil })
	}
	return err
}

// jpKeyOrIndex is one step of a dotted path as lib.json's GetJSONPath*
// nodes read it: a dict key, or a list index when the step is all digits.
type jpKeyOrIndex struct{ key string }

func (s jpKeyOrIndex) apply(e *jpEval, v any, emit func(any) error) error {
	switch t := v.(type) {
	case *pyval.Dict:
		if x, ok := t.Get(s.key); ok {
			return emit(x)
		}
	case []any:
		if s.key == "" || strings.Trim(s.key, "0123456789") != "" {
			return nil
		}
		if i, err := strconv.Atoi(s.key); err == nil && i < len(t) {
			return emit(t[i])
		}
	}
	return nil
}

// Find returns every value the path selects, in order, without bounds;
// code handling a workflow's values uses FindAll.
func (p *Path) Find(data any) []any {
	out, _ := p.FindAll(pyval.Unlimited, data)
	return out
}

// FindAll returns every value the path selects, in order. The values
// selected at each step count against bud's max-value (as a list of them
// would) and every value visited ticks it, so a path that selects or visits
// without end stops with the budget's error.
func (p *Path) FindAll(ctx pyval.Budget, data any) ([]any, error) {
	e := &jpEval{ctx: ctx}
	cur := []any{data}
	for _, st := range p.steps {
		var next []any
		emit := func(x any) error {
			if err := ctx.Tick(); err != nil {
				return err
			}
			if err := ctx.CheckItems(int64(len(next)) + 1); err != nil {
				return err
			}
			next = append(next, x)
			return nil
		}
		for _, v := range cur {
			if err := st.apply(e, v, emit); err != nil {
				return nil, err
			}
		}
		cur = next
		if len(cur) == 0 {
			break
		}
	}
	if cur == nil {
		cur = []any{}
	}
	return cur, nil
}

// parseDottedPath reads a lib.json path such as "a.b.0": the text split on
// dots, each part a dict key or (all digits) a list index.
func parseDottedPath(path string) *Path {
	p := &Path{src: path}
	for _, k := range strings.Split(path, ".") {
		p.steps = append(p.steps, jpKeyOrIndex{key: k})
	}
	return p
}

// lookupPath resolves a lib.json GetJSONPath* path: a JSONPath expression
// when it starts with "$", otherwise a dotted path. found is false when
// nothing (or null) is there. ctx (nil in tests) bounds the evaluation.
func Lookup(ctx pyval.Budget, data any, path string) (v any, found bool, err error) {
	var p *Path
	if strings.HasPrefix(strings.TrimSpace(path), "$") {
		if p, err = Parse(path); err != nil {
			return nil, false, err
		}
	} else {
		p = parseDottedPath(path)
	}
	res, err := p.FindAll(ctx, data)
	if err != nil {
		return nil, false, err
	}
	if len(res) == 0 || res[0] == nil {
		return nil, false, nil
	}
	return res[0], true, nil
}

// parseJSONPath parses a JSONPath expression.
func Parse(src string) (*Path, error) {
	ps := &jpParser{src: src}
	steps, err := ps.parse()
	if err != nil {
		return nil, fmt.Errorf("invalid JSONPath %q: %v", src, err)
	}
	return &Path{src: src, steps: steps}, nil
}

type jpParser struct {
	src string
	i   int
}

func (p *jpParser) skipSpace() {
	for p.i < len(p.src) && (p.src[p.i] == ' ' || p.src[p.i] == '\t' || p.src[p.i] == '\n') {
		p.i++
	}
}

func (p *jpParser) peek() byte {
	p.skipSpace()
	if p.i >= len(p.src) {
		return 0
	}
	return p.src[p.i]
}

func (p *jpParser) parse() ([]jpStep, error) {
	var steps []jpStep
	if p.peek() == 0 {
		return nil, fmt.Errorf("the path is empty")
	}
	if p.peek() == '$' {
		p.i++
	} else {
		// A path may start with a key, as in jsonpath-ng ("a.b" = "$.a.b").
		st, err := p.dotStep()
		if err != nil {
			return nil, err
		}
		steps = append(steps, st)
	}
	for {
		c := p.peek()
		switch {
		case c == 0:
			return steps, nil
		case strings.HasPrefix(p.src[p.i:], ".."):
			p.i += 2
			var st jpStep
			var err error
			if p.peek() == '[' {
				st, err = p.bracket()
			} else {
				st, err = p.dotStep()
			}
			if err != nil {
				return nil, err
			}
			steps = append(steps, jpDescend{step: st})
		case c == '.':
			p.i++
			var st jpStep
			var err error
			if p.peek() == '[' {
				st, err = p.bracket()
			} else {
				st, err = p.dotStep()
			}
			if err != nil {
				return nil, err
			}
			steps = append(steps, st)
		case c == '[':
			st, err := p.bracket()
			if err != nil {
				return nil, err
			}
			steps = append(steps, st)
		default:
			return nil, p.unexpected()
		}
	}
}

// unexpected describes the character at the cursor, naming unsupported
// syntax when it recognizes it.
func (p *jpParser) unexpected() error {
	if p.i >= len(p.src) {
		return fmt.Errorf("unexpected end of the path")
	}
	rest := p.src[p.i:]
	switch {
	case strings.HasPrefix(rest, "?"):
		return fmt.Errorf("filter expressions [?(...)] are not supported")
	case rest[0] == '|':
		return fmt.Errorf("the | (union of paths) operator is not supported; use [a,b] for several keys or indexes")
	case rest[0] == '&':
		return fmt.Errorf("the & (intersection) operator is not supported")
	case rest[0] == '(' || rest[0] == ')':
		return fmt.Errorf("parentheses are not supported")
	case rest[0] == '`':
		return fmt.Errorf("named operators such as `this` and `parent` are not supported")
	case strings.HasPrefix(rest, "where"):
		return fmt.Errorf("where clauses are not supported")
	}
	r, _ := utf8.DecodeRuneInString(rest)
	return fmt.Errorf("unexpected %q at position %d", r, p.i)
}

// dotStep parses what follows a dot: a key list, '*' or a number.
func (p *jpParser) dotStep() (jpStep, error) {
	c := p.peek()
	if c == '*' {
		p.i++
		return jpFields{wildcard: true}, nil
	}
	if c == '-' || (c >= '0' && c <= '9') {
		n, err := p.number()
		if err != nil {
			return nil, err
		}
		return jpFields{names: []string{strconv.Itoa(n)}, numeric: true}, nil
	}
	names, err := p.names()
	if err != nil {
		return nil, err
	}
	return jpFields{names: names}, nil
}

// names parses one or more comma-separated keys.
func (p *jpParser) names() ([]string, error) {
	var out []string
	for {
		n, err := p.name()
		if err != nil {
			return nil, err
		}
		out = append(out, n)
		if p.peek() != ',' {
			return out, nil
		}
		p.i++
		if isNumStart(p.peek()) {
			return nil, errMixedBracket
		}
	}
}

func isIDStart(r rune) bool { return r == '_' || r == '@' || unicode.IsLetter(r) || r >= 0x1f000 }
func isIDPart(r rune) bool  { return isIDStart(r) || r == '-' || unicode.IsDigit(r) }

// name parses a bare identifier or a quoted key.
func (p *jpParser) name() (string, error) {
	c := p.peek()
	if c == '\'' || c == '"' {
		return p.quoted()
	}
	start := p.i
	for p.i < len(p.src) {
		r, size := utf8.DecodeRuneInString(p.src[p.i:])
		if (p.i == start && !isIDStart(r)) || !isIDPart(r) {
			break
		}
		p.i += size
	}
	if p.i == start {
		return "", p.unexpected()
	}
	return p.src[start:p.i], nil
}

// quoted parses a key in single or double quotes; a backslash escapes the
// next character.
func (p *jpParser) quoted() (string, error) {
	q := p.src[p.i]
	p.i++
	var b strings.Builder
	for p.i < len(p.src) {
		c := p.src[p.i]
		switch {
		case c == q:
			p.i++
			return b.String(), nil
		case c == '\\' && p.i+1 < len(p.src):
			_, size := utf8.DecodeRuneInString(p.src[p.i+1:])
			b.WriteString(p.src[p.i+1 : p.i+1+size])
			p.i += 1 + size
		default:
			b.WriteByte(c)
			p.i++
		}
	}
	return "", fmt.Errorf("unterminated quoted key")
}

func (p *jpParser) number() (int, error) {
	p.skipSpace()
	start := p.i
	if p.i < len(p.src) && p.src[p.i] == '-' {
		p.i++
	}
	for p.i < len(p.src) && p.src[p.i] >= '0' && p.src[p.i] <= '9' {
		p.i++
	}
	n, err := strconv.Atoi(p.src[start:p.i])
	if err != nil {
		if p.i-start > 1 {
			return 0, fmt.Errorf("number %s is out of range", p.src[start:p.i])
		}
		p.i = start
		return 0, p.unexpected()
	}
	return n, nil
}

func isNumStart(c byte) bool { return c == '-' || (c >= '0' && c <= '9') }

// bracket parses [*], [n,...], [a:b:c] or ['key',...].
func (p *jpParser) bracket() (jpStep, error) {
	p.i++ // '['
	var st jpStep
	switch c := p.peek(); {
	case c == '*':
		p.i++
		st = jpSlice{step: 1}
	case c == '\'' || c == '"' || (c != 0 && c < utf8.RuneSelf && isIDStart(rune(c))) || c >= utf8.RuneSelf:
		names, err := p.names()
		if err != nil {
			return nil, err
		}
		st = jpFields{names: names}
	case isNumStart(c) || c == ':':
		var err error
		if st, err = p.indexOrSlice(); err != nil {
			return nil, err
		}
	default:
		return nil, p.unexpected()
	}
	if p.peek() != ']' {
		return nil, p.unexpectedIn("]")
	}
	p.i++
	return st, nil
}

var errMixedBracket = errors.New("a bracket cannot mix keys, indexes and slices")

func (p *jpParser) unexpectedIn(want string) error {
	if p.peek() == 0 {
		return fmt.Errorf("missing %s", want)
	}
	if p.src[p.i] == ',' || p.src[p.i] == ':' {
		return errMixedBracket
	}
	return p.unexpected()
}

// indexOrSlice parses n[,m...] or [start]:[end][:[step]].
func (p *jpParser) indexOrSlice() (jpStep, error) {
	var parts [3]*int
	n := 0
	for {
		if isNumStart(p.peek()) {
			v, err := p.number()
			if err != nil {
				return nil, err
			}
			parts[n] = &v
		}
		if p.peek() != ':' {
			break
		}
		p.i++
		n++
		if n > 2 {
			return nil, fmt.Errorf("a slice has at most three parts (start:end:step)")
		}
	}
	if n == 0 {
		if parts[0] == nil {
			return nil, p.unexpected()
		}
		idx := []int{*parts[0]}
		for p.peek() == ',' {
			p.i++
			if c := p.peek(); !isNumStart(c) {
				if c == '\'' || c == '"' || (c != 0 && isIDStart(rune(c))) {
					return nil, errMixedBracket
				}
				return nil, p.unexpected()
			}
			v, err := p.number()
			if err != nil {
				return nil, err
			}
			idx = append(idx, v)
		}
		return jpIndex{idx: idx}, nil
	}
	step := 1
	if parts[2] != nil {
		step = *parts[2]
		if step == 0 {
			return nil, fmt.Errorf("slice step cannot be zero")
		}
	}
	return jpSlice{start: parts[0], end: parts[1], step: step}, nil
}
