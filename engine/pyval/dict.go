// Package pyval is the value model of the workflow engine: JSON-shaped values
// with the semantics NodeTool's nodes were written against (Python's).
//
// A value is one of nil, bool, int64, float64, string, []any or *Dict. Dicts
// keep insertion order, as Python dicts do, so rendering a value or writing it
// back as JSON gives the keys in the order they were read or set. Integers and
// floats stay distinct (75 renders as "75", 75.0 as "75.0").
package pyval

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math"
	"reflect"
)

// Dict is an insertion-ordered map with string keys. The zero value is not
// usable; call NewDict. A Dict is not safe for concurrent mutation; the engine
// copies values before a node may change them.
type Dict struct {
	keys []string
	m    map[string]any
}

// NewDict returns an empty dict with room for n keys.
func NewDict(n int) *Dict {
	return &Dict{keys: make([]string, 0, n), m: make(map[string]any, n)}
}

// DictOf builds a dict from alternating key, value arguments. It panics on an
// odd count or a non-string key; it is meant for literals in code.
func DictOf(kv ...any) *Dict {
	if len(kv)%2 != 0 {
		panic("pyval.DictOf: odd argument count")
	}
	d := NewDict(len(kv) / 2)
	for i := 0; i < len(kv); i += 2 {
		d.Set(kv[i].(string), kv[i+1])
	}
	return d
}

// Len reports the number of keys.
func (d *Dict) Len() int {
	if d == nil {
		return 0
	}
	return len(d.keys)
}

// Get returns the value stored under k.
func (d *Dict) Get(k string) (any, bool) {
	if d == nil {
		return nil, false
	}
	v, ok := d.m[k]
	return v, ok
}

// Has reports whether k is present.
func (d *Dict) Has(k string) bool {
	_, ok := d.Get(k)
	return ok
}

// Set stores v under k. A new key goes to the end; an existing key keeps its
// position, as in Python.
func (d *Dict) Set(k string, v any) {
	if _, ok := d.m[k]; !ok {
		d.keys = append(d.keys, k)
	}
	d.m[k] = v
}

// Delete removes k if present. A nil dict has no keys, as Get and Len
// already treat it, so deleting from one does nothing.
func (d *Dict) Delete(k string) {
	if d == nil {
		return
	}
	if _, ok := d.m[k]; !ok {
		return
	}
	delete(d.m, k)
	for i, key := range d.keys {
		if key == k {
			d.keys = append(d.keys[:i:i], d.keys[i+1:]...)
			break
		}
	}
}

// Keys returns the keys in insertion order. The caller must not modify the
// returned slice.
func (d *Dict) Keys() []string {
	if d == nil {
		return nil
	}
	return d.keys
}

// Range calls f for each entry in order until f returns false.
func (d *Dict) Range(f func(k string, v any) bool) {
	if d == nil {
		return
	}
	for _, k := range d.keys {
		if !f(k, d.m[k]) {
			return
		}
	}
}

// Copy returns a shallow copy.
func (d *Dict) Copy() *Dict {
	c := NewDict(d.Len())
	d.Range(func(k string, v any) bool { c.Set(k, v); return true })
	return c
}

// Str returns the string stored under k, or "" when it is missing or not a string.
func (d *Dict) Str(k string) string {
	v, _ := d.Get(k)
	s, _ := v.(string)
	return s
}

// MarshalJSON writes the dict as compact JSON with its keys in order.
// Floats keep a decimal point or an exponent (75.0 is written "75.0", not
// "75"), so UnmarshalJSON or Decode reads back the same types: a workflow
// stored and loaded again must not turn its floats into ints. NaN and
// infinities are not JSON and are an error.
func (d *Dict) MarshalJSON() ([]byte, error) {
	if d == nil {
		return []byte("null"), nil
	}
	return appendJSON(nil, d)
}

// appendJSON appends v as compact JSON. Floats, lists and dicts are written
// here, so floats at any depth keep their form; everything else goes to
// encoding/json.
func appendJSON(b []byte, v any) ([]byte, error) {
	switch t := v.(type) {
	case float64:
		if math.IsNaN(t) || math.IsInf(t, 0) {
			return nil, &json.UnsupportedValueError{Value: reflect.ValueOf(t), Str: FormatFloat(t)}
		}
		return append(b, FormatFloat(t)...), nil
	case []any:
		if t == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for i, e := range t {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendJSON(b, e); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case *Dict:
		if t == nil {
			return append(b, "null"...), nil
		}
		if raw, ok := t.m["data"].([]byte); ok && t.Str("type") != "" {
			t = withDataURI(t, raw)
		}
		b = append(b, '{')
		for i, k := range t.keys {
			if i > 0 {
				b = append(b, ',')
			}
			kb, err := json.Marshal(k)
			if err != nil {
				return nil, err
			}
			b = append(append(b, kb...), ':')
			if b, err = appendJSON(b, t.m[k]); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	}
	vb, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, vb...), nil
}

// withDataURI returns a copy of an asset reference whose content is raw
// bytes (which JSON cannot carry) with the bytes moved into a data: URI, as
// NodeTool's clients expect in JSON: uri "data:<mime>;base64,...", data
// null.
func withDataURI(d *Dict, raw []byte) *Dict {
	mime := "application/octet-stream"
	switch d.Str("type") {
	case "image":
		mime = "image/png"
	case "audio":
		mime = "audio/mp3"
	case "video":
		mime = "video/mp4"
	case "text":
		mime = "text/plain"
	}
	c := d.Copy()
	c.Set("uri", "data:"+mime+";base64,"+base64.StdEncoding.EncodeToString(raw))
	c.Set("data", nil)
	return c
}

// UnmarshalJSON reads a JSON object, keeping key order and the int/float
// distinction of its values. JSON null leaves the dict unchanged, as
// encoding/json expects of an Unmarshaler.
func (d *Dict) UnmarshalJSON(data []byte) error {
	if string(bytes.TrimSpace(data)) == "null" {
		return nil
	}
	v, err := Decode(data)
	if err != nil {
		return err
	}
	nd, ok := v.(*Dict)
	if !ok {
		return &json.UnmarshalTypeError{Value: TypeName(v), Type: reflect.TypeFor[Dict]()}
	}
	*d = *nd
	return nil
}
