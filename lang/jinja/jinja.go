// Package jinja is a template engine for a subset of Jinja2, written for
// NodeTool's text nodes. It renders pyval values the way Python's Jinja2
// does: {{ True }} prints True, {{ none }} prints None, lists and dicts
// print in repr form, undefined variables print nothing, there is no
// autoescaping, and one trailing newline of the template is dropped.
//
// Supported: {{ expr }}, {% if %}/{% elif %}/{% else %}, {% for %} (with
// else, an inline if filter, tuple unpacking and the loop variable),
// {% set %} (also as a block and on namespace attributes), {% raw %},
// comments, and whitespace control with - (and the no-op +). Expressions
// have literals, attribute and item access, slices, arithmetic, ~,
// comparisons, in, and/or/not, inline if, tests and filters; the str and
// dict methods NodeTool templates use; and the functions range, dict and
// namespace.
//
// Differences from Jinja2: no macros, includes, inheritance or other tags
// beyond the ones above; only the filters and tests in the tables of
// filters.go and istests.go (unknown ones are parse errors, as in Jinja2);
// filters that return iterators in Jinja2 (reverse, unique, map, select,
// items...) return lists, so they print as lists; ints are 64-bit and
// overflow is an error; dict keys must be strings; methods that would
// change a value (list.append, dict.update) do not exist; string case
// mapping is Go's, plus Python's ß and İ special cases.
//
// Every render is bounded by Limits: nesting depth, output size, the size
// of every string and list a template builds and of all of them together,
// loop iterations, evaluation steps and time; RenderContext also stops when
// its context is cancelled. Exceeding a limit is an *Error naming it, never
// a hang or a crash.
package jinja

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"nodetool/lang/pyval"
)

// Limits bound the resources one template may use. A zero field takes its
// default.
type Limits struct {
	// MaxDepth bounds the nesting of blocks and of expressions (default 200).
	MaxDepth int
	// MaxOutput bounds the rendered output and every string a template
	// builds, in bytes (default 16 MiB).
	MaxOutput int
	// MaxAlloc bounds the bytes of strings and list items one render
	// builds in total, the output and values later dropped included
	// (default 4 * MaxOutput). It bounds the memory a template can hold,
	// e.g. many big strings kept in a list.
	MaxAlloc int
	// MaxIterations bounds the loop iterations of one render, over all
	// loops (default 1,000,000).
	MaxIterations int
	// MaxItems bounds the lists a template builds, e.g. with range or *
	// (default 1,000,000).
	MaxItems int
	// MaxSteps bounds the evaluation work of one render (default
	// 50,000,000, about a second). A step is roughly one expression node,
	// one element visited by a filter or a few bytes of string work.
	MaxSteps int
	// Timeout bounds the wall-clock time of one render (default 10s). It
	// backs up MaxSteps, whose costs are estimates.
	Timeout time.Duration
}

// DefaultLimits returns the limits Parse uses.
func DefaultLimits() Limits {
	return Limits{
		MaxDepth:      200,
		MaxOutput:     16 << 20,
		MaxIterations: 1_000_000,
		MaxItems:      1_000_000,
		MaxSteps:      50_000_000,
		Timeout:       10 * time.Second,
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxDepth <= 0 {
		l.MaxDepth = d.MaxDepth
	}
	if l.MaxOutput <= 0 {
		l.MaxOutput = d.MaxOutput
	}
	if l.MaxAlloc <= 0 {
		l.MaxAlloc = 4 * l.MaxOutput
		if l.MaxAlloc < l.MaxOutput { // overflow
			l.MaxAlloc = l.MaxOutput
		}
	}
	if l.MaxIterations <= 0 {
		l.MaxIterations = d.MaxIterations
	}
	if l.MaxItems <= 0 {
		l.MaxItems = d.MaxItems
	}
	if l.MaxSteps <= 0 {
		l.MaxSteps = d.MaxSteps
	}
	if l.Timeout <= 0 {
		l.Timeout = d.Timeout
	}
	return l
}

// Error is a parse or render error at a position of the template source.
// Line and Col are 1-based; Col counts characters. Positions refer to the
// source after newline normalization (\r\n and \r become \n), which keeps
// line and column numbers unchanged.
type Error struct {
	Line, Col int
	Msg       string
	// Limit names the limit the template broke (LimitOutput, ...), or is
	// "" for other errors.
	Limit string
}

// The limits an Error can name, after the Limits fields.
const (
	LimitDepth      = "MaxDepth"
	LimitOutput     = "MaxOutput"
	LimitAlloc      = "MaxAlloc"
	LimitItems      = "MaxItems"
	LimitIterations = "MaxIterations"
	LimitSteps      = "MaxSteps"
	LimitTimeout    = "Timeout"
)

func (e *Error) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Col, e.Msg)
}

// Template is a parsed template. It is immutable and safe for concurrent
// use by several renders.
type Template struct {
	src    string // normalized source
	lines  []int  // byte offset of each line start
	body   []node
	limits Limits
}

// Parse parses a template with the default limits.
func Parse(src string) (*Template, error) {
	return ParseWithLimits(src, Limits{})
}

// ParseWithLimits parses a template that renders within lim.
func ParseWithLimits(src string, lim Limits) (t *Template, err error) {
	t = &Template{limits: lim.withDefaults()}
	t.src = normalizeNewlines(src)
	t.lines = lineStarts(t.src)
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(*Error)
			if !ok {
				panic(r)
			}
			t, err = nil, e
		}
	}()
	toks := lex(t)
	p := &parser{t: t, toks: toks}
	t.body = p.parseTemplate()
	return t, nil
}

// Render renders the template with vars as its variables. vars may be nil.
// Render never modifies vars or the values in it.
func (t *Template) Render(vars *pyval.Dict) (string, error) {
	return t.RenderContext(context.Background(), vars)
}

// RenderContext is Render that stops when ctx is done, returning
// context.Cause(ctx) as is. It looks at ctx every few thousand steps of
// work.
func (t *Template) RenderContext(ctx context.Context, vars *pyval.Dict) (out string, err error) {
	r := newState(t, vars, ctx)
	defer func() {
		if x := recover(); x != nil {
			switch e := x.(type) {
			case *Error:
				out, err = "", e
			case cancelled:
				out, err = "", e.err
			default:
				panic(x)
			}
		}
	}()
	r.execBody(t.body)
	return r.out.String(), nil
}

// cancelled carries the cause of a cancelled render out of the evaluator.
type cancelled struct{ err error }

// errorAt builds an Error for a byte offset of the source.
func (t *Template) errorAt(pos int, format string, args ...any) *Error {
	line, col := t.position(pos)
	msg := fmt.Sprintf(format, args...)
	if len(msg) > maxMessage {
		// A message quoting a huge name or literal is cut.
		cut := maxMessage
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "..."
	}
	return &Error{Line: line, Col: col, Msg: msg}
}

// maxMessage bounds the length of an error message.
const maxMessage = 500

func (t *Template) position(pos int) (line, col int) {
	if pos > len(t.src) {
		pos = len(t.src)
	}
	lo, hi := 0, len(t.lines)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if t.lines[mid] <= pos {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo + 1, utf8.RuneCountInString(t.src[t.lines[lo]:pos]) + 1
}

// normalizeNewlines turns \r\n and \r into \n and drops one trailing
// newline, as Jinja2 does with keep_trailing_newline=False.
func normalizeNewlines(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\r' {
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			c = '\n'
		}
		b = append(b, c)
	}
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	return string(b)
}

func lineStarts(s string) []int {
	lines := []int{0}
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			lines = append(lines, i+1)
		}
	}
	return lines
}
