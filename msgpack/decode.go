package msgpack

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"
	"unicode/utf8"

	"nodetool/lang/pyval"
)

// Default decoding limits.
const (
	DefaultMaxDepth = 256
	DefaultMaxItems = 1 << 20

	// maxDepthCeiling caps MaxDepth so the decoder's recursion stays well
	// inside the goroutine stack whatever the caller asks for.
	maxDepthCeiling = 10000
)

// DecodeLimits bound what one decode may build. Zero or negative fields take
// the defaults. Every declared length is checked against the bytes
// remaining before anything is allocated, and every allocation is charged
// to a memory budget first.
type DecodeLimits struct {
	// MaxDepth is the deepest nesting of arrays and maps accepted; a
	// top-level array is depth 1. Default 256; values above 10000 count as
	// 10000.
	MaxDepth int
	// MaxItems is the most values one decode may produce, counting the
	// top-level value, every array element, and every map key and value.
	// Default 1<<20. Memory use grows with it: an empty map costs about a
	// hundred bytes, so callers taking large frames should keep it near the
	// frame size.
	MaxItems int
	// MaxBytes is the memory the decoded value may take, counted as it is
	// built (arrays, maps and their entries, strings, bytes, boxed numbers
	// and times). Default pyval.CostFactor (10) times the input's length
	// plus pyval.CostFloor (64 KiB), as for JSON. MessagePack is denser than
	// JSON (a small int is one byte, but a 16-byte element of an array), so
	// arrays of many tiny values reach the budget first.
	MaxBytes int64
	// RawPath, when set, names a value by the map keys that lead to it
	// from the top-level map (for example "data", "graph"): that value,
	// unless it is nil or an ext, is not decoded but returned as Raw, a
	// copy of its encoding, whose extent is checked within MaxDepth and
	// MaxItems (its contents are checked when it is decoded). A caller that can often do without decoding a
	// large part of a message (the editor's run_job graph, mostly the
	// same as the last one: jobs compares its bytes) saves building it.
	RawPath []string
}

// Raw is the encoding of one MessagePack value, left undecoded (see
// DecodeLimits.RawPath).
type Raw []byte

// Unmarshal decodes the single MessagePack value in data with the default
// limits. See the package documentation for the types it produces.
func Unmarshal(data []byte) (any, error) {
	return UnmarshalLimits(data, DecodeLimits{})
}

// UnmarshalLimits decodes the single MessagePack value in data within l.
// Input that is truncated, malformed, over a limit, or followed by trailing
// bytes is an error naming the problem and its byte offset; the returned
// value is then nil. The result shares no memory with data.
func UnmarshalLimits(data []byte, l DecodeLimits) (any, error) {
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	l.MaxDepth = min(l.MaxDepth, maxDepthCeiling)
	if l.MaxItems <= 0 {
		l.MaxItems = DefaultMaxItems
	}
	if l.MaxBytes <= 0 {
		l.MaxBytes = pyval.CostFactor*int64(len(data)) + pyval.CostFloor
	}
	d := decoder{data: data, maxDepth: l.MaxDepth, maxItems: l.MaxItems, items: l.MaxItems - 1,
		maxBytes: l.MaxBytes, budget: l.MaxBytes, raw: l.RawPath}
	if len(data) == 0 {
		return nil, fmt.Errorf("msgpack: empty input")
	}
	v, err := d.value()
	if err != nil {
		return nil, err
	}
	if rest := len(data) - d.off; rest > 0 {
		return nil, fmt.Errorf("msgpack: %d trailing bytes after the value at offset %d", rest, d.off)
	}
	if v == absent {
		v = nil
	}
	return v, nil
}

type decoder struct {
	data     []byte
	off      int
	depth    int
	maxDepth int
	maxItems int
	items    int // values that may still be produced
	maxBytes int64
	budget   int64 // bytes that may still be allocated
	// raw is DecodeLimits.RawPath; matched is how many of its keys lead
	// to the map being decoded (the map is on the path when matched is
	// its depth less one).
	raw     []string
	matched int
}

// spend charges n bytes to the memory budget before they are allocated;
// start is the offset of the value they are for.
func (d *decoder) spend(n int64, start int) error {
	d.budget -= n
	if d.budget < 0 {
		return fmt.Errorf("msgpack: the value at offset %d takes the decoded data over the memory limit of %d bytes (%d times the input's size plus %d KiB)",
			start, d.maxBytes, pyval.CostFactor, pyval.CostFloor>>10)
	}
	return nil
}

// allocSize is about what the Go allocator takes for an n-byte object.
func allocSize(n int64) int64 {
	switch {
	case n <= 0:
		return 0
	case n <= 32:
		return (n + 7) &^ 7
	case n <= 128:
		return (n + 15) &^ 15
	case n <= 32<<10:
		return n + n/8
	}
	return (n + 8191) &^ 8191
}

// boxed charges an int64 or float64 stored in an interface: 8 bytes, but
// nothing for 0..255, which the runtime boxes without allocating.
func (d *decoder) boxed(v any, start int) (any, error) {
	if i, ok := v.(int64); ok && i >= 0 && i < 256 {
		return v, nil
	}
	if err := d.spend(8, start); err != nil {
		return nil, err
	}
	return v, nil
}

// emptyArray is the value of every empty array: one boxed []any{} shared
// by all (an interface's slice header cannot be changed, and appending to
// it makes a new array).
var emptyArray any = []any{}

// formatName names the format family member that starts with byte b, for
// error messages.
func formatName(b byte) string {
	switch {
	case b <= 0x7f:
		return "positive fixint"
	case b <= 0x8f:
		return "fixmap"
	case b <= 0x9f:
		return "fixarray"
	case b <= 0xbf:
		return "fixstr"
	case b >= 0xe0:
		return "negative fixint"
	}
	return [...]string{
		"nil", "reserved byte 0xc1", "false", "true", "bin8", "bin16", "bin32",
		"ext8", "ext16", "ext32", "float32", "float64",
		"uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64",
		"fixext1", "fixext2", "fixext4", "fixext8", "fixext16",
		"str8", "str16", "str32", "array16", "array32", "map16", "map32",
	}[b-0xc0]
}

// kindName names the type of the value that starts with byte b, for the
// error about a map key that is not a string.
func kindName(b byte) string {
	switch {
	case b <= 0x7f, b >= 0xe0, b >= 0xcc && b <= 0xd3:
		return "an int"
	case b <= 0x8f, b == 0xde, b == 0xdf:
		return "a map"
	case b <= 0x9f, b == 0xdc, b == 0xdd:
		return "an array"
	case b == 0xc0:
		return "nil"
	case b == 0xc2, b == 0xc3:
		return "a bool"
	case b == 0xca, b == 0xcb:
		return "a float"
	case b >= 0xc7 && b <= 0xc9, b >= 0xd4 && b <= 0xd8:
		return "an ext"
	}
	return formatName(b)
}

// take returns the next n bytes of the value that started at start with
// format byte b, or an error if fewer remain.
func (d *decoder) take(n int64, b byte, start int) ([]byte, error) {
	if n > int64(len(d.data)-d.off) {
		return nil, fmt.Errorf("msgpack: truncated %s at offset %d", formatName(b), start)
	}
	p := d.data[d.off : d.off+int(n)]
	d.off += int(n)
	return p, nil
}

// length reads the size field of width bytes (1, 2 or 4) that follows the
// format byte b of the value at start.
func (d *decoder) length(width int64, b byte, start int) (int64, error) {
	p, err := d.take(width, b, start)
	if err != nil {
		return 0, err
	}
	switch width {
	case 1:
		return int64(p[0]), nil
	case 2:
		return int64(binary.BigEndian.Uint16(p)), nil
	}
	return int64(binary.BigEndian.Uint32(p)), nil
}

// sizeWidth is the width of the size field after format byte b of the str,
// bin, ext, array and map families (0 for the fix forms).
func sizeWidth(b byte) int64 {
	switch b {
	case 0xc4, 0xc7, 0xd9:
		return 1
	case 0xc5, 0xc8, 0xda, 0xdc, 0xde:
		return 2
	case 0xc6, 0xc9, 0xdb, 0xdd, 0xdf:
		return 4
	}
	return 0
}

func (d *decoder) value() (any, error) {
	start := d.off
	if start >= len(d.data) {
		return nil, fmt.Errorf("msgpack: truncated input at offset %d", start)
	}
	b := d.data[start]
	d.off++
	switch {
	case b <= 0x7f:
		return int64(b), nil
	case b >= 0xe0:
		return d.boxed(int64(int8(b)), start)
	case b <= 0x8f:
		return d.mapValue(int64(b&0x0f), b, start)
	case b <= 0x9f:
		return d.array(int64(b&0x0f), b, start)
	case b <= 0xbf:
		return d.str(int64(b&0x1f), b, start)
	}
	switch b {
	case 0xc0:
		return nil, nil
	case 0xc1:
		return nil, fmt.Errorf("msgpack: reserved byte 0xc1 at offset %d", start)
	case 0xc2:
		return false, nil
	case 0xc3:
		return true, nil
	case 0xc4, 0xc5, 0xc6:
		n, err := d.length(sizeWidth(b), b, start)
		if err != nil {
			return nil, err
		}
		p, err := d.take(n, b, start)
		if err != nil {
			return nil, d.short(b, start, n, "bytes")
		}
		if err := d.spend(allocSize(n)+24, start); err != nil {
			return nil, err
		}
		return append([]byte{}, p...), nil
	case 0xca:
		p, err := d.take(4, b, start)
		if err != nil {
			return nil, err
		}
		return d.boxed(float64(math.Float32frombits(binary.BigEndian.Uint32(p))), start)
	case 0xcb:
		p, err := d.take(8, b, start)
		if err != nil {
			return nil, err
		}
		return d.boxed(math.Float64frombits(binary.BigEndian.Uint64(p)), start)
	case 0xcc, 0xcd, 0xce, 0xcf:
		p, err := d.take(1<<(b-0xcc), b, start)
		if err != nil {
			return nil, err
		}
		u := beUint(p)
		if u > math.MaxInt64 {
			return d.boxed(float64(u), start)
		}
		return d.boxed(int64(u), start)
	case 0xd0:
		p, err := d.take(1, b, start)
		if err != nil {
			return nil, err
		}
		return d.boxed(int64(int8(p[0])), start)
	case 0xd1:
		p, err := d.take(2, b, start)
		if err != nil {
			return nil, err
		}
		return d.boxed(int64(int16(binary.BigEndian.Uint16(p))), start)
	case 0xd2:
		p, err := d.take(4, b, start)
		if err != nil {
			return nil, err
		}
		return d.boxed(int64(int32(binary.BigEndian.Uint32(p))), start)
	case 0xd3:
		p, err := d.take(8, b, start)
		if err != nil {
			return nil, err
		}
		return d.boxed(int64(binary.BigEndian.Uint64(p)), start)
	case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8:
		return d.ext(1<<(b-0xd4), b, start)
	case 0xc7, 0xc8, 0xc9:
		n, err := d.length(sizeWidth(b), b, start)
		if err != nil {
			return nil, err
		}
		return d.ext(n, b, start)
	case 0xd9, 0xda, 0xdb:
		n, err := d.length(sizeWidth(b), b, start)
		if err != nil {
			return nil, err
		}
		return d.str(n, b, start)
	case 0xdc, 0xdd:
		n, err := d.length(sizeWidth(b), b, start)
		if err != nil {
			return nil, err
		}
		return d.array(n, b, start)
	default: // 0xde, 0xdf
		n, err := d.length(sizeWidth(b), b, start)
		if err != nil {
			return nil, err
		}
		return d.mapValue(n, b, start)
	}
}

func beUint(p []byte) uint64 {
	var u uint64
	for _, c := range p {
		u = u<<8 | uint64(c)
	}
	return u
}

// short reports a declared length that the remaining input cannot hold.
func (d *decoder) short(b byte, start int, n int64, unit string) error {
	return fmt.Errorf("msgpack: truncated %s at offset %d: %d %s declared, %d bytes remain",
		formatName(b), start, n, unit, len(d.data)-d.off)
}

func (d *decoder) str(n int64, b byte, start int) (any, error) {
	p, err := d.take(n, b, start)
	if err != nil {
		return nil, d.short(b, start, n, "bytes")
	}
	if !utf8.Valid(p) {
		return nil, fmt.Errorf("msgpack: %s at offset %d is not valid UTF-8", formatName(b), start)
	}
	if n == 0 {
		return "", nil // boxing "" allocates nothing
	}
	if err := d.spend(allocSize(n)+16, start); err != nil {
		return nil, err
	}
	return string(p), nil
}

// reserve checks a container's declared count against the bytes remaining
// (perItem bytes at least per element) and the item budget, before the
// container is allocated, and enters one level of nesting.
func (d *decoder) reserve(n, perItem int64, b byte, start int) error {
	unit := "items"
	if perItem == 2 {
		unit = "entries"
	}
	if n > int64(len(d.data)-d.off)/perItem {
		return d.short(b, start, n, unit)
	}
	if n*perItem > int64(d.items) {
		return fmt.Errorf("msgpack: %s at offset %d has %d %s, over the limit of %d values per decode",
			formatName(b), start, n, unit, d.maxItems)
	}
	d.items -= int(n * perItem)
	d.depth++
	if d.depth > d.maxDepth {
		return fmt.Errorf("msgpack: %s at offset %d nests deeper than %d levels", formatName(b), start, d.maxDepth)
	}
	return nil
}

func (d *decoder) array(n int64, b byte, start int) (any, error) {
	if err := d.reserve(n, 1, b, start); err != nil {
		return nil, err
	}
	if n == 0 {
		d.depth--
		return emptyArray, nil
	}
	if err := d.spend(allocSize(16*n)+24, start); err != nil {
		return nil, err
	}
	out := make([]any, n)
	for i := range out {
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		if v == absent {
			v = nil
		}
		out[i] = v
	}
	d.depth--
	return out, nil
}

func (d *decoder) mapValue(n int64, b byte, start int) (any, error) {
	if err := d.reserve(n, 2, b, start); err != nil {
		return nil, err
	}
	if err := d.spend(pyval.DictCost(int(n)), start); err != nil {
		return nil, err
	}
	m := pyval.NewDict(int(n))
	for range n {
		k, err := d.key()
		if err != nil {
			return nil, err
		}
		var v any
		switch {
		case d.matched != d.depth-1 || d.matched >= len(d.raw) || k != d.raw[d.matched]:
			v, err = d.value()
		case d.depth == len(d.raw):
			v, err = d.rawValue()
		default:
			d.matched++
			v, err = d.value()
			d.matched--
		}
		if err != nil {
			return nil, err
		}
		if v == absent {
			continue // an undefined value: the key is absent
		}
		m.Set(k, v)
	}
	d.depth--
	return m, nil
}

// rawValue returns the next value's encoding as Raw (see
// DecodeLimits.RawPath), copied once its extent is known.
func (d *decoder) rawValue() (any, error) {
	start := d.off
	if start < len(d.data) {
		if b := d.data[start]; b == 0xc0 || b >= 0xd4 && b <= 0xd8 || b >= 0xc7 && b <= 0xc9 {
			// nil stays nil; an ext is decoded (msgpackr's undefined
			// leaves the key absent, as without RawPath).
			return d.value()
		}
	}
	if err := d.skip(); err != nil {
		return nil, err
	}
	n := int64(d.off - start)
	if err := d.spend(allocSize(n)+24, start); err != nil {
		return nil, err
	}
	return Raw(append([]byte(nil), d.data[start:d.off]...)), nil
}

// skip moves past the next value, checking that its declared lengths fit
// the input and that it stays within the depth and item limits; what it
// holds (UTF-8, ext types, keys) is checked when it is decoded.
func (d *decoder) skip() error {
	start := d.off
	if start >= len(d.data) {
		return fmt.Errorf("msgpack: truncated input at offset %d", start)
	}
	b := d.data[start]
	d.off++
	var n, per int64 // a container's count, and values per entry
	switch {
	case b <= 0x7f, b >= 0xe0, b == 0xc0, b == 0xc2, b == 0xc3:
		return nil
	case b <= 0x8f:
		n, per = int64(b&0x0f), 2
	case b <= 0x9f:
		n, per = int64(b&0x0f), 1
	case b <= 0xbf:
		_, err := d.take(int64(b&0x1f), b, start)
		return err
	case b == 0xc1:
		return fmt.Errorf("msgpack: reserved byte 0xc1 at offset %d", start)
	case b == 0xca, b == 0xcb, b >= 0xcc && b <= 0xd3:
		var size int64
		switch {
		case b == 0xca:
			size = 4
		case b == 0xcb:
			size = 8
		case b <= 0xcf:
			size = 1 << (b - 0xcc)
		default:
			size = 1 << (b - 0xd0)
		}
		_, err := d.take(size, b, start)
		return err
	case b >= 0xd4 && b <= 0xd8:
		_, err := d.take(1+1<<(b-0xd4), b, start)
		return err
	case b == 0xc4, b == 0xc5, b == 0xc6, b == 0xd9, b == 0xda, b == 0xdb, b == 0xc7, b == 0xc8, b == 0xc9:
		size, err := d.length(sizeWidth(b), b, start)
		if err != nil {
			return err
		}
		if b >= 0xc7 && b <= 0xc9 {
			size++ // the ext's type byte
		}
		_, err = d.take(size, b, start)
		return err
	default: // 0xdc, 0xdd arrays, 0xde, 0xdf maps
		var err error
		if n, err = d.length(sizeWidth(b), b, start); err != nil {
			return err
		}
		per = 1
		if b >= 0xde {
			per = 2
		}
	}
	if err := d.reserve(n, per, b, start); err != nil {
		return err
	}
	for range n * per {
		if err := d.skip(); err != nil {
			return err
		}
	}
	d.depth--
	return nil
}

// key reads a map key, which must be a str or a bin holding UTF-8.
func (d *decoder) key() (string, error) {
	start := d.off
	if start >= len(d.data) {
		return "", fmt.Errorf("msgpack: truncated input at offset %d", start)
	}
	b := d.data[start]
	var n int64
	switch {
	case b >= 0xa0 && b <= 0xbf:
		d.off++
		n = int64(b & 0x1f)
	case b == 0xd9, b == 0xda, b == 0xdb, b == 0xc4, b == 0xc5, b == 0xc6:
		d.off++
		var err error
		if n, err = d.length(sizeWidth(b), b, start); err != nil {
			return "", err
		}
	default:
		return "", fmt.Errorf("msgpack: map key at offset %d is %s, keys must be strings", start, kindName(b))
	}
	p, err := d.take(n, b, start)
	if err != nil {
		return "", d.short(b, start, n, "bytes")
	}
	if !utf8.Valid(p) {
		return "", fmt.Errorf("msgpack: map key at offset %d is not valid UTF-8", start)
	}
	if err := d.spend(allocSize(n), start); err != nil {
		return "", err
	}
	if k, ok := commonKeys[string(p)]; ok {
		return k, nil // no copy (the lookup does not allocate)
	}
	return string(p), nil
}

// commonKeys are the keys of NodeTool's messages and graphs, which every
// message repeats (a graph's nodes and edges each have most of them): a
// key found here is not copied out of the message.
var commonKeys = func() map[string]string {
	m := map[string]string{}
	for _, k := range []string{
		"command", "data", "type", "job_id", "workflow_id", "graph", "params", "user_id", "auth_token",
		"nodes", "edges", "id", "parent_id", "ui_properties", "dynamic_properties", "dynamic_outputs",
		"sync_mode", "position", "x", "y", "width", "height", "selected", "zIndex", "title", "color",
		"source", "sourceHandle", "target", "targetHandle", "edge_type", "explicit_types",
		"resource_limits", "execution_strategy", "messages", "role", "content", "thread_id", "model",
		"provider", "name", "value", "text", "status", "node_id", "message", "bypassed", "collapsed",
	} {
		m[k] = k
	}
	return m
}()

// absent is what an ext of type 0 decodes to inside the decoder: msgpackr
// (the current NodeTool client's encoder) writes JavaScript's undefined as
// fixext 1 of type 0 ("d4 00 00"). A map entry holding it is left out, as
// JavaScript drops an undefined property; an array element or a top-level
// value holding it is nil.
var absent = &struct{ byte }{}

// ext reads an extension value of n data bytes whose header (without the
// type byte) has been read. The timestamp (type -1) and msgpackr's
// undefined (type 0, any length, see absent) are supported.
func (d *decoder) ext(n int64, b byte, start int) (any, error) {
	tp, err := d.take(1, b, start)
	if err != nil {
		return nil, err
	}
	typ := int8(tp[0])
	p, err := d.take(n, b, start)
	if err != nil {
		return nil, d.short(b, start, n, "bytes")
	}
	if typ == 0 {
		return absent, nil
	}
	if typ != -1 {
		return nil, fmt.Errorf("msgpack: unsupported ext type %d at offset %d", typ, start)
	}
	var sec int64
	var nsec uint32
	switch n {
	case 4:
		sec = int64(binary.BigEndian.Uint32(p))
	case 8:
		data64 := binary.BigEndian.Uint64(p)
		nsec, sec = uint32(data64>>34), int64(data64&(1<<34-1))
	case 12:
		nsec, sec = binary.BigEndian.Uint32(p), int64(binary.BigEndian.Uint64(p[4:]))
	default:
		return nil, fmt.Errorf("msgpack: timestamp at offset %d has %d bytes, want 4, 8 or 12", start, n)
	}
	if nsec > 999999999 {
		return nil, fmt.Errorf("msgpack: timestamp at offset %d has %d nanoseconds, more than 999999999", start, nsec)
	}
	if err := d.spend(24, start); err != nil {
		return nil, err
	}
	return time.Unix(sec, int64(nsec)).UTC(), nil
}
