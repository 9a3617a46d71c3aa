package msgpack

import (
	"reflect"
	"strings"
	"sync"
)

// field is one key of a struct's map form.
type field struct {
	name      string
	index     []int  // path through embedded structs, for fieldByIndex
	key       []byte // the name, already encoded as a str
	omitEmpty bool
	omitZero  bool
	tagged    bool
}

// fieldCache memoizes the fields of each struct type. It holds only facts
// derived from types, never configuration, so sharing it between encoders
// is safe and is what keeps encoding a struct cheap after the first time.
var fieldCache sync.Map // reflect.Type -> []field

func cachedFields(t reflect.Type) []field {
	if f, ok := fieldCache.Load(t); ok {
		return f.([]field)
	}
	f, _ := fieldCache.LoadOrStore(t, typeFields(t))
	return f.([]field)
}

// typeFields lists the keys of struct type t as encoding/json would: fields
// named by their json tag or Go name, exported ones only, "-" skipped,
// embedded structs without a tag name flattened. Where several fields claim
// one name, the least nested wins; among equally nested ones a single tagged
// field wins; otherwise they cancel out. Fields come in declaration order,
// embedded fields in place of their struct.
func typeFields(t reflect.Type) []field {
	var all []field
	collectFields(t, nil, map[reflect.Type]bool{t: true}, &all)

	// Pick the dominant field for each name.
	byName := make(map[string][]int, len(all))
	for i, f := range all {
		byName[f.name] = append(byName[f.name], i)
	}
	keep := make([]bool, len(all))
	for _, idx := range byName {
		if i, ok := dominant(all, idx); ok {
			keep[i] = true
		}
	}
	out := make([]field, 0, len(all))
	for i, f := range all {
		if keep[i] {
			e := encoder{}
			_ = e.string(f.name) // never fails: a Go field name is far below 4 GiB
			f.key = e.buf
			out = append(out, f)
		}
	}
	return out
}

// dominant picks among the fields at idx (all of one name) the one that
// encoding/json would keep.
func dominant(all []field, idx []int) (int, bool) {
	depth := len(all[idx[0]].index)
	for _, i := range idx[1:] {
		depth = min(depth, len(all[i].index))
	}
	winner, count, tagged := -1, 0, 0
	for _, i := range idx {
		if len(all[i].index) != depth {
			continue
		}
		count++
		if all[i].tagged {
			tagged++
			winner = i
		}
	}
	switch {
	case tagged == 1:
		return winner, true
	case tagged == 0 && count == 1:
		for _, i := range idx {
			if len(all[i].index) == depth {
				return i, true
			}
		}
	}
	return 0, false
}

// collectFields appends the candidate fields of t, whose own index path is
// prefix, descending into embedded structs. onPath holds the struct types
// being expanded, so a type embedding itself (through a pointer) ends the
// descent.
func collectFields(t reflect.Type, prefix []int, onPath map[reflect.Type]bool, all *[]field) {
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		index := append(prefix[:len(prefix):len(prefix)], i)

		if sf.Anonymous && name == "" {
			ft := sf.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				// Embedded struct, exported or not: its exported fields
				// are promoted.
				if !onPath[ft] {
					onPath[ft] = true
					collectFields(ft, index, onPath, all)
					delete(onPath, ft)
				}
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		f := field{name: name, index: index, tagged: name != ""}
		if name == "" {
			f.name = sf.Name
		}
		for opt := range strings.SplitSeq(opts, ",") {
			switch opt {
			case "omitempty":
				f.omitEmpty = true
			case "omitzero":
				f.omitZero = true
			}
		}
		*all = append(*all, f)
	}
}

// fieldByIndex follows index from the struct v, reporting false when an
// embedded pointer on the way is nil (its fields are then absent).
func fieldByIndex(v reflect.Value, index []int) (reflect.Value, bool) {
	for n, i := range index {
		if n > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(i)
	}
	return v, true
}

type isZeroer interface{ IsZero() bool }

var isZeroerType = reflect.TypeFor[isZeroer]()

// omitted reports whether f's value v is left out under its tag options.
func (f *field) omitted(v reflect.Value) bool {
	if f.omitEmpty && isEmpty(v) {
		return true
	}
	if f.omitZero {
		if v.Type().Implements(isZeroerType) {
			if (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) && v.IsNil() {
				return true
			}
			return v.Interface().(isZeroer).IsZero()
		}
		if v.CanAddr() && reflect.PointerTo(v.Type()).Implements(isZeroerType) {
			return v.Addr().Interface().(isZeroer).IsZero()
		}
		return v.IsZero()
	}
	return false
}

// isEmpty is encoding/json's notion of empty for omitempty: false, 0, a nil
// pointer or interface, and an array, slice, map or string of length zero.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64,
		reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// structValue writes v as a map of its fields. Omitted fields are counted
// first so the map header is the smallest that fits.
func (e *encoder) structValue(v reflect.Value) error {
	fields := cachedFields(v.Type())
	n := 0
	for i := range fields {
		f := &fields[i]
		fv, ok := fieldByIndex(v, f.index)
		if ok && !f.omitted(fv) {
			n++
		}
	}
	if err := e.enter(); err != nil {
		return err
	}
	if err := e.mapHeader(n); err != nil {
		return err
	}
	for i := range fields {
		f := &fields[i]
		fv, ok := fieldByIndex(v, f.index)
		if !ok || f.omitted(fv) {
			continue
		}
		e.buf = append(e.buf, f.key...)
		if err := e.reflect(fv); err != nil {
			return err
		}
	}
	e.depth--
	return nil
}
