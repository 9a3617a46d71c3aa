package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
)

// The object model: nil (null), bool, int64, float64, Name, String,
// Array, Dict, Ref, *Stream, and in content streams Op (an operator).
type (
	// Object is any PDF object.
	Object = any
	// Name is a PDF name (/Type), without its slash, #xx escapes decoded.
	Name string
	// String is a literal or hex string's bytes.
	String []byte
	// Array is a PDF array.
	Array []Object
	// Dict is a PDF dictionary.
	Dict map[Name]Object
	// Ref is an indirect reference (N G R).
	Ref struct{ Num, Gen int }
	// Op is a content-stream operator or another bare keyword.
	Op string
)

// Stream is a stream object: its dictionary and its raw (still encoded)
// bytes, a slice of the file.
type Stream struct {
	Dict Dict
	Raw  []byte
}

// maxDepth bounds the nesting of arrays and dictionaries.
const maxDepth = 64

var (
	errSyntax  = errors.New("pdf: syntax error")
	errTooDeep = fmt.Errorf("pdf: objects nested deeper than %d levels", maxDepth)
)

// parser reads objects from b.
type parser struct {
	b   []byte
	pos int
	// ops: bare keywords are returned as Op (content streams, CMaps).
	ops bool
}

func isWhite(c byte) bool {
	return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' '
}

func isDelim(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

func isRegular(c byte) bool { return !isWhite(c) && !isDelim(c) }

func (p *parser) skipWS() {
	for p.pos < len(p.b) {
		c := p.b[p.pos]
		if isWhite(c) {
			p.pos++
		} else if c == '%' {
			for p.pos < len(p.b) && p.b[p.pos] != '\n' && p.b[p.pos] != '\r' {
				p.pos++
			}
		} else {
			return
		}
	}
}

func (p *parser) eof() bool { p.skipWS(); return p.pos >= len(p.b) }

// object reads the next object. In ops mode a bare keyword is an Op;
// otherwise true, false and null are the only keywords allowed, and any
// other keyword is returned as Op too for the caller to check.
func (p *parser) object(depth int) (Object, error) {
	if depth > maxDepth {
		return nil, errTooDeep
	}
	p.skipWS()
	if p.pos >= len(p.b) {
		return nil, errSyntax
	}
	c := p.b[p.pos]
	switch {
	case c == '/':
		p.pos++
		return p.name(), nil
	case c == '(':
		p.pos++
		return p.literal(), nil
	case c == '<':
		if p.pos+1 < len(p.b) && p.b[p.pos+1] == '<' {
			p.pos += 2
			return p.dict(depth)
		}
		p.pos++
		return p.hex(), nil
	case c == '[':
		p.pos++
		var a Array
		for {
			p.skipWS()
			if p.pos >= len(p.b) {
				return nil, errSyntax
			}
			if p.b[p.pos] == ']' {
				p.pos++
				if a == nil {
					a = Array{}
				}
				return a, nil
			}
			v, err := p.object(depth + 1)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
	case c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9'):
		return p.number(), nil
	case c == ']' || c == '>' || c == ')' || c == '{' || c == '}':
		p.pos++
		return nil, errSyntax
	}
	start := p.pos
	for p.pos < len(p.b) && isRegular(p.b[p.pos]) {
		p.pos++
	}
	switch kw := string(p.b[start:p.pos]); kw {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "null":
		return nil, nil
	default:
		return Op(kw), nil
	}
}

func (p *parser) dict(depth int) (Object, error) {
	d := Dict{}
	for {
		p.skipWS()
		if p.pos >= len(p.b) {
			return nil, errSyntax
		}
		if p.b[p.pos] == '>' {
			if p.pos+1 < len(p.b) && p.b[p.pos+1] == '>' {
				p.pos += 2
				return d, nil
			}
			return nil, errSyntax
		}
		k, err := p.object(depth + 1)
		if err != nil {
			return nil, err
		}
		key, ok := k.(Name)
		if !ok {
			return nil, errSyntax
		}
		v, err := p.object(depth + 1)
		if err != nil {
			return nil, err
		}
		if op, ok := v.(Op); ok {
			return nil, fmt.Errorf("%w: keyword %q in a dictionary", errSyntax, clipS(string(op)))
		}
		d[key] = v
	}
}

func clipS(s string) string {
	if len(s) > 20 {
		return s[:20]
	}
	return s
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func (p *parser) name() Name {
	var out []byte
	for p.pos < len(p.b) && isRegular(p.b[p.pos]) {
		c := p.b[p.pos]
		if c == '#' && p.pos+2 < len(p.b) {
			h, ok1 := unhex(p.b[p.pos+1])
			l, ok2 := unhex(p.b[p.pos+2])
			if ok1 && ok2 {
				out = append(out, h<<4|l)
				p.pos += 3
				continue
			}
		}
		out = append(out, c)
		p.pos++
	}
	return Name(out)
}

func (p *parser) literal() String {
	out := []byte{}
	depth := 1
	for p.pos < len(p.b) {
		c := p.b[p.pos]
		p.pos++
		switch c {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return out
			}
		case '\r':
			if p.pos < len(p.b) && p.b[p.pos] == '\n' {
				p.pos++
			}
			c = '\n'
		case '\\':
			if p.pos >= len(p.b) {
				return out
			}
			e := p.b[p.pos]
			p.pos++
			switch e {
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case '\r':
				if p.pos < len(p.b) && p.b[p.pos] == '\n' {
					p.pos++
				}
				continue
			case '\n':
				continue
			default:
				if e >= '0' && e <= '7' {
					v := int(e - '0')
					for i := 0; i < 2 && p.pos < len(p.b) && p.b[p.pos] >= '0' && p.b[p.pos] <= '7'; i++ {
						v = v*8 + int(p.b[p.pos]-'0')
						p.pos++
					}
					c = byte(v)
				} else {
					c = e
				}
			}
		}
		out = append(out, c)
	}
	return out
}

func (p *parser) hex() String {
	out := []byte{}
	var hi byte
	half := false
	for p.pos < len(p.b) {
		c := p.b[p.pos]
		p.pos++
		if c == '>' {
			break
		}
		v, ok := unhex(c)
		if !ok {
			continue
		}
		if half {
			out = append(out, hi<<4|v)
		} else {
			hi = v
		}
		half = !half
	}
	if half {
		out = append(out, hi<<4)
	}
	return out
}

// number reads a number and, for an integer followed by "G R", a
// reference.
func (p *parser) number() Object {
	start := p.pos
	p.pos++
	for p.pos < len(p.b) && (p.b[p.pos] >= '0' && p.b[p.pos] <= '9' || p.b[p.pos] == '.' || p.b[p.pos] == '-') {
		p.pos++
	}
	s := string(p.b[start:p.pos])
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		if !p.ops && i >= 0 {
			if g, ok := p.refTail(); ok {
				return Ref{int(min(i, 1<<31)), g}
			}
		}
		return i
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		// Malformed numbers ("--5", "1.2.3") read as 0, as readers do.
		return int64(0)
	}
	return f
}

// refTail matches " G R" after an object number, leaving pos unchanged
// when it does not.
func (p *parser) refTail() (int, bool) {
	save := p.pos
	p.skipWS()
	s := p.pos
	for p.pos < len(p.b) && p.b[p.pos] >= '0' && p.b[p.pos] <= '9' && p.pos-s < 6 {
		p.pos++
	}
	if p.pos == s || p.pos < len(p.b) && isRegular(p.b[p.pos]) {
		p.pos = save
		return 0, false
	}
	g, _ := strconv.Atoi(string(p.b[s:p.pos]))
	p.skipWS()
	if p.pos < len(p.b) && p.b[p.pos] == 'R' && (p.pos+1 == len(p.b) || !isRegular(p.b[p.pos+1])) {
		p.pos++
		return g, true
	}
	p.pos = save
	return 0, false
}

// keyword reports whether the next token is the keyword kw, consuming it.
func (p *parser) keyword(kw string) bool {
	p.skipWS()
	if bytes.HasPrefix(p.b[p.pos:], []byte(kw)) {
		e := p.pos + len(kw)
		if e == len(p.b) || !isRegular(p.b[e]) {
			p.pos = e
			return true
		}
	}
	return false
}

// integer reads a non-negative integer token.
func (p *parser) integer() (int, bool) {
	p.skipWS()
	s := p.pos
	for p.pos < len(p.b) && p.b[p.pos] >= '0' && p.b[p.pos] <= '9' && p.pos-s < 10 {
		p.pos++
	}
	if p.pos == s || p.pos < len(p.b) && isRegular(p.b[p.pos]) {
		p.pos = s
		return 0, false
	}
	n, _ := strconv.Atoi(string(p.b[s:p.pos]))
	return n, true
}
