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
	"hash/maphash"
	"math"
	"reflect"
)

// Dict is an insertion-ordered map with string keys. The zero value is not
// usable; call NewDict. A Dict is not safe for concurrent mutation; the engine
// copies values before a node may change them. Concurrent reads are safe.
//
// Entries are kept in one slice, in order. Small dicts (most of them) are
// searched linearly; above linearMax keys a hash index of entry positions
// is kept beside them. This costs 32 bytes per entry and 32 for the dict,
// a fraction of a Go map's, which matters because request bodies become
// dicts (see Decode's memory budget).
type Dict struct {
	entries []entry
	index   *dictIndex // nil while len(entries) <= linearMax
}

type entry struct {
	k string
	v any
}

// linearMax is the most keys a dict searches without an index.
const linearMax = 8

// NewDict returns an empty dict with room for n keys.
func NewDict(n int) *Dict {
	d := &Dict{}
	if n > 0 {
		d.entries = make([]entry, 0, n)
	}
	return d
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
	return len(d.entries)
}

// find returns the position of k, or -1.
func (d *Dict) find(k string) int {
	if d.index != nil {
		return d.index.find(d.entries, k)
	}
	for i := range d.entries {
		if d.entries[i].k == k {
			return i
		}
	}
	return -1
}

// Get returns the value stored under k.
func (d *Dict) Get(k string) (any, bool) {
	if d == nil {
		return nil, false
	}
	if i := d.find(k); i >= 0 {
		return d.entries[i].v, true
	}
	return nil, false
}

// Has reports whether k is present.
func (d *Dict) Has(k string) bool {
	_, ok := d.Get(k)
	return ok
}

// Set stores v under k. A new key goes to the end; an existing key keeps its
// position, as in Python.
func (d *Dict) Set(k string, v any) {
	if i := d.find(k); i >= 0 {
		d.entries[i].v = v
		return
	}
	d.entries = append(d.entries, entry{k, v})
	switch {
	case d.index != nil:
		d.index.add(d.entries, len(d.entries)-1)
	case len(d.entries) > linearMax:
		d.index = newDictIndex(d.entries, max(2*len(d.entries), cap(d.entries)))
	}
}

// Delete removes k if present. A nil dict has no keys, as Get and Len
// already treat it, so deleting from one does nothing.
func (d *Dict) Delete(k string) {
	if d == nil {
		return
	}
	i := d.find(k)
	if i < 0 {
		return
	}
	// A new array, so a Range in progress goes on over the old one.
	d.entries = append(d.entries[:i:i], d.entries[i+1:]...)
	d.index = nil
	if len(d.entries) > linearMax {
		d.index = newDictIndex(d.entries, len(d.entries))
	}
}

// Keys returns the keys in insertion order, in a new slice.
func (d *Dict) Keys() []string {
	if d == nil || len(d.entries) == 0 {
		return nil
	}
	keys := make([]string, len(d.entries))
	for i := range d.entries {
		keys[i] = d.entries[i].k
	}
	return keys
}

// At returns the i-th entry in insertion order, 0 <= i < Len().
func (d *Dict) At(i int) (string, any) {
	e := &d.entries[i]
	return e.k, e.v
}

// Range calls f for each entry in order until f returns false.
func (d *Dict) Range(f func(k string, v any) bool) {
	if d == nil {
		return
	}
	for _, e := range d.entries {
		if !f(e.k, e.v) {
			return
		}
	}
}

// Copy returns a shallow copy.
func (d *Dict) Copy() *Dict {
	if d == nil {
		return NewDict(0)
	}
	c := &Dict{}
	if len(d.entries) > 0 {
		c.entries = append(make([]entry, 0, len(d.entries)), d.entries...)
	}
	if d.index != nil {
		c.index = d.index.clone()
	}
	return c
}

// dictIndex maps keys to entry positions: an open-addressing hash table of
// positions plus one (0 marks a free slot), at most half full.
type dictIndex struct {
	slots []int32
}

var hashSeed = maphash.MakeSeed()

// newDictIndex indexes entries, with room for that many keys in all.
func newDictIndex(entries []entry, room int) *dictIndex {
	x := &dictIndex{}
	x.rebuild(entries, room)
	return x
}

func (x *dictIndex) rebuild(entries []entry, room int) {
	x.slots = make([]int32, indexSize(room))
	for i := range entries {
		x.put(entries, i)
	}
}

// indexSize is the number of slots that holds room keys at most half full.
func indexSize(room int) int {
	n := 16
	for n < 2*room {
		n <<= 1
	}
	return n
}

func (x *dictIndex) find(entries []entry, k string) int {
	mask := uint64(len(x.slots) - 1)
	for h := maphash.String(hashSeed, k) & mask; ; h = (h + 1) & mask {
		p := x.slots[h]
		if p == 0 {
			return -1
		}
		if entries[p-1].k == k {
			return int(p - 1)
		}
	}
}

// add indexes entries[i], a new key, growing the table when it would be
// more than half full.
func (x *dictIndex) add(entries []entry, i int) {
	if 2*len(entries) > len(x.slots) {
		x.rebuild(entries, 2*len(entries))
		return
	}
	x.put(entries, i)
}

func (x *dictIndex) put(entries []entry, i int) {
	mask := uint64(len(x.slots) - 1)
	h := maphash.String(hashSeed, entries[i].k) & mask
	for x.slots[h] != 0 {
		h = (h + 1) & mask
	}
	x.slots[h] = int32(i + 1)
}

func (x *dictIndex) clone() *dictIndex {
	return &dictIndex{slots: append([]int32(nil), x.slots...)}
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
		if raw, ok := t.dataBytes(); ok && t.Str("type") != "" {
			t = withDataURI(t, raw)
		}
		b = append(b, '{')
		for i, e := range t.entries {
			k := e.k
			if i > 0 {
				b = append(b, ',')
			}
			kb, err := json.Marshal(k)
			if err != nil {
				return nil, err
			}
			b = append(append(b, kb...), ':')
			if b, err = appendJSON(b, e.v); err != nil {
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

// dataBytes returns the value of "data" when it is raw bytes.
func (d *Dict) dataBytes() ([]byte, bool) {
	v, _ := d.Get("data")
	raw, ok := v.([]byte)
	return raw, ok
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
