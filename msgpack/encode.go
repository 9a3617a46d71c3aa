package msgpack

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"time"

	"nodetool/lang/pyval"
)

// maxEncodeDepth bounds the nesting of containers and pointers Marshal will
// follow, so a cyclic value is an error rather than a stack overflow.
const maxEncodeDepth = 1000

// Marshal returns the MessagePack encoding of v. See the package
// documentation for the supported types and their formats.
func Marshal(v any) ([]byte, error) {
	return AppendMarshal(nil, v)
}

// AppendMarshal appends the MessagePack encoding of v to dst and returns the
// extended slice. On error it returns dst unchanged (its length as given)
// and the error, which names the unsupported type.
func AppendMarshal(dst []byte, v any) ([]byte, error) {
	e := encoder{buf: dst}
	if err := e.value(v); err != nil {
		return dst[:len(dst):len(dst)], err
	}
	return e.buf, nil
}

type encoder struct {
	buf   []byte
	depth int
}

var (
	timeType      = reflect.TypeFor[time.Time]()
	dictType      = reflect.TypeFor[*pyval.Dict]()
	numberType    = reflect.TypeFor[json.Number]()
	marshalerType = reflect.TypeFor[json.Marshaler]()
	ownType       = reflect.TypeFor[Marshaler]()
)

// Marshaler is a type that writes its own MessagePack encoding: one
// complete value, appended to dst. Marshal checks for it before
// json.Marshaler, so a type can carry both forms of the same message.
type Marshaler interface {
	AppendMsgpack(dst []byte) ([]byte, error)
}

// value encodes the common dynamic types directly and leaves the rest to
// reflection.
func (e *encoder) value(v any) error {
	switch t := v.(type) {
	case nil:
		e.buf = append(e.buf, 0xc0)
	case bool:
		e.bool(t)
	case int64:
		e.int(t)
	case int:
		e.int(int64(t))
	case int8:
		e.int(int64(t))
	case int16:
		e.int(int64(t))
	case int32:
		e.int(int64(t))
	case uint:
		e.uint(uint64(t))
	case uint8:
		e.uint(uint64(t))
	case uint16:
		e.uint(uint64(t))
	case uint32:
		e.uint(uint64(t))
	case uint64:
		e.uint(t)
	case float64:
		e.float64(t)
	case float32:
		e.float32(t)
	case string:
		return e.string(t)
	case []byte:
		if t == nil {
			e.buf = append(e.buf, 0xc0)
			return nil
		}
		return e.bin(t)
	case time.Time:
		e.time(t)
	case json.Number:
		return e.number(t)
	case *pyval.Dict:
		return e.dict(t)
	case []any:
		if t == nil {
			e.buf = append(e.buf, 0xc0)
			return nil
		}
		if err := e.enter(); err != nil {
			return err
		}
		if err := e.arrayHeader(len(t)); err != nil {
			return err
		}
		for _, x := range t {
			if err := e.value(x); err != nil {
				return err
			}
		}
		e.depth--
	case map[string]any:
		if t == nil {
			e.buf = append(e.buf, 0xc0)
			return nil
		}
		if err := e.enter(); err != nil {
			return err
		}
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if err := e.mapHeader(len(keys)); err != nil {
			return err
		}
		for _, k := range keys {
			if err := e.string(k); err != nil {
				return err
			}
			if err := e.value(t[k]); err != nil {
				return err
			}
		}
		e.depth--
	default:
		return e.reflect(reflect.ValueOf(v))
	}
	return nil
}

// enter counts one level of nesting; the caller decrements e.depth when it
// leaves the level without error.
func (e *encoder) enter() error {
	e.depth++
	if e.depth > maxEncodeDepth {
		return fmt.Errorf("msgpack: value nested deeper than %d levels (is it cyclic?)", maxEncodeDepth)
	}
	return nil
}

func (e *encoder) reflect(rv reflect.Value) error {
	switch rv.Kind() {
	case reflect.Interface:
		if rv.IsNil() {
			e.buf = append(e.buf, 0xc0)
			return nil
		}
		// The dynamic value is already boxed: hand it to the fast path.
		return e.value(rv.Elem().Interface())
	case reflect.Pointer:
		if rv.IsNil() {
			e.buf = append(e.buf, 0xc0)
			return nil
		}
	}
	t := rv.Type()
	switch t {
	case timeType:
		e.time(rv.Interface().(time.Time))
		return nil
	case dictType:
		return e.dict(rv.Interface().(*pyval.Dict))
	case numberType:
		return e.number(json.Number(rv.String()))
	}
	if t.Implements(ownType) {
		buf, err := rv.Interface().(Marshaler).AppendMsgpack(e.buf)
		if err != nil {
			return fmt.Errorf("msgpack: %s: %w", t, err)
		}
		e.buf = buf
		return nil
	}
	if t.Implements(marshalerType) {
		return e.marshaler(rv.Interface().(json.Marshaler))
	}
	if rv.Kind() != reflect.Pointer && rv.CanAddr() && reflect.PointerTo(t).Implements(marshalerType) {
		return e.marshaler(rv.Addr().Interface().(json.Marshaler))
	}
	switch rv.Kind() {
	case reflect.Bool:
		e.bool(rv.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.int(rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		e.uint(rv.Uint())
	case reflect.Float32:
		e.float32(float32(rv.Float()))
	case reflect.Float64:
		e.float64(rv.Float())
	case reflect.String:
		return e.string(rv.String())
	case reflect.Pointer:
		if err := e.enter(); err != nil {
			return err
		}
		if err := e.reflect(rv.Elem()); err != nil {
			return err
		}
		e.depth--
	case reflect.Slice:
		if rv.IsNil() {
			e.buf = append(e.buf, 0xc0)
			return nil
		}
		if t.Elem().Kind() == reflect.Uint8 {
			return e.bin(rv.Bytes())
		}
		return e.list(rv)
	case reflect.Array:
		return e.list(rv)
	case reflect.Map:
		return e.goMap(rv)
	case reflect.Struct:
		return e.structValue(rv)
	default:
		return fmt.Errorf("msgpack: unsupported type %s", t)
	}
	return nil
}

func (e *encoder) list(rv reflect.Value) error {
	if err := e.enter(); err != nil {
		return err
	}
	n := rv.Len()
	if err := e.arrayHeader(n); err != nil {
		return err
	}
	for i := range n {
		if err := e.reflect(rv.Index(i)); err != nil {
			return err
		}
	}
	e.depth--
	return nil
}

func (e *encoder) goMap(rv reflect.Value) error {
	t := rv.Type()
	if t.Key().Kind() != reflect.String {
		return fmt.Errorf("msgpack: unsupported type %s (map keys must be strings)", t)
	}
	if rv.IsNil() {
		e.buf = append(e.buf, 0xc0)
		return nil
	}
	if err := e.enter(); err != nil {
		return err
	}
	keys := rv.MapKeys()
	slices.SortFunc(keys, func(a, b reflect.Value) int {
		switch as, bs := a.String(), b.String(); {
		case as < bs:
			return -1
		case as > bs:
			return 1
		}
		return 0
	})
	if err := e.mapHeader(len(keys)); err != nil {
		return err
	}
	for _, k := range keys {
		if err := e.string(k.String()); err != nil {
			return err
		}
		if err := e.reflect(rv.MapIndex(k)); err != nil {
			return err
		}
	}
	e.depth--
	return nil
}

func (e *encoder) dict(d *pyval.Dict) error {
	if d == nil {
		e.buf = append(e.buf, 0xc0)
		return nil
	}
	if err := e.enter(); err != nil {
		return err
	}
	if err := e.mapHeader(d.Len()); err != nil {
		return err
	}
	for i := range d.Len() {
		k, v := d.At(i)
		if err := e.string(k); err != nil {
			return err
		}
		if err := e.value(v); err != nil {
			return err
		}
	}
	e.depth--
	return nil
}

// marshaler encodes m through its JSON form, parsed into the engine's value
// model so key order and the int/float distinction survive.
func (e *encoder) marshaler(m json.Marshaler) error {
	data, err := m.MarshalJSON()
	if err != nil {
		return fmt.Errorf("msgpack: MarshalJSON of %T: %w", m, err)
	}
	v, err := pyval.Decode(data)
	if err != nil {
		return fmt.Errorf("msgpack: MarshalJSON of %T: %w", m, err)
	}
	if err := e.enter(); err != nil {
		return err
	}
	if err := e.value(v); err != nil {
		return err
	}
	e.depth--
	return nil
}

func (e *encoder) number(n json.Number) error {
	v, err := pyval.Number(string(n))
	if err != nil {
		return fmt.Errorf("msgpack: json.Number %q: %w", string(n), err)
	}
	return e.value(v)
}
