package authn

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file reads and edits deployment.yaml, the file NodeTool's deploy
// command shares with the worker token. It is not a YAML parser: it accepts
// the line-oriented subset that NodeTool writes and refuses everything it
// cannot read with confidence, so that a token is never taken from, and a
// file is never rewritten from, a misreading.
//
// The accepted subset:
//
//   - Lines end in LF or CRLF (kept as they are). A UTF-8 byte order mark at
//     the start is allowed. The file is valid UTF-8 without NUL bytes or lone
//     CRs.
//   - Blank lines, and comment lines whose first non-space character is '#',
//     anywhere.
//   - Top-level lines start in column 0 and are `key:` or `key: value`, where
//     key is made of letters, digits, '_', '.' and '-', and each key appears
//     once. value, optionally followed by whitespace and a '#' comment, is
//     a plain scalar on one line (no ": " inside, not starting with an
//     indicator such as [ { & * ! % @ ` ? or "- "), a single- or
//     double-quoted scalar closed on the same line, "{}" or "[]", or a block
//     scalar header (| or > with optional chomping and indentation).
//   - Lines indented with spaces belong to the top-level key above them, which
//     must have no value (a nested block) or a block scalar header. Their
//     content is kept, not interpreted, except that indentation must not
//     contain tabs and a quoted scalar must be closed (it may run over
//     several indented lines).
//   - Lines starting with "- " in column 0 are the items of a list under the
//     top-level key above them, which must have no value.
//
// worker_auth_token, if present, must be a one-line scalar; empty, "~" and
// "null" mean unset.

// tokenKey is the deployment.yaml key that holds the worker token.
const tokenKey = "worker_auth_token"

// maxDeployFile bounds the size of deployment.yaml.
const maxDeployFile = 1 << 20

// deployFile is a parsed deployment.yaml.
type deployFile struct {
	data      []byte
	tokenLine int    // index into lines of the worker_auth_token line, or -1
	token     string // its value; "" when absent or null
	lines     []span
	crlf      bool // the first line ends in CRLF
}

// span is one line of data: data[start:end] is its content, data[end:next]
// its line ending.
type span struct{ start, end, next int }

// syntaxError reports a line of deployment.yaml that is outside the subset.
type syntaxError struct {
	line int // 1-based
	msg  string
}

func (e *syntaxError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

// block kinds for the top-level key above the current line.
const (
	blockNone   = iota // scalar value: no indented lines may follow
	blockNested        // `key:` with no value: nested block or column-0 list
	blockScalar        // `key: |`: indented lines are opaque text
)

// parseDeployment reads data as deployment.yaml. The error, a *syntaxError,
// names the first line outside the subset.
func parseDeployment(data []byte) (*deployFile, error) {
	if len(data) > maxDeployFile {
		return nil, &syntaxError{1, fmt.Sprintf("file larger than %d bytes", maxDeployFile)}
	}
	if !utf8.Valid(data) {
		return nil, &syntaxError{1 + bytes.Count(data[:invalidUTF8At(data)], []byte("\n")), "invalid UTF-8"}
	}
	d := &deployFile{data: data, tokenLine: -1}
	d.lines, d.crlf = splitLines(data)
	p := deployParser{d: d, seen: map[string]bool{}, kind: blockNone, scalarIndent: -1}
	for n, s := range d.lines {
		if err := p.line(n, string(data[s.start:s.end])); err != nil {
			return nil, err
		}
	}
	if p.q.open {
		return nil, &syntaxError{p.q.line, "unterminated quoted string"}
	}
	return d, nil
}

// splitLines cuts data, after any UTF-8 byte order mark, into lines ending
// in LF or CRLF (the last may have no ending), and reports whether the
// first ends in CRLF.
func splitLines(data []byte) (lines []span, crlf bool) {
	i := 0
	if bytes.HasPrefix(data, []byte("\uFEFF")) {
		i = 3
	}
	for i < len(data) {
		j := bytes.IndexByte(data[i:], '\n')
		s := span{start: i, end: len(data), next: len(data)}
		if j >= 0 {
			s.end, s.next = i+j, i+j+1
			if s.end > i && data[s.end-1] == '\r' {
				s.end--
			}
		}
		lines = append(lines, s)
		i = s.next
	}
	if len(lines) > 0 {
		crlf = lines[0].next-lines[0].end == 2
	}
	return lines, crlf
}

// deployParser is parseDeployment's state from one line to the next.
type deployParser struct {
	d            *deployFile
	seen         map[string]bool // top-level keys so far
	kind         int             // the value kind of the current top-level key (blockNone, ...)
	key          string          // the current top-level key
	q            quoteState      // an open multi-line quoted scalar in a nested block
	scalarIndent int             // indentation of a nested key whose value is a block scalar, or -1
}

// line checks line n (from 0) and records the token if it is its line.
func (p *deployParser) line(n int, line string) error {
	lineNo := n + 1
	if strings.ContainsAny(line, "\x00\r") {
		return &syntaxError{lineNo, "NUL byte or stray carriage return"}
	}
	trimmed := strings.TrimLeft(line, " \t")
	indent := len(line) - len(strings.TrimLeft(line, " "))
	if p.q.open {
		if indent == 0 && trimmed != "" {
			return &syntaxError{p.q.line, "unterminated quoted string"}
		}
		_, err := checkNested(line[indent:], &p.q, lineNo)
		return err
	}
	if trimmed == "" || trimmed[0] == '#' {
		return nil
	}
	if indent > 0 {
		return p.indented(line, indent, lineNo)
	}
	if line[0] == '\t' {
		return &syntaxError{lineNo, "tab used for indentation"}
	}
	p.scalarIndent = -1
	if line == "-" || strings.HasPrefix(line, "- ") {
		return p.listItem(line, lineNo)
	}
	return p.topLevel(n, line)
}

// indented checks a line that belongs to the block of the top-level key
// above it.
func (p *deployParser) indented(line string, indent, lineNo int) error {
	switch {
	case p.key == "":
		return &syntaxError{lineNo, "indented line before the first key"}
	case p.kind == blockNone:
		return &syntaxError{lineNo, fmt.Sprintf("indented line under %q, which already has a value", p.key)}
	case p.key == tokenKey:
		return &syntaxError{lineNo, tokenKey + " must be a single-line string"}
	case p.kind == blockScalar:
		return nil
	case p.scalarIndent >= 0 && indent > p.scalarIndent:
		return nil
	}
	p.scalarIndent = -1
	if line[indent] == '\t' {
		return &syntaxError{lineNo, "tab used for indentation"}
	}
	opens, err := checkNested(line[indent:], &p.q, lineNo)
	if err != nil {
		return err
	}
	if opens {
		p.scalarIndent = indent
	}
	return nil
}

// listItem checks a "- " line in column 0: an item of the list under the
// top-level key above it.
func (p *deployParser) listItem(line string, lineNo int) error {
	switch {
	case p.kind != blockNested:
		return &syntaxError{lineNo, "list item outside a list"}
	case p.key == tokenKey:
		return &syntaxError{lineNo, tokenKey + " must be a single-line string"}
	}
	opens, err := checkNested(line, &p.q, lineNo)
	if err != nil {
		return err
	}
	if opens {
		p.scalarIndent = 0
	}
	return nil
}

// topLevel checks a top-level `key:` or `key: value` line, line n (from
// 0), and takes the token from it if its key is tokenKey.
func (p *deployParser) topLevel(n int, line string) error {
	lineNo := n + 1
	k, rest, ok := splitKey(line)
	if !ok {
		return &syntaxError{lineNo, `expected "key: value" or "key:"`}
	}
	if p.seen[k] {
		return &syntaxError{lineNo, fmt.Sprintf("duplicate key %q", k)}
	}
	p.seen[k] = true
	p.key = k
	v, vkind, err := topValue(rest)
	if err != nil {
		return &syntaxError{lineNo, err.Error()}
	}
	p.kind = vkind
	if k != tokenKey {
		return nil
	}
	if vkind == blockScalar || v.collection {
		return &syntaxError{lineNo, tokenKey + " must be a single-line string"}
	}
	p.d.tokenLine = n
	p.d.token = v.text
	if v.plain && (v.text == "~" || v.text == "null" || v.text == "Null" || v.text == "NULL") {
		p.d.token = ""
	}
	return nil
}

// invalidUTF8At returns the offset of the first invalid UTF-8 sequence.
func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// splitKey splits a top-level line into its key and what follows the colon.
func splitKey(line string) (key, rest string, ok bool) {
	i := 0
	for i < len(line) && isKeyByte(line[i]) {
		i++
	}
	if i == 0 || i >= len(line) || line[i] != ':' {
		return "", "", false
	}
	rest = line[i+1:]
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return "", "", false
	}
	return line[:i], rest, true
}

func isKeyByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '.' || c == '-'
}

// scalar is a decoded top-level value.
type scalar struct {
	text       string
	plain      bool // unquoted
	collection bool // {} or []
}

// topValue reads what follows `key:` on a top-level line.
func topValue(rest string) (scalar, int, error) {
	v := strings.TrimLeft(rest, " \t")
	if v == "" || v[0] == '#' {
		return scalar{}, blockNested, nil
	}
	switch v[0] {
	case '"', '\'':
		text, n, err := scanQuoted(v)
		if err != nil {
			return scalar{}, 0, err
		}
		if err := checkTrailer(v[n:]); err != nil {
			return scalar{}, 0, err
		}
		return scalar{text: text}, blockNone, nil
	case '|', '>':
		if !isBlockHeader(v) {
			return scalar{}, 0, fmt.Errorf("malformed block scalar header %q", v)
		}
		return scalar{}, blockScalar, nil
	case '{', '[':
		if strings.HasPrefix(v, "{}") || strings.HasPrefix(v, "[]") {
			if err := checkTrailer(v[2:]); err == nil {
				return scalar{collection: true}, blockNone, nil
			}
		}
		return scalar{}, 0, fmt.Errorf("flow collections other than {} and [] are not supported")
	case '&', '*', '!', '%', '@', '`', ']', '}', ',':
		return scalar{}, 0, fmt.Errorf("unsupported YAML (anchor, alias, tag or reserved indicator %q)", v[:1])
	case '-', '?', ':':
		if len(v) == 1 || v[1] == ' ' || v[1] == '\t' {
			return scalar{}, 0, fmt.Errorf("unexpected %q in a value", v[:1])
		}
	}
	// Plain scalar: up to a comment.
	text := v
	for i := 1; i < len(v); i++ {
		if v[i] == '#' && (v[i-1] == ' ' || v[i-1] == '\t') {
			text = v[:i]
			break
		}
	}
	text = strings.TrimRight(text, " \t")
	if strings.Contains(text, ": ") || strings.Contains(text, ":\t") || strings.HasSuffix(text, ":") {
		return scalar{}, 0, fmt.Errorf(`unquoted value contains ": "`)
	}
	return scalar{text: text, plain: true}, blockNone, nil
}

// checkTrailer accepts what may follow a complete value: nothing, or
// whitespace and a comment.
func checkTrailer(s string) error {
	t := strings.TrimLeft(s, " \t")
	if t == "" || (t[0] == '#' && len(t) < len(s)) {
		return nil
	}
	return fmt.Errorf("unexpected text after value")
}

// isBlockHeader reports whether v is a block scalar header such as "|",
// ">-" or "|2+", optionally followed by a comment.
func isBlockHeader(v string) bool {
	i := 1
	for n := 0; n < 2 && i < len(v); n++ {
		c := v[i]
		if c == '+' || c == '-' || ('1' <= c && c <= '9') {
			i++
		}
	}
	return checkTrailer(v[i:]) == nil
}

// scanQuoted decodes the quoted scalar at the start of s (which begins with
// ' or ") and returns its value and length in s.
func scanQuoted(s string) (string, int, error) {
	quote := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == quote && quote == '\'':
			if i+1 < len(s) && s[i+1] == '\'' {
				b.WriteByte('\'')
				i++
				continue
			}
			return b.String(), i + 1, nil
		case c == quote:
			return b.String(), i + 1, nil
		case c == '\\' && quote == '"':
			r, n, err := unescape(s[i+1:])
			if err != nil {
				return "", 0, err
			}
			b.WriteRune(r)
			i += n
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, fmt.Errorf("unterminated quoted string")
}

// unescape decodes one double-quoted escape (after the backslash) and
// returns the rune and the number of bytes used.
func unescape(s string) (rune, int, error) {
	if s == "" {
		return 0, 0, fmt.Errorf("unterminated quoted string")
	}
	width := 0
	switch s[0] {
	case '0':
		return 0, 1, nil
	case 'a':
		return '\a', 1, nil
	case 'b':
		return '\b', 1, nil
	case 't', '\t':
		return '\t', 1, nil
	case 'n':
		return '\n', 1, nil
	case 'v':
		return '\v', 1, nil
	case 'f':
		return '\f', 1, nil
	case 'r':
		return '\r', 1, nil
	case 'e':
		return 0x1b, 1, nil
	case ' ', '"', '/', '\\':
		return rune(s[0]), 1, nil
	case 'N':
		return 0x85, 1, nil
	case '_':
		return 0xa0, 1, nil
	case 'L':
		return 0x2028, 1, nil
	case 'P':
		return 0x2029, 1, nil
	case 'x':
		width = 2
	case 'u':
		width = 4
	case 'U':
		width = 8
	default:
		return 0, 0, fmt.Errorf("unsupported escape in quoted string")
	}
	if len(s) < 1+width {
		return 0, 0, fmt.Errorf("unterminated escape in quoted string")
	}
	n, err := strconv.ParseUint(s[1:1+width], 16, 32)
	if err != nil || !utf8.ValidRune(rune(n)) {
		return 0, 0, fmt.Errorf("invalid escape in quoted string")
	}
	return rune(n), 1 + width, nil
}

// quoteState tracks a quoted scalar that continues over nested lines.
type quoteState struct {
	open  bool
	quote byte
	line  int // where it started
}

// checkNested checks one line of a nested block (without its indentation)
// or a column-0 list item. It reports whether the line ends with a block
// scalar header, whose more-indented lines are then opaque.
func checkNested(s string, q *quoteState, lineNo int) (opensScalar bool, err error) {
	if q.open {
		n, closed := closeQuote(s, q.quote)
		if !closed {
			return false, nil
		}
		q.open = false
		return checkNestedValue(s[n:], q, lineNo), nil
	}
	for {
		s = strings.TrimLeft(s, " ")
		if s == "-" || strings.HasPrefix(s, "- ") {
			s = s[1:]
			continue
		}
		break
	}
	if s == "" || s[0] == '#' {
		return false, nil
	}
	if s[0] == '\t' {
		return false, &syntaxError{lineNo, "tab used for indentation"}
	}
	// A quoted key or scalar at the start.
	if s[0] == '"' || s[0] == '\'' {
		n, closed := closeQuote(s[1:], s[0])
		if !closed {
			*q = quoteState{open: true, quote: s[0], line: lineNo}
			return false, nil
		}
		s = s[1+n:]
	}
	return checkNestedValue(s, q, lineNo), nil
}

// checkNestedValue looks at the value after "key: " in s, if any: a quoted
// value left open continues on the next lines; a block scalar header is
// reported.
func checkNestedValue(s string, q *quoteState, lineNo int) (opensScalar bool) {
	i := strings.Index(s, ": ")
	if i < 0 {
		return false
	}
	v := strings.TrimLeft(s[i+2:], " ")
	if v == "" {
		return false
	}
	switch v[0] {
	case '"', '\'':
		if _, closed := closeQuote(v[1:], v[0]); !closed {
			*q = quoteState{open: true, quote: v[0], line: lineNo}
		}
	case '|', '>':
		return isBlockHeader(v)
	}
	return false
}

// closeQuote finds the closing quote in s, the text after an opening quote,
// and returns the length up to and including it.
func closeQuote(s string, quote byte) (int, bool) {
	for i := 0; i < len(s); i++ {
		switch {
		case quote == '"' && s[i] == '\\':
			i++
		case s[i] == quote && quote == '\'' && i+1 < len(s) && s[i+1] == '\'':
			i++
		case s[i] == quote:
			return i + 1, true
		}
	}
	return 0, false
}

// withToken returns the file's bytes with the worker_auth_token line set to
// token: the existing line is replaced in place, or a line is appended.
// Every other byte is kept. token must be a base64url string.
func (d *deployFile) withToken(token string) []byte {
	line := tokenKey + `: "` + token + `"`
	nl := "\n"
	if d.crlf {
		nl = "\r\n"
	}
	var out bytes.Buffer
	if d.tokenLine >= 0 {
		s := d.lines[d.tokenLine]
		out.Write(d.data[:s.start])
		out.WriteString(line)
		out.Write(d.data[s.end:])
		return out.Bytes()
	}
	out.Write(d.data)
	if len(d.data) > 0 && d.data[len(d.data)-1] != '\n' {
		out.WriteString(nl)
	}
	out.WriteString(line)
	out.WriteString(nl)
	return out.Bytes()
}
