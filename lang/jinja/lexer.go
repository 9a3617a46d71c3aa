package jinja

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

type tokKind int

const (
	tEOF        tokKind = iota
	tData               // template text
	tVarBegin           // {{
	tVarEnd             // }}
	tBlockBegin         // {%
	tBlockEnd           // %}
	tName
	tString
	tInt
	tFloat
	tOp
)

type token struct {
	kind tokKind
	val  string // name, operator, data or decoded string
	num  any    // int64 or float64 for numbers
	pos  int    // byte offset in the normalized source
}

// describe names a token for error messages.
func (k token) describe() string {
	switch k.kind {
	case tEOF:
		return "end of template"
	case tData:
		return "template text"
	case tVarBegin:
		return "'{{'"
	case tVarEnd:
		return "end of expression '}}'"
	case tBlockBegin:
		return "'{%'"
	case tBlockEnd:
		return "end of tag '%}'"
	case tName:
		return "'" + k.val + "'"
	case tString:
		return "string literal"
	case tInt, tFloat:
		return "number"
	}
	return "'" + k.val + "'"
}

// lexer splits the normalized source into tokens the way Jinja2's lexer
// does with its default delimiters.
type lexer struct {
	t    *Template
	src  string
	pos  int
	toks []token
}

func lex(t *Template) []token {
	lx := &lexer{t: t, src: t.src}
	lx.run()
	return lx.toks
}

func (lx *lexer) fail(pos int, format string, args ...any) {
	panic(lx.t.errorAt(pos, format, args...))
}

func (lx *lexer) emit(kind tokKind, val string, pos int) {
	lx.add(token{kind: kind, val: val, pos: pos})
}

// tokenCost is what a token and its share of the syntax tree cost in
// memory, charged against MaxAlloc so that parsing a huge template fails
// before it takes more memory than a render may.
const tokenCost = 128

// minTokens is the token budget of a template with a small MaxAlloc.
const minTokens = 1 << 16

func (lx *lexer) add(tok token) {
	if max := max(lx.t.limits.MaxAlloc/tokenCost, minTokens); len(lx.toks) >= max {
		e := lx.t.errorAt(tok.pos, "template is too long: it has more than %d tokens", max)
		e.Limit = LimitAlloc
		panic(e)
	}
	lx.toks = append(lx.toks, tok)
}

func (lx *lexer) run() {
	src := lx.src
	for lx.pos < len(src) {
		start := lx.pos
		i := nextTagStart(src, start)
		if i < 0 {
			lx.emit(tData, src[start:], start)
			break
		}
		text := src[start:i]
		j := i + 2
		sign := byte(0)
		if j < len(src) && (src[j] == '-' || src[j] == '+') {
			sign = src[j]
			j++
		}
		if src[i+1] == '%' {
			if end, ok := matchRawBegin(src, i+2); ok {
				if sign == '-' {
					text = rstripSpace(text)
				}
				if text != "" {
					lx.emit(tData, text, start)
				}
				lx.lexRaw(i, end)
				continue
			}
		}
		if sign == '-' {
			text = rstripSpace(text)
		}
		if text != "" {
			lx.emit(tData, text, start)
		}
		lx.pos = j
		switch src[i+1] {
		case '#':
			lx.lexComment(i)
		case '%':
			lx.emit(tBlockBegin, "{%", i)
			lx.lexTag(false)
		default:
			lx.emit(tVarBegin, "{{", i)
			lx.lexTag(true)
		}
	}
	lx.toks = append(lx.toks, token{kind: tEOF, pos: len(src)})
}

// nextTagStart finds the next "{{", "{%" or "{#" at or after from.
func nextTagStart(s string, from int) int {
	for {
		k := strings.IndexByte(s[from:], '{')
		if k < 0 {
			return -1
		}
		i := from + k
		if i+1 < len(s) && (s[i+1] == '{' || s[i+1] == '%' || s[i+1] == '#') {
			return i
		}
		from = i + 1
	}
}

// matchRawBegin matches `(-|+|)\s*raw\s*(-%}\s*|%})` after "{%" at p and
// returns the offset after it.
func matchRawBegin(s string, p int) (int, bool) {
	if p < len(s) && (s[p] == '-' || s[p] == '+') {
		p++
	}
	p = skipSpace(s, p)
	if !strings.HasPrefix(s[p:], "raw") {
		return 0, false
	}
	p = skipSpace(s, p+3)
	switch {
	case strings.HasPrefix(s[p:], "-%}"):
		return skipSpace(s, p+3), true
	case strings.HasPrefix(s[p:], "%}"):
		return p + 2, true
	}
	return 0, false
}

// lexRaw emits the text of a raw block that starts at begin (the "{%")
// with its content at from.
func (lx *lexer) lexRaw(begin, from int) {
	src := lx.src
	for k := from; ; {
		i := strings.Index(src[k:], "{%")
		if i < 0 {
			lx.fail(begin, "missing {%% endraw %%} for the raw block")
		}
		i += k
		p := i + 2
		sign := byte(0)
		if p < len(src) && (src[p] == '-' || src[p] == '+') {
			sign = src[p]
			p++
		}
		p = skipSpace(src, p)
		if strings.HasPrefix(src[p:], "endraw") {
			q := skipSpace(src, p+6)
			end := -1
			switch {
			case strings.HasPrefix(src[q:], "+%}"):
				end = q + 3
			case strings.HasPrefix(src[q:], "-%}"):
				end = skipSpace(src, q+3)
			case strings.HasPrefix(src[q:], "%}"):
				end = q + 2
			}
			if end >= 0 {
				text := src[from:i]
				if sign == '-' {
					text = rstripSpace(text)
				}
				if text != "" {
					lx.emit(tData, text, from)
				}
				lx.pos = end
				return
			}
		}
		k = i + 2
	}
}

func (lx *lexer) lexComment(begin int) {
	src := lx.src
	i := strings.Index(src[lx.pos:], "#}")
	if i < 0 {
		lx.fail(begin, "missing end of comment tag '#}'")
	}
	i += lx.pos
	end := i + 2
	if i > lx.pos && src[i-1] == '-' {
		end = skipSpace(src, end)
	}
	lx.pos = end
}

// lexTag lexes the inside of a {{ }} or {% %} tag up to and including its
// end delimiter. Delimiters only end the tag outside brackets, as in
// Jinja2, so {{ {'a': {'b': 1}} }} works.
func (lx *lexer) lexTag(variable bool) {
	src := lx.src
	var stack []byte
	for {
		p := lx.pos
		if p >= len(src) {
			return // the parser reports the unexpected end
		}
		rest := src[p:]
		if len(stack) == 0 {
			if variable {
				if strings.HasPrefix(rest, "-}}") {
					lx.emit(tVarEnd, "}}", p)
					lx.pos = skipSpace(src, p+3)
					return
				}
				if strings.HasPrefix(rest, "}}") {
					lx.emit(tVarEnd, "}}", p)
					lx.pos = p + 2
					return
				}
			} else {
				if strings.HasPrefix(rest, "-%}") {
					lx.emit(tBlockEnd, "%}", p)
					lx.pos = skipSpace(src, p+3)
					return
				}
				if strings.HasPrefix(rest, "+%}") {
					lx.emit(tBlockEnd, "%}", p+1)
					lx.pos = p + 3
					return
				}
				if strings.HasPrefix(rest, "%}") {
					lx.emit(tBlockEnd, "%}", p)
					lx.pos = p + 2
					return
				}
			}
		}
		r, size := utf8.DecodeRuneInString(rest)
		switch {
		case isSpace(r):
			lx.pos = skipSpace(src, p)
		case r >= '0' && r <= '9':
			lx.lexNumber()
		case r == '_' || isIdentStart(r):
			q := p + size
			for q < len(src) {
				r2, s2 := utf8.DecodeRuneInString(src[q:])
				if !isIdentPart(r2) {
					break
				}
				q += s2
			}
			lx.emit(tName, src[p:q], p)
			lx.pos = q
		case r == '\'' || r == '"':
			lx.lexString()
		default:
			op := matchOperator(rest)
			if op == "" {
				lx.fail(p, "unexpected character %s", quoteChar(r))
			}
			switch op {
			case "(":
				stack = append(stack, ')')
			case "[":
				stack = append(stack, ']')
			case "{":
				stack = append(stack, '}')
			case ")", "]", "}":
				if len(stack) == 0 {
					lx.fail(p, "unexpected '%s'", op)
				}
				want := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if want != op[0] {
					lx.fail(p, "unexpected '%s', expected '%c'", op, want)
				}
			}
			lx.emit(tOp, op, p)
			lx.pos = p + len(op)
		}
	}
}

func quoteChar(r rune) string {
	if r == utf8.RuneError {
		return "(invalid UTF-8)"
	}
	return strconv.QuoteRune(r)
}

var operators = []string{
	"//", "**", "==", "!=", ">=", "<=",
	"+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}",
	"|", ".", ",", ":", ";", "<", ">", "=",
}

func matchOperator(s string) string {
	for _, op := range operators {
		if strings.HasPrefix(s, op) {
			return op
		}
	}
	return ""
}

// lexNumber lexes an integer (decimal, 0b, 0o, 0x, with _ separators) or a
// float (a fraction, an exponent or both), as Jinja2's number rules do.
func (lx *lexer) lexNumber() {
	src, p := lx.src, lx.pos
	afterDot := p > 0 && src[p-1] == '.'
	if !afterDot {
		if q, ok := scanFloat(src, p); ok {
			text := strings.ReplaceAll(src[p:q], "_", "")
			f, err := strconv.ParseFloat(text, 64)
			if err != nil && !isRangeErr(err) {
				lx.fail(p, "invalid number %s", clip(src[p:q]))
			}
			lx.add(token{kind: tFloat, val: src[p:q], num: f, pos: p})
			lx.pos = q
			return
		}
	}
	q, base := scanInt(src, p)
	digits := strings.ReplaceAll(src[p:q], "_", "")
	if base != 10 {
		digits = digits[2:]
	}
	n, err := strconv.ParseInt(digits, base, 64)
	if err != nil {
		lx.fail(p, "integer literal %s is too large (the limit is %d)", clip(src[p:q]), int64(math.MaxInt64))
	}
	lx.add(token{kind: tInt, val: src[p:q], num: n, pos: p})
	lx.pos = q
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// scanDigits matches (d+_)*d+ with digits accepted by ok.
func scanDigits(s string, p int, ok func(byte) bool) int {
	if p >= len(s) || !ok(s[p]) {
		return -1
	}
	for p < len(s) {
		if ok(s[p]) {
			p++
			continue
		}
		if s[p] == '_' && p+1 < len(s) && ok(s[p+1]) {
			p++
			continue
		}
		break
	}
	return p
}

func isDec(c byte) bool { return c >= '0' && c <= '9' }

func scanFloat(s string, p int) (int, bool) {
	q := scanDigits(s, p, isDec)
	if q < 0 {
		return 0, false
	}
	frac := -1
	if q < len(s) && s[q] == '.' {
		frac = scanDigits(s, q+1, isDec)
	}
	expAt := q
	if frac >= 0 {
		expAt = frac
	}
	if expAt < len(s) && (s[expAt] == 'e' || s[expAt] == 'E') {
		e := expAt + 1
		if e < len(s) && (s[e] == '+' || s[e] == '-') {
			e++
		}
		if end := scanDigits(s, e, isDec); end >= 0 {
			return end, true
		}
	}
	if frac >= 0 {
		return frac, true
	}
	return 0, false
}

func scanInt(s string, p int) (end, base int) {
	if s[p] == '0' && p+1 < len(s) {
		var ok func(byte) bool
		switch s[p+1] {
		case 'b', 'B':
			ok, base = func(c byte) bool { return c == '0' || c == '1' }, 2
		case 'o', 'O':
			ok, base = func(c byte) bool { return c >= '0' && c <= '7' }, 8
		case 'x', 'X':
			ok, base = func(c byte) bool {
				return isDec(c) || (c|0x20) >= 'a' && (c|0x20) <= 'f'
			}, 16
		}
		if ok != nil {
			// 0x(_?[0-9a-f])+
			q := p + 2
			for q < len(s) {
				if ok(s[q]) {
					q++
				} else if s[q] == '_' && q+1 < len(s) && ok(s[q+1]) {
					q += 2
				} else {
					break
				}
			}
			if q > p+2 {
				return q, base
			}
		}
	}
	if s[p] == '0' {
		// 0(_?0)*
		q := p + 1
		for q < len(s) {
			if s[q] == '0' {
				q++
			} else if s[q] == '_' && q+1 < len(s) && s[q+1] == '0' {
				q += 2
			} else {
				break
			}
		}
		return q, 10
	}
	return scanDigits(s, p, isDec), 10
}

// lexString lexes a quoted string and decodes its escapes as Python's
// unicode-escape codec does.
func (lx *lexer) lexString() {
	src, p := lx.src, lx.pos
	quote := src[p]
	q := p + 1
	for {
		if q >= len(src) {
			lx.fail(p, "unterminated string literal")
		}
		c := src[q]
		if c == '\\' {
			q += 2
			continue
		}
		if c == quote {
			break
		}
		q++
	}
	val, err := unescape(src[p+1 : q])
	if err != "" {
		lx.fail(p, "invalid string literal: %s", err)
	}
	lx.emit(tString, val, p)
	lx.pos = q + 1
}

func unescape(s string) (string, string) {
	if strings.IndexByte(s, '\\') < 0 {
		return s, ""
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			i++
			continue
		}
		e := s[i+1]
		i += 2
		switch e {
		case '\n':
		case '\\', '\'', '"':
			b.WriteByte(e)
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'v':
			b.WriteByte('\v')
		case '0', '1', '2', '3', '4', '5', '6', '7':
			n := int(e - '0')
			for k := 0; k < 2 && i < len(s) && s[i] >= '0' && s[i] <= '7'; k++ {
				n = n*8 + int(s[i]-'0')
				i++
			}
			b.WriteRune(rune(n))
		case 'x', 'u', 'U':
			width := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			if i+width > len(s) {
				return "", `truncated \` + string(e) + " escape"
			}
			n, err := strconv.ParseUint(s[i:i+width], 16, 32)
			if err != nil || strings.ContainsAny(s[i:i+width], "+-_") {
				return "", `truncated \` + string(e) + " escape"
			}
			if n > unicode.MaxRune {
				return "", `illegal Unicode character in \U escape`
			}
			b.WriteRune(rune(n))
			i += width
		case 'N':
			return "", `\N{...} escapes are not supported`
		default:
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
	return b.String(), ""
}

// isSpace reports Python's str.isspace for one character.
func isSpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

func skipSpace(s string, p int) int {
	for p < len(s) {
		r, size := utf8.DecodeRuneInString(s[p:])
		if !isSpace(r) {
			break
		}
		p += size
	}
	return p
}

func rstripSpace(s string) string {
	return strings.TrimRightFunc(s, isSpace)
}

func isIdentStart(r rune) bool {
	return unicode.IsLetter(r) || unicode.Is(unicode.Nl, r)
}

func isIdentPart(r rune) bool {
	return r == '_' || isIdentStart(r) || unicode.IsDigit(r) ||
		unicode.In(r, unicode.Mn, unicode.Mc, unicode.Pc)
}
