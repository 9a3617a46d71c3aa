// Package pyre runs Python regular expressions (re module syntax, flags,
// replacement templates and iteration semantics) on Go's RE2 engine: a
// pattern RE2 cannot run is refused with a clear error, patterns are sized
// before they compile, and a long search ticks the caller's pyval.Budget.
package pyre

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"nodetool/lang/pystr"
	"nodetool/lang/pyval"
)

// Python regular expressions on top of Go's RE2 engine.
//
// Patterns are translated from Python's re syntax: \d, \w and \s match
// Unicode digits, word characters and whitespace as in Python (RE2's are
// ASCII-only), \Z becomes \z, \uXXXX and \UXXXXXXXX escapes, octal escapes,
// {,n} quantifiers, (?#...) comments and the (?a) and (?u) flags are
// handled. Constructs RE2 cannot run (look-around, backreferences, atomic
// groups, possessive quantifiers, conditionals, verbose mode) are refused
// with an error naming them. Remaining differences: \b and \B use ASCII word
// characters, \W and \S inside a character class are ASCII-based, $ without
// MULTILINE matches only at the very end (Python also matches before a final
// newline), and patterns that prefer an empty match where a non-empty one is
// possible at the same position (lazy x*?) can yield fewer matches than
// Python.

// pyReFlags are the re module flags the nodes expose.
type Flags struct {
	IgnoreCase, DotAll, Multiline bool
}

// regexError is an error in a pattern. Unsupported marks patterns that are
// valid in Python but use a construct this engine cannot run.
type regexError struct {
	msg         string
	unsupported bool
}

func (e *regexError) Error() string { return e.msg }

func unsupportedRegex(format string, a ...any) error {
	return &regexError{msg: fmt.Sprintf(format, a...), unsupported: true}
}

func badRegex(format string, a ...any) error {
	return &regexError{msg: fmt.Sprintf(format, a...)}
}

// isUnsupportedRegex reports whether err is a pattern Python accepts but
// this engine cannot run.
func IsUnsupported(err error) bool {
	var re *regexError
	return errors.As(err, &re) && re.unsupported
}

// pyRegex is a compiled Python pattern.
type Regex struct {
	src  string
	re   *regexp.Regexp
	full *regexp.Regexp // anchored at both ends, for fullmatch
	head *regexp.Regexp // anchored at the start
	// lookBehind is set when the pattern's matches depend on the text
	// before the match position (^, \A, \b, \B).
	lookBehind bool
	// behind and behindHead, for lookBehind patterns, match one
	// character and then the pattern as group 1 (behindHead right after
	// that character): searching from the character before a position
	// finds the next match with that character as context.
	behind, behindHead *regexp.Regexp
	// insts estimates the size of the compiled program: a search costs
	// up to insts steps per byte of text.
	insts int64
	// prefix is a literal every match starts with ("" if none).
	prefix string
}

// Bounds of a pattern: its length in bytes, and the size of its program
// (RE2 expands counted repeats: \w{1000} is a thousand instructions).
const (
	maxRegexLen   = 64 << 10
	maxRegexInsts = 100_000
)

// reDirectWork is the most work (bytes of text times program size) one
// regexp call may do without looking at the node's context; a larger
// search reads the text through a reader that polls it.
const reDirectWork = 1 << 24

// compilePyRegex compiles a Python pattern.
func Compile(pattern string, flags Flags) (*Regex, error) {
	if len(pattern) > maxRegexLen {
		return nil, badRegex("invalid regex %s: the pattern is %d bytes long, over the limit of %d KiB", pystr.ClipQuote(pattern), len(pattern), maxRegexLen>>10)
	}
	t := &reTranslator{src: pattern}
	body, err := t.translate()
	if err != nil {
		var re *regexError
		if errors.As(err, &re) {
			if re.unsupported {
				re.msg = fmt.Sprintf("regex %s uses %s", pystr.ClipQuote(pattern), re.msg)
			} else {
				re.msg = fmt.Sprintf("invalid regex %s: %s", pystr.ClipQuote(pattern), re.msg)
			}
		}
		return nil, err
	}
	prefix := ""
	if flags.IgnoreCase {
		prefix += "i"
	}
	if flags.DotAll {
		prefix += "s"
	}
	if flags.Multiline {
		prefix += "m"
	}
	if prefix != "" {
		prefix = "(?" + prefix + ")"
	}
	// Size the program before compiling it: parsing is cheap and refuses
	// what RE2 cannot hold; compiling a huge program is not.
	tree, err := syntax.Parse(prefix+body, syntax.Perl)
	if err != nil {
		return nil, goRegexError(pattern, err)
	}
	insts := progSize(tree)
	if insts > maxRegexInsts {
		return nil, badRegex("invalid regex %s: it is too large (about %d instructions once its repeats are expanded, over the limit of %d)", pystr.ClipQuote(pattern), insts, maxRegexInsts)
	}
	p := &Regex{src: pattern, lookBehind: t.lookBehind, insts: max(insts, 1)}
	for _, c := range []struct {
		re  **regexp.Regexp
		src string
	}{
		{&p.re, prefix + body},
		{&p.full, prefix + `\A(?:` + body + `)\z`},
		{&p.head, prefix + `\A(?:` + body + `)`},
		{&p.behind, prefix + `\A(?s:.)(?s:.*?)(` + body + `)`},
		{&p.behindHead, prefix + `\A(?s:.)(` + body + `)`},
	} {
		if (c.re == &p.behind || c.re == &p.behindHead) && !p.lookBehind {
			continue
		}
		if *c.re, err = regexp.Compile(c.src); err != nil {
			return nil, goRegexError(pattern, err)
		}
	}
	p.prefix, _ = p.re.LiteralPrefix()
	return p, nil
}

// progSize estimates the number of instructions RE2 compiles re into, the
// cost of a search per byte of text in the worst case.
func progSize(re *syntax.Regexp) int64 {
	var n int64
	for _, sub := range re.Sub {
		n += progSize(sub)
	}
	switch re.Op {
	case syntax.OpLiteral:
		return int64(len(re.Rune))
	case syntax.OpCapture:
		return n + 2
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpAlternate:
		return n + int64(len(re.Sub))
	case syntax.OpRepeat: // RE2 repeats the sub-program max times (min+1 for x{min,})
		return n*int64(max(re.Min+1, re.Max, 1)) + 1
	case syntax.OpConcat:
		return n
	}
	return n + 1
}

func goRegexError(pattern string, err error) error {
	var se *syntax.Error
	if errors.As(err, &se) {
		msg := string(se.Code)
		if se.Expr != "" {
			msg += ": " + pystr.Clip(se.Expr, 100)
		}
		return badRegex("invalid regex %s: %s", pystr.ClipQuote(pattern), msg)
	}
	return badRegex("invalid regex %s: %v", pystr.ClipQuote(pattern), err)
}

// numGroups is the number of capture groups.
func (p *Regex) NumGroups() int { return p.re.NumSubexp() }

// The matching methods take the node's context: a long search reads the
// text through a reader that polls it, and loops over matches call Tick.
// A nil ctx (tests, callers without a node) searches without polling.

// search returns the submatch indexes of the first match (re.search).
func (p *Regex) Search(s string) []int { return p.re.FindStringSubmatchIndex(s) }

// searchCtx is search that stops when the node must stop.
func (p *Regex) SearchWithin(ctx pyval.Budget, s string) ([]int, error) { return p.find(ctx, s, 0) }

// matchStart returns the match anchored at the start of s (re.match).
func (p *Regex) MatchWithin(ctx pyval.Budget, s string) ([]int, error) { return p.exec(ctx, p.head, s) }

// fullMatch reports whether the pattern matches all of s (re.fullmatch).
func (p *Regex) FullMatch(s string) bool { return p.full.MatchString(s) }

// fullMatchCtx is fullMatch that stops when the node must stop.
func (p *Regex) FullMatchWithin(ctx pyval.Budget, s string) (bool, error) {
	loc, err := p.exec(ctx, p.full, s)
	return loc != nil, err
}

// find returns the leftmost match that starts at pos or later, searching
// with the text before pos as context.
func (p *Regex) find(ctx pyval.Budget, s string, pos int) ([]int, error) {
	if p.prefix != "" {
		// Skip to the first place a match can start, as RE2 does on
		// strings (but not on the polling reader).
		q := strings.Index(s[pos:], p.prefix)
		if q < 0 {
			return nil, nil
		}
		pos += q
	}
	if pos == 0 || !p.lookBehind {
		return p.execAt(ctx, p.re, s, pos, false)
	}
	// The pattern looks at the character before pos. A plain search from
	// pos sees the right context everywhere but at pos itself: look for a
	// match at pos with its context first; if there is none, a plain
	// search is right unless it reports a match at pos.
	_, w := utf8.DecodeLastRuneInString(s[:pos])
	if loc, err := p.execAt(ctx, p.behindHead, s, pos-w, true); loc != nil || err != nil {
		return loc, err
	}
	loc, err := p.execAt(ctx, p.re, s, pos, false)
	if loc == nil || err != nil || loc[0] > pos {
		return loc, err
	}
	return p.execAt(ctx, p.behind, s, pos-w, true)
}

// execAt runs re on s[base:] and returns the match with offsets in s;
// group 1 is the match when behind is set.
func (p *Regex) execAt(ctx pyval.Budget, re *regexp.Regexp, s string, base int, behind bool) ([]int, error) {
	loc, err := p.exec(ctx, re, s[base:])
	if loc == nil || err != nil {
		return nil, err
	}
	if behind {
		loc = loc[2:]
	}
	for i := range loc {
		if loc[i] >= 0 {
			loc[i] += base
		}
	}
	return loc, nil
}

// exec runs re on in: directly when the search is cheap, otherwise on a
// reader that polls ctx, so that a long search stops with the node.
func (p *Regex) exec(ctx pyval.Budget, re *regexp.Regexp, in string) (loc []int, err error) {
	if int64(len(in))*p.insts <= reDirectWork {
		return re.FindStringSubmatchIndex(in), nil
	}
	defer func() {
		if x := recover(); x != nil {
			c, ok := x.(reStopped)
			if !ok {
				panic(x)
			}
			loc, err = nil, c.err
		}
	}()
	every := int(max(reDirectWork/p.insts, 1))
	return re.FindReaderSubmatchIndex(&pollReader{s: in, ctx: ctx, every: every, left: every}), nil
}

// pollReader reads a string rune by rune as regexp's string input does,
// and every so many runes checks the node's context, stopping the search
// with a reStopped panic (regexp keeps no state a panic could corrupt: the
// abandoned matcher is garbage).
type pollReader struct {
	s           string
	i           int
	ctx         pyval.Budget
	every, left int
}

type reStopped struct{ err error }

func (r *pollReader) ReadRune() (rune, int, error) {
	if r.i >= len(r.s) {
		return 0, 0, io.EOF
	}
	if r.left--; r.left <= 0 {
		r.left = r.every
		if err := r.ctx.Check(); err != nil {
			panic(reStopped{err})
		}
	}
	c, size := utf8.DecodeRuneInString(r.s[r.i:])
	r.i += size
	return c, size, nil
}

// each calls fn with up to n matches (n < 0: all) in order, with Python
// 3.7+ iteration semantics: an empty match right after a non-empty one
// counts (Go's FindAll drops it), and after an empty match the search
// goes on one character later.
func (p *Regex) Each(ctx pyval.Budget, s string, n int, fn func(loc []int) error) error {
	pos := 0
	for count := 0; n < 0 || count < n; count++ {
		if err := ctx.Tick(); err != nil {
			return err
		}
		loc, err := p.find(ctx, s, pos)
		if loc == nil || err != nil {
			return err
		}
		if err := fn(loc); err != nil {
			return err
		}
		if pos = loc[1]; loc[0] == loc[1] {
			if pos >= len(s) {
				return nil
			}
			_, w := utf8.DecodeRuneInString(s[pos:])
			pos += w
		}
	}
	return nil
}

// findAll returns up to n matches (n < 0: all), as each finds them.
func (p *Regex) FindAll(s string, n int) [][]int {
	var out [][]int
	p.Each(pyval.Unlimited, s, n, func(loc []int) error { out = append(out, loc); return nil })
	return out
}

// group returns group g of a match as a string, or nil when the group did
// not take part in the match.
func (p *Regex) Group(s string, loc []int, g int) any {
	if loc[2*g] < 0 {
		return nil
	}
	return s[loc[2*g]:loc[2*g+1]]
}

// groups returns groups 1..n of a match (match.groups()).
func (p *Regex) Groups(s string, loc []int) []any {
	out := make([]any, 0, p.NumGroups())
	for g := 1; g <= p.NumGroups(); g++ {
		out = append(out, p.Group(s, loc, g))
	}
	return out
}

// findAllValues is re.findall: whole matches without groups, the group's
// text with one group, lists of group texts with several (a group that did
// not match gives ""). The list is checked against max-value as it grows
// (ctx nil: no check).
func (p *Regex) FindAllValues(ctx pyval.Budget, s string) ([]any, error) {
	out := []any{}
	k := p.NumGroups()
	var items int64 // list slots, the tuples' included
	err := p.Each(ctx, s, -1, func(loc []int) error {
		if items++; k > 1 {
			items += int64(k)
		}
		if err := ctx.CheckItems(items); err != nil {
			return err
		}
		switch k {
		case 0:
			out = append(out, s[loc[0]:loc[1]])
		case 1:
			out = append(out, groupOrEmpty(s, loc, 1))
		default:
			tuple := make([]any, k)
			for g := range tuple {
				tuple[g] = groupOrEmpty(s, loc, g+1)
			}
			out = append(out, tuple)
		}
		return nil
	})
	return out, err
}

func groupOrEmpty(s string, loc []int, g int) string {
	if loc[2*g] < 0 {
		return ""
	}
	return s[loc[2*g]:loc[2*g+1]]
}

// split is re.split: maxsplit 0 means no limit (negative: no split);
// captured groups are included between the pieces. The list is checked
// against max-value as it grows (ctx nil: no check).
func (p *Regex) Split(ctx pyval.Budget, s string, maxsplit int) ([]any, error) {
	if maxsplit < 0 {
		return []any{s}, nil
	}
	n := -1
	if maxsplit > 0 {
		n = maxsplit
	}
	out := []any{}
	last := 0
	err := p.Each(ctx, s, n, func(loc []int) error {
		if err := ctx.CheckItems(int64(len(out) + 2 + p.NumGroups())); err != nil {
			return err
		}
		out = append(out, s[last:loc[0]])
		for g := 1; g <= p.NumGroups(); g++ {
			out = append(out, p.Group(s, loc, g))
		}
		last = loc[1]
		return nil
	})
	return append(out, s[last:]), err
}

// sub is re.sub with a Python replacement template: count 0 replaces every
// match (a negative count replaces none, as in Python). The size of each
// piece is checked against max-value before it is written (ctx nil: no
// check).
func (p *Regex) Sub(ctx pyval.Budget, s, template string, count int) (string, error) {
	tmpl, err := ParseTemplate(template, p)
	if err != nil {
		return "", err
	}
	if count < 0 {
		return s, nil
	}
	n := -1
	if count > 0 {
		n = count
	}
	var b strings.Builder
	last := 0
	var size int64
	err = p.Each(ctx, s, n, func(loc []int) error {
		if size += int64(loc[0]-last) + tmpl.Size(loc); size > ctx.MaxValue() {
			return ctx.CheckSize(size)
		}
		b.WriteString(s[last:loc[0]])
		tmpl.Expand(&b, s, loc)
		last = loc[1]
		return nil
	})
	if err != nil {
		return "", err
	}
	size += int64(len(s) - last)
	if err := ctx.CheckSize(size); err != nil {
		return "", err
	}
	b.WriteString(s[last:])
	return b.String(), nil
}

// pyTemplate is a parsed replacement template: literal text and group
// references.
type pyTemplate []tmplPiece

type tmplPiece struct {
	lit   string
	group int // -1 for literal text
}

// size is the length of the expansion of t for a match.
func (t pyTemplate) Size(loc []int) int64 {
	var n int64
	for _, piece := range t {
		if piece.group < 0 {
			n += int64(len(piece.lit))
		} else if loc[2*piece.group] >= 0 {
			n += int64(loc[2*piece.group+1] - loc[2*piece.group])
		}
	}
	return n
}

func (t pyTemplate) Expand(b *strings.Builder, s string, loc []int) {
	for _, piece := range t {
		if piece.group < 0 {
			b.WriteString(piece.lit)
		} else if loc[2*piece.group] >= 0 {
			b.WriteString(s[loc[2*piece.group]:loc[2*piece.group+1]])
		}
	}
}

// parsePyTemplate parses a Python re replacement string: \1..\99 and
// \g<n> or \g<name> group references, \n-style escapes, octal escapes;
// other escaped non-letters stay as written. p may be nil (no groups).
func ParseTemplate(tmpl string, p *Regex) (pyTemplate, error) {
	if !strings.Contains(tmpl, `\`) {
		return pyTemplate{{lit: tmpl, group: -1}}, nil
	}
	groups := 0
	var names []string
	if p != nil {
		groups = p.NumGroups()
		names = p.re.SubexpNames()
	}
	var out pyTemplate
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			out = append(out, tmplPiece{lit: lit.String(), group: -1})
			lit.Reset()
		}
	}
	addGroup := func(g int) error {
		if g > groups {
			return fmt.Errorf("invalid replacement %q: group %d is referenced but the pattern has %d group(s)", tmpl, g, groups)
		}
		flush()
		out = append(out, tmplPiece{group: g})
		return nil
	}
	isOct := func(c byte) bool { return c >= '0' && c <= '7' }
	isDigit := func(c byte) bool { return c >= '0' && c <= '9' }
	for i := 0; i < len(tmpl); {
		c := tmpl[i]
		if c != '\\' {
			lit.WriteByte(c)
			i++
			continue
		}
		if i+1 >= len(tmpl) {
			return nil, fmt.Errorf("invalid replacement %q: bad escape (end of pattern)", tmpl)
		}
		c = tmpl[i+1]
		i += 2
		switch {
		case c == 'g':
			if i >= len(tmpl) || tmpl[i] != '<' {
				return nil, fmt.Errorf("invalid replacement %q: missing < after \\g", tmpl)
			}
			end := strings.IndexByte(tmpl[i:], '>')
			if end < 0 {
				return nil, fmt.Errorf("invalid replacement %q: missing >, unterminated name", tmpl)
			}
			name := tmpl[i+1 : i+end]
			i += end + 1
			if name == "" {
				return nil, fmt.Errorf("invalid replacement %q: missing group name", tmpl)
			}
			g, err := strconv.Atoi(name)
			if err != nil || strings.ContainsAny(name, "+-") {
				g = -1
				for k, n := range names {
					if n == name && k > 0 {
						g = k
						break
					}
				}
				if g < 0 {
					if isIdentifier(name) {
						return nil, fmt.Errorf("invalid replacement %q: unknown group name %q", tmpl, name)
					}
					return nil, fmt.Errorf("invalid replacement %q: bad character in group name %q", tmpl, name)
				}
			}
			if err := addGroup(g); err != nil {
				return nil, err
			}
		case c == '0':
			v := 0
			for k := 0; k < 2 && i < len(tmpl) && isOct(tmpl[i]); k++ {
				v = v*8 + int(tmpl[i]-'0')
				i++
			}
			lit.WriteRune(rune(v))
		case isDigit(c):
			if i < len(tmpl) && isDigit(tmpl[i]) {
				if isOct(c) && isOct(tmpl[i]) && i+1 < len(tmpl) && isOct(tmpl[i+1]) {
					v := int(c-'0')*64 + int(tmpl[i]-'0')*8 + int(tmpl[i+1]-'0')
					if v > 0o377 {
						return nil, fmt.Errorf("invalid replacement %q: octal escape value outside of range 0-0o377", tmpl)
					}
					lit.WriteRune(rune(v))
					i += 2
					continue
				}
				g := int(c-'0')*10 + int(tmpl[i]-'0')
				i++
				if err := addGroup(g); err != nil {
					return nil, err
				}
				continue
			}
			if err := addGroup(int(c - '0')); err != nil {
				return nil, err
			}
		default:
			if e, ok := simpleEscape(c); ok {
				lit.WriteByte(e)
			} else if isASCIILetter(c) {
				return nil, fmt.Errorf("invalid replacement %q: bad escape \\%c", tmpl, c)
			} else {
				lit.WriteByte('\\')
				lit.WriteByte(c)
			}
		}
	}
	flush()
	return out, nil
}

func simpleEscape(c byte) (byte, bool) {
	switch c {
	case 'a':
		return '\a', true
	case 'b':
		return '\b', true
	case 'f':
		return '\f', true
	case 'n':
		return '\n', true
	case 'r':
		return '\r', true
	case 't':
		return '\t', true
	case 'v':
		return '\v', true
	case '\\':
		return '\\', true
	}
	return 0, false
}

func isASCIILetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

func isIdentifier(s string) bool {
	for i, r := range s {
		if !(r == '_' || unicode.IsLetter(r) || (i > 0 && unicode.IsDigit(r))) {
			return false
		}
	}
	return s != ""
}

// reTranslator rewrites a Python pattern into RE2 syntax.
type reTranslator struct {
	src        string
	i          int
	out        strings.Builder
	ascii      bool
	lookBehind bool
}

const (
	reUniDigit = `\p{Nd}`
	reUniWord  = `\p{L}\p{N}_`
	reUniSpace = `\t\n\v\f\r \x{1c}-\x{1f}\x{85}\p{Z}`
	reASCSpace = `\t\n\v\f\r `
)

func (t *reTranslator) translate() (string, error) {
	// A leading (?a) makes \d, \w and \s ASCII-only for the whole pattern.
	if asciiFlagRe.MatchString(t.src) {
		t.ascii = true
	}
	for t.i < len(t.src) {
		c := t.src[t.i]
		switch c {
		case '\\':
			if err := t.escape(false); err != nil {
				return "", err
			}
		case '[':
			if err := t.class(); err != nil {
				return "", err
			}
		case '(':
			if err := t.group(); err != nil {
				return "", err
			}
		case '{':
			if err := t.brace(); err != nil {
				return "", err
			}
		case '*', '+', '?':
			t.out.WriteByte(c)
			t.i++
			if err := t.afterQuantifier(); err != nil {
				return "", err
			}
		case '^':
			t.lookBehind = true
			t.out.WriteByte(c)
			t.i++
		default:
			_, size := utf8.DecodeRuneInString(t.src[t.i:])
			t.out.WriteString(t.src[t.i : t.i+size])
			t.i += size
		}
	}
	return t.out.String(), nil
}

// afterQuantifier checks what follows a quantifier: a lazy '?' is kept, a
// '+' (possessive) is refused.
func (t *reTranslator) afterQuantifier() error {
	if t.i < len(t.src) && t.src[t.i] == '?' {
		t.out.WriteByte('?')
		t.i++
		return nil
	}
	if t.i < len(t.src) && t.src[t.i] == '+' {
		return unsupportedRegex("a possessive quantifier (*+, ++, ?+), which is not supported")
	}
	return nil
}

var asciiFlagRe = regexp.MustCompile(`^\(\?[aiLmsux]*a[aiLmsux]*\)`)

var repeatRe = regexp.MustCompile(`^\{(\d*)(,?)(\d*)\}`)

// brace handles '{': a repeat {m}, {m,}, {m,n} or Python's {,n} (= {0,n});
// anything else is a literal brace.
func (t *reTranslator) brace() error {
	m := repeatRe.FindStringSubmatch(t.src[t.i:])
	if m == nil || (m[1] == "" && m[2] == "") {
		t.out.WriteString(`\{`)
		t.i++
		return nil
	}
	lo := m[1]
	if lo == "" {
		lo = "0"
	}
	t.out.WriteString("{" + lo + m[2] + m[3] + "}")
	t.i += len(m[0])
	return t.afterQuantifier()
}

// group handles '(' and the (?...) extensions.
func (t *reTranslator) group() error {
	rest := t.src[t.i:]
	if !strings.HasPrefix(rest, "(?") {
		t.out.WriteByte('(')
		t.i++
		return nil
	}
	switch {
	case strings.HasPrefix(rest, "(?:"):
		t.out.WriteString("(?:")
		t.i += 3
		return nil
	case strings.HasPrefix(rest, "(?P<"), strings.HasPrefix(rest, "(?<") && !strings.HasPrefix(rest, "(?<=") && !strings.HasPrefix(rest, "(?<!"):
		end := strings.IndexByte(rest, '>')
		if end < 0 {
			return badRegex("missing >, unterminated group name")
		}
		name := rest[strings.IndexByte(rest, '<')+1 : end]
		if name == "" {
			return badRegex("missing group name")
		}
		for _, r := range name {
			if !(r == '_' || (r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)))) {
				return unsupportedRegex("the group name %q, which is not supported (use ASCII letters, digits and _)", name)
			}
		}
		t.out.WriteString("(?P<" + name + ">")
		t.i += end + 1
		return nil
	case strings.HasPrefix(rest, "(?P="):
		return unsupportedRegex("a backreference (?P=name), which is not supported")
	case strings.HasPrefix(rest, "(?="):
		return unsupportedRegex("look-around, which is not supported: (?=...)")
	case strings.HasPrefix(rest, "(?!"):
		return unsupportedRegex("look-around, which is not supported: (?!...)")
	case strings.HasPrefix(rest, "(?<="):
		return unsupportedRegex("look-around, which is not supported: (?<=...)")
	case strings.HasPrefix(rest, "(?<!"):
		return unsupportedRegex("look-around, which is not supported: (?<!...)")
	case strings.HasPrefix(rest, "(?>"):
		return unsupportedRegex("an atomic group (?>...), which is not supported")
	case strings.HasPrefix(rest, "(?("):
		return unsupportedRegex("a conditional group (?(id)yes|no), which is not supported")
	case strings.HasPrefix(rest, "(?#"):
		end := strings.IndexByte(rest, ')')
		if end < 0 {
			return badRegex("missing ), unterminated comment")
		}
		t.i += end + 1
		return nil
	}
	// Inline flags: (?flags) or (?flags-flags:...).
	j := 2
	for j < len(rest) && strings.IndexByte("aiLmsux-", rest[j]) >= 0 {
		j++
	}
	if j >= len(rest) || (rest[j] != ')' && rest[j] != ':') || j == 2 {
		if j < len(rest) {
			return badRegex("unknown extension (?%c", rest[2])
		}
		return badRegex("unexpected end of pattern after (?")
	}
	flags, scoped := rest[2:j], rest[j] == ':'
	on, off, _ := strings.Cut(flags, "-")
	if strings.Contains(on, "x") {
		return unsupportedRegex("verbose mode (?x), which is not supported")
	}
	if strings.Contains(on, "L") {
		return unsupportedRegex("the locale flag (?L), which is not supported")
	}
	if strings.Contains(on, "a") && scoped {
		return unsupportedRegex("a scoped ASCII flag (?a:...), which is not supported")
	}
	keep := func(s string) string {
		var b strings.Builder
		for _, c := range s {
			if strings.ContainsRune("ims", c) {
				b.WriteRune(c)
			}
		}
		return b.String()
	}
	on, off = keep(on), keep(off)
	f := on
	if off != "" {
		f += "-" + off
	}
	switch {
	case f == "" && scoped:
		t.out.WriteString("(?:")
	case f != "" && scoped:
		t.out.WriteString("(?" + f + ":")
	case f != "":
		t.out.WriteString("(?" + f + ")")
	}
	t.i += j + 1
	return nil
}

// class translates a character class [...].
func (t *reTranslator) class() error {
	start := t.i
	t.out.WriteByte('[')
	t.i++
	if t.i < len(t.src) && t.src[t.i] == '^' {
		t.out.WriteByte('^')
		t.i++
	}
	if t.i < len(t.src) && t.src[t.i] == ']' {
		t.out.WriteString(`\]`)
		t.i++
	}
	for t.i < len(t.src) {
		c := t.src[t.i]
		switch c {
		case ']':
			t.out.WriteByte(']')
			t.i++
			return nil
		case '\\':
			if err := t.escape(true); err != nil {
				return err
			}
		case '[':
			t.out.WriteString(`\[`)
			t.i++
		default:
			_, size := utf8.DecodeRuneInString(t.src[t.i:])
			t.out.WriteString(t.src[t.i : t.i+size])
			t.i += size
		}
	}
	return badRegex("unterminated character set at position %d", start)
}

// escape translates the escape sequence at t.i (a backslash).
func (t *reTranslator) escape(inClass bool) error {
	if t.i+1 >= len(t.src) {
		return badRegex("bad escape (end of pattern)")
	}
	c := t.src[t.i+1]
	t.i += 2
	lit := func(r rune) { fmt.Fprintf(&t.out, `\x{%x}`, r) }
	isOct := func(c byte) bool { return c >= '0' && c <= '7' }
	hex := func(n int) (rune, error) {
		if t.i+n > len(t.src) {
			return 0, badRegex("incomplete escape \\%c%s", c, t.src[t.i:])
		}
		v, err := strconv.ParseUint(t.src[t.i:t.i+n], 16, 32)
		if err != nil {
			return 0, badRegex("incomplete escape \\%c%s", c, t.src[t.i:t.i+n])
		}
		t.i += n
		return rune(v), nil
	}
	switch {
	case c == '0' || (inClass && isOct(c)):
		v := int(c - '0')
		for k := 0; k < 2 && t.i < len(t.src) && isOct(t.src[t.i]); k++ {
			v = v*8 + int(t.src[t.i]-'0')
			t.i++
		}
		if v > 0o377 {
			return badRegex("octal escape value outside of range 0-0o377")
		}
		lit(rune(v))
	case c >= '1' && c <= '9':
		if inClass {
			return badRegex("bad escape \\%c", c)
		}
		if isOct(c) && t.i+1 < len(t.src) && isOct(t.src[t.i]) && isOct(t.src[t.i+1]) {
			v := int(c-'0')*64 + int(t.src[t.i]-'0')*8 + int(t.src[t.i+1]-'0')
			if v > 0o377 {
				return badRegex("octal escape value outside of range 0-0o377")
			}
			t.i += 2
			lit(rune(v))
			return nil
		}
		ref := string(c)
		if t.i < len(t.src) && t.src[t.i] >= '0' && t.src[t.i] <= '9' {
			ref += string(t.src[t.i])
		}
		return unsupportedRegex("a backreference (\\%s), which is not supported", ref)
	case c == 'd':
		t.classEscape(inClass, false, reUniDigit, `0-9`, `\D`)
	case c == 'D':
		if t.ascii {
			t.classEscape(inClass, true, reUniDigit, `0-9`, `\D`)
		} else {
			t.out.WriteString(`\P{Nd}`)
		}
	case c == 'w':
		t.classEscape(inClass, false, reUniWord, `0-9A-Za-z_`, `\W`)
	case c == 'W':
		t.classEscape(inClass, true, reUniWord, `0-9A-Za-z_`, `\W`)
	case c == 's':
		t.classEscape(inClass, false, reUniSpace, reASCSpace, `\S`)
	case c == 'S':
		t.classEscape(inClass, true, reUniSpace, reASCSpace, `\S`)
	case c == 'b':
		if inClass {
			lit('\b')
		} else {
			t.lookBehind = true
			t.out.WriteString(`\b`)
		}
	case c == 'B' || c == 'A' || c == 'Z' || c == 'z':
		if inClass {
			return badRegex("bad escape \\%c", c)
		}
		switch c {
		case 'B', 'A':
			t.lookBehind = true
			t.out.WriteString(`\` + string(c))
		default:
			t.out.WriteString(`\z`)
		}
	case c == 'x':
		r, err := hex(2)
		if err != nil {
			return err
		}
		lit(r)
	case c == 'u':
		r, err := hex(4)
		if err != nil {
			return err
		}
		lit(r)
	case c == 'U':
		r, err := hex(8)
		if err != nil {
			return err
		}
		if r > unicode.MaxRune {
			return badRegex("bad escape \\U%08x", r)
		}
		lit(r)
	case c == 'N':
		return unsupportedRegex("a named character escape (\\N{...}), which is not supported")
	case c == 'p' || c == 'P':
		// Not Python syntax, but RE2's Unicode classes are handy; pass through.
		t.out.WriteString(`\` + string(c))
	case strings.IndexByte("afnrtv", c) >= 0:
		t.out.WriteString(`\` + string(c))
	case isASCIILetter(c):
		return badRegex("bad escape \\%c", c)
	case c < utf8.RuneSelf:
		// An escaped ASCII symbol stands for itself (RE2 agrees).
		t.out.WriteString(`\` + string(c))
	default:
		// An escaped non-ASCII character stands for itself.
		t.i--
		r, size := utf8.DecodeRuneInString(t.src[t.i:])
		t.i += size
		lit(r)
	}
	return nil
}

// classEscape writes \d, \w, \s (negate false) or \D, \W, \S (negate true)
// with Python's Unicode meaning, or the ASCII set under (?a). A negated set
// cannot be nested in a class, so inside one goNeg (RE2's ASCII escape) is
// the closest fit.
func (t *reTranslator) classEscape(inClass, negate bool, uni, asc, goNeg string) {
	set := uni
	if t.ascii {
		set = asc
	}
	switch {
	case !inClass && negate:
		t.out.WriteString("[^" + set + "]")
	case !inClass:
		t.out.WriteString("[" + set + "]")
	case negate:
		t.out.WriteString(goNeg)
	default:
		t.out.WriteString(set)
	}
}
