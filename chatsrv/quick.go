package chatsrv

import (
	"strconv"
	"unicode/utf8"
)

// quickCheck reads the request shape nearly every client sends — a model,
// messages of a role and text content, stream, the common sampling
// settings — without decoding it, and reports what parseRequest would:
// ok means parseRequest accepts body, with no provider, this model and
// this stream. It answers not ok for anything outside that shape (tools,
// content parts, a tool message, null where a value is expected, numbers
// that are not plain, keys that are not plain lower-case ASCII...), and
// the request then takes parseRequest, which decides and words the error:
// every check of parseRequest still applies, this only skips decoding a
// request that passes them all. A relayed request needs nothing else
// (BenchmarkCompletionRelay: parseRequest's reflection was a fifth of the
// handler's allocations and time).
//
// body must have passed httpapi.CheckJSON: valid JSON within the depth
// and size limits, which the scan below relies on (it checks the grammar
// only as far as it needs to tell values apart).
//
// Why plain lower-case keys: encoding/json matches keys to fields without
// regard to case ("MODEL" sets Model), so a key is taken as a field only
// when it is one exactly and could be no other: a key of [a-z0-9_] that is
// not a field's name matches none and is ignored by both (its value
// skipped); any other key sends the request to parseRequest. A field given
// twice does too (encoding/json merges the two).
func quickCheck(body []byte) (model string, stream bool, ok bool) {
	s := scanner{b: body}
	if !s.next('{') {
		return "", false, false
	}
	var seen uint32
	for {
		key, plain := s.str()
		if !plain || !lowerKey(key) || !s.next(':') {
			return "", false, false
		}
		bit, known := requestFields[string(key)]
		if known {
			if seen&bit != 0 {
				return "", false, false
			}
			seen |= bit
		}
		switch string(key) {
		case "model":
			m, plain := s.str()
			if !plain || !utf8.Valid(m) {
				return "", false, false
			}
			model = string(m)
		case "provider":
			if p, plain := s.str(); !plain || len(p) != 0 {
				return "", false, false
			}
		case "stream":
			v, isBool := s.boolean()
			if !isBool {
				return "", false, false
			}
			stream = v
		case "messages":
			if !s.messages() {
				return "", false, false
			}
		case "temperature", "top_p":
			n := s.number()
			if n == nil {
				return "", false, false
			}
			if _, err := strconv.ParseFloat(string(n), 64); err != nil {
				return "", false, false
			}
		case "max_tokens", "max_completion_tokens", "seed", "n":
			n := s.number()
			if n == nil {
				return "", false, false
			}
			v, err := strconv.ParseInt(string(n), 10, strconv.IntSize)
			if err != nil || string(key) == "n" && v != 1 {
				return "", false, false
			}
		case "stop":
			if _, plain := s.str(); !plain {
				return "", false, false
			}
		case "stream_options":
			if !s.streamOptions() {
				return "", false, false
			}
		case "tool_choice", "response_format":
			s.skip() // json.RawMessage: any value
		default:
			if known { // tools
				return "", false, false
			}
			s.skip() // not a field: ignored
		}
		switch s.after('}') {
		case ',':
			continue
		case '}':
			return model, stream, seen&requestFields["messages"] != 0 && s.end()
		}
		return "", false, false
	}
}

// requestFields are the fields of chatRequest, one bit each.
var requestFields = map[string]uint32{
	"model": 1 << 0, "provider": 1 << 1, "messages": 1 << 2, "stream": 1 << 3, "stream_options": 1 << 4,
	"tools": 1 << 5, "tool_choice": 1 << 6, "response_format": 1 << 7, "temperature": 1 << 8, "top_p": 1 << 9,
	"max_tokens": 1 << 10, "max_completion_tokens": 1 << 11, "stop": 1 << 12, "seed": 1 << 13, "n": 1 << 14,
}

// messages reads a non-empty list of messages, each an object of a role
// (not "tool": it needs tool_call_id, left to parseRequest), text or null
// content, and a name.
func (s *scanner) messages() bool {
	if !s.next('[') {
		return false
	}
	for {
		if !s.next('{') {
			return false // not a message (or an empty list)
		}
		var seen uint8
		if s.peek() != '}' {
			for {
				key, plain := s.str()
				if !plain || !lowerKey(key) || !s.next(':') {
					return false
				}
				var bit uint8
				switch string(key) {
				case "role":
					bit = 1
					role, plain := s.str()
					if !plain || !quickRole(role) {
						return false
					}
				case "content":
					bit = 2
					if s.peek() == 'n' {
						s.i += len("null")
					} else if _, ok := s.str(); !ok && !s.wasString() {
						return false
					}
				case "name":
					bit = 4
					if _, ok := s.str(); !ok && !s.wasString() {
						return false
					}
				case "tool_call_id", "tool_calls":
					return false
				default:
					s.skip()
				}
				if seen&bit != 0 {
					return false
				}
				seen |= bit
				if c := s.after('}'); c == '}' {
					break
				} else if c != ',' {
					return false
				}
			}
		} else {
			s.i++
		}
		switch s.after(']') {
		case ',':
			continue
		case ']':
			return true
		}
		return false
	}
}

// quickRole reports whether a role is one parseRequest takes as it is (or
// renames: developer is system).
func quickRole(role []byte) bool {
	switch string(role) {
	case "system", "user", "assistant", "developer":
		return true
	}
	return false
}

// streamOptions reads {"include_usage": true|false} or {}.
func (s *scanner) streamOptions() bool {
	if !s.next('{') {
		return false
	}
	if s.peek() == '}' {
		s.i++
		return true
	}
	key, plain := s.str()
	if !plain || string(key) != "include_usage" || !s.next(':') {
		return false
	}
	if _, ok := s.boolean(); !ok {
		return false
	}
	return s.after('}') == '}'
}

// lowerKey reports whether key is made of [a-z0-9_] only.
func lowerKey(key []byte) bool {
	for _, c := range key {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// scanner walks a JSON text known to be valid (httpapi.CheckJSON).
type scanner struct {
	b []byte
	i int
	// str's last token was a string with escapes (its bytes are not its
	// value, but it is a string).
	escaped bool
}

func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// peek returns the next byte after space, 0 at the end.
func (s *scanner) peek() byte {
	s.space()
	if s.i >= len(s.b) {
		return 0
	}
	return s.b[s.i]
}

// next consumes c if it comes next.
func (s *scanner) next(c byte) bool {
	if s.peek() != c {
		return false
	}
	s.i++
	return true
}

// after consumes and returns the byte after a member or an element: ','
// or close (anything else, 0).
func (s *scanner) after(close byte) byte {
	c := s.peek()
	if c == ',' || c == close {
		s.i++
		return c
	}
	return 0
}

// end reports whether nothing but space is left.
func (s *scanner) end() bool { return s.peek() == 0 && s.i == len(s.b) }

// str reads a string and returns its bytes between the quotes, with plain
// true when it has no escape (the bytes are then its value). A value that
// is not a string is left unread (plain false, wasString false).
func (s *scanner) str() (raw []byte, plain bool) {
	s.escaped = false
	if s.peek() != '"' {
		return nil, false
	}
	start := s.i + 1
	for i := start; i < len(s.b); i++ {
		switch s.b[i] {
		case '\\':
			s.escaped = true
			i++ // the escaped byte (a \u's hex digits need no care)
		case '"':
			s.i = i + 1
			return s.b[start:i], !s.escaped
		}
	}
	s.i = len(s.b)
	return nil, false
}

// wasString reports whether str's last call read a string with escapes.
func (s *scanner) wasString() bool { return s.escaped }

// boolean reads true or false.
func (s *scanner) boolean() (v, ok bool) {
	switch s.peek() {
	case 't':
		s.i += len("true")
		return true, true
	case 'f':
		s.i += len("false")
		return false, true
	}
	return false, false
}

// number returns the text of a number, nil if the value is not one.
func (s *scanner) number() []byte {
	if c := s.peek(); c != '-' && (c < '0' || c > '9') {
		return nil
	}
	start := s.i
	for s.i < len(s.b) {
		switch c := s.b[s.i]; {
		case c >= '0' && c <= '9', c == '-', c == '+', c == '.', c == 'e', c == 'E':
			s.i++
		default:
			return s.b[start:s.i]
		}
	}
	return s.b[start:s.i]
}

// skip skips one value.
func (s *scanner) skip() {
	depth := 0
	for {
		switch s.peek() {
		case '"':
			s.str()
		case '{', '[':
			depth++
			s.i++
			continue
		case '}', ']':
			depth--
			s.i++
		case ',', ':':
			s.i++
			continue
		case 0:
			return
		default: // a number or a literal
			for s.i < len(s.b) && !isDelim(s.b[s.i]) {
				s.i++
			}
		}
		if depth <= 0 {
			return
		}
	}
}

func isDelim(c byte) bool {
	switch c {
	case ',', ':', '}', ']', ' ', '\t', '\n', '\r':
		return true
	}
	return false
}
