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
	"encoding/json"
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

// Delete removes k if present.
func (d *Dict) Delete(k string) {
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

// MarshalJSON writes the dict as a JSON object in key order.
func (d *Dict) MarshalJSON() ([]byte, error) {
	if d == nil {
		return []byte("null"), nil
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range d.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteByte(':')
		vb, err := json.Marshal(d.m[k])
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads a JSON object, keeping key order and the int/float
// distinction of its values.
func (d *Dict) UnmarshalJSON(data []byte) error {
	v, err := Decode(data)
	if err != nil {
		return err
	}
	nd, ok := v.(*Dict)
	if !ok {
		return &json.UnmarshalTypeError{Value: "non-object", Type: nil}
	}
	*d = *nd
	return nil
}
