package pyval

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// MaxDepth bounds the nesting of decoded JSON so hostile input cannot exhaust
// the stack: MaxDepth nested arrays or objects are accepted, one more is an
// error.
const MaxDepth = 512

// Decode parses one JSON document into a value. Objects become *Dict with
// their key order kept; numbers without a fraction or exponent become int64
// when they fit, other numbers float64. Trailing data after the document is an
// error.
func Decode(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("invalid JSON: unexpected data after the top-level value")
	}
	return v, nil
}

// DecodeFrom reads one JSON value from dec, which must have UseNumber set.
func DecodeFrom(dec *json.Decoder) (any, error) {
	return decodeValue(dec, 0)
}

// decodeValue reads the value that starts at the next token; depth is the
// number of containers around it.
func decodeValue(dec *json.Decoder, depth int) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			return nil, errors.New("invalid JSON: unexpected end of input")
		}
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	switch t := tok.(type) {
	case json.Delim:
		// Counted when a container opens, so the limit does not depend on
		// whether the innermost container holds anything.
		if (t == '{' || t == '[') && depth >= MaxDepth {
			return nil, fmt.Errorf("invalid JSON: nesting deeper than %d levels", MaxDepth)
		}
		switch t {
		case '{':
			d := NewDict(4)
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, fmt.Errorf("invalid JSON: %w", err)
				}
				k, ok := kt.(string)
				if !ok {
					return nil, errors.New("invalid JSON: object key is not a string")
				}
				v, err := decodeValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				d.Set(k, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, fmt.Errorf("invalid JSON: %w", err)
			}
			return d, nil
		case '[':
			l := []any{}
			for dec.More() {
				v, err := decodeValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				l = append(l, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, fmt.Errorf("invalid JSON: %w", err)
			}
			return l, nil
		}
		return nil, fmt.Errorf("invalid JSON: unexpected %q", t)
	case json.Number:
		return Number(string(t))
	case string, bool, nil:
		return t, nil
	}
	return nil, fmt.Errorf("invalid JSON: unexpected token %v", tok)
}

// Number converts a JSON number literal to int64 or float64.
func Number(s string) (any, error) {
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i, nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return nil, fmt.Errorf("invalid JSON: number %s out of range", s)
	}
	return f, nil
}

// FromGo converts a value built from ordinary Go types (as produced by
// encoding/json into any, or by code) to the pyval model: maps become *Dict
// with sorted keys, ints become int64, json.Number is parsed. Unknown types
// are returned as their fmt string.
func FromGo(v any) any {
	switch t := v.(type) {
	case nil, bool, int64, float64, string, *Dict:
		return t
	case int:
		return int64(t)
	case int32:
		return int64(t)
	case float32:
		return float64(t)
	case json.Number:
		n, err := Number(string(t))
		if err != nil {
			return string(t)
		}
		return n
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = FromGo(e)
		}
		return out
	case []string:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = e
		}
		return out
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sortStrings(keys)
		d := NewDict(len(keys))
		for _, k := range keys {
			d.Set(k, FromGo(t[k]))
		}
		return d
	}
	return fmt.Sprint(v)
}

// Clone returns a deep copy of v, so a node can change it without the change
// reaching other consumers of the same value.
func Clone(v any) any {
	switch t := v.(type) {
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = Clone(e)
		}
		return out
	case *Dict:
		c := NewDict(t.Len())
		t.Range(func(k string, e any) bool { c.Set(k, Clone(e)); return true })
		return c
	}
	return v
}
