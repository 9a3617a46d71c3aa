package pyval

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// The default limits of Decode.
const (
	// MaxDepth bounds the nesting of decoded JSON so hostile input cannot
	// exhaust the stack: MaxDepth nested arrays or objects are accepted,
	// one more is an error.
	MaxDepth = 512
	// DefaultMaxItems is the most values one decode produces.
	DefaultMaxItems = 1 << 22
	// CostFactor and CostFloor make the default memory budget of a decode
	// of n bytes: CostFactor*n + CostFloor bytes.
	CostFactor = 10
	CostFloor  = 64 << 10

	// maxDepthCeiling caps Limits.MaxDepth so the decoder's recursion stays
	// well inside the goroutine stack whatever the caller asks for.
	maxDepthCeiling = 10000
)

// Limits bound what one decode may build. Zero or negative fields take the
// defaults.
type Limits struct {
	// MaxDepth is the deepest nesting of arrays and objects accepted; a
	// top-level array is depth 1. Default MaxDepth; at most 10000.
	MaxDepth int
	// MaxItems is the most values one decode may produce: the top-level
	// value, every array element and every object member's value (a
	// repeated key counts each time). Default DefaultMaxItems.
	MaxItems int
	// MaxBytes is the memory the decoded value may take, counted as it is
	// built (lists, dicts and their entries, strings, boxed numbers, and
	// the decoder's own bookkeeping), before each allocation. Default
	// CostFactor times the input's length plus CostFloor.
	MaxBytes int64
}

// LimitKind names the limit a LimitError is about.
type LimitKind uint8

// The limits of a decode.
const (
	LimitDepth  LimitKind = iota + 1 // Limits.MaxDepth
	LimitItems                       // Limits.MaxItems
	LimitMemory                      // Limits.MaxBytes
)

// LimitError is the error of a decode refused for breaking one of its
// Limits. A too-deep document is malformed (a client's error to fix); too
// many values or too much memory mean the document is too large.
type LimitError struct {
	Kind  LimitKind
	Limit int64
}

func (e *LimitError) Error() string {
	switch e.Kind {
	case LimitDepth:
		return fmt.Sprintf("invalid JSON: nesting deeper than %d levels", e.Limit)
	case LimitItems:
		return fmt.Sprintf("JSON too large: more than %d values", e.Limit)
	}
	return fmt.Sprintf("JSON too large: decoding it would take more than %d bytes of memory (the limit is %d times its size plus %d KiB)",
		e.Limit, CostFactor, CostFloor>>10)
}

// Decode parses one JSON document into a value within the default Limits.
// Objects become *Dict with their key order kept (a repeated key keeps its
// first position and its last value); numbers without a fraction or
// exponent become int64 when they fit, other numbers float64. Invalid UTF-8
// and lone surrogates in strings become U+FFFD, as with encoding/json.
// Trailing data after the document is an error.
func Decode(data []byte) (any, error) {
	return DecodeLimits(data, Limits{})
}

// DecodeLimits is Decode within l. Over a limit the error is a
// *LimitError, and nothing beyond the memory budget was allocated.
//
// The input is read twice: a first pass checks the syntax, the depth and
// the number of values, and counts the elements of every array and object;
// the second builds the value with every list and dict allocated at its
// final size, charging each allocation to the budget before making it.
func DecodeLimits(data []byte, l Limits) (any, error) {
	v, _, err := decode(data, l)
	return v, err
}

// Check reports whether data holds one JSON value within l's depth and
// value limits, as DecodeLimits would, without building it (so a number too
// large for a float64, which Decode refuses, passes). The memory it takes (a
// count of the elements of every container) is within l.MaxBytes. Over a
// limit the error is a *LimitError.
func Check(data []byte, l Limits) error {
	_, _, err := run(data, l, false)
	return err
}

// decodeStats are what a decode used of its limits.
type decodeStats struct {
	spent int64 // bytes charged to the budget
	items int   // values counted
	depth int   // the deepest nesting
}

// decode is DecodeLimits, and also returns what the decode used.
func decode(data []byte, l Limits) (any, decodeStats, error) {
	return run(data, l, true)
}

// run checks data within l and, with build, decodes it.
func run(data []byte, l Limits, build bool) (any, decodeStats, error) {
	if l.MaxDepth <= 0 {
		l.MaxDepth = MaxDepth
	}
	l.MaxDepth = min(l.MaxDepth, maxDepthCeiling)
	if l.MaxItems <= 0 {
		l.MaxItems = DefaultMaxItems
	}
	l.MaxItems = min(l.MaxItems, math.MaxInt32)
	if l.MaxBytes <= 0 {
		l.MaxBytes = CostFactor*int64(len(data)) + CostFloor
	}
	d := decoders.Get().(*decoder)
	defer d.release()
	d.data, d.off, d.maxDepth, d.maxItems, d.items = data, 0, l.MaxDepth, l.MaxItems, l.MaxItems
	d.maxBytes, d.budget = l.MaxBytes, l.MaxBytes
	err := d.scanDocument()
	var v any
	if err == nil && build {
		d.off = 0
		v, err = d.value()
	}
	if err != nil {
		v = nil
	}
	return v, decodeStats{spent: d.maxBytes - d.budget, items: d.maxItems - d.items, depth: d.deepest}, err
}

var decoders = sync.Pool{New: func() any { return new(decoder) }}

// decoder holds the state of one decode. Decoders are pooled, with the
// first chunk of counts.
type decoder struct {
	data []byte
	off  int

	maxDepth, maxItems int
	items              int // values that may still be produced
	deepest            int // the deepest nesting seen

	// counts holds the element count of every array and object, in the
	// order they open: written by the first pass, read by the second. It
	// is kept in chunks of countChunk, so it grows without copying.
	counts  [][]int32
	nCounts int // containers counted
	next    int // the next container's index in counts

	maxBytes, budget int64 // the memory budget and what remains of it

	keys  [internSize]string // recent object keys of this decode
	strs  [internSize]any    // recent short string values, boxed
	used  [16]uint8          // the slots filled, while there are few
	nUsed int
}

// internSize is the number of slots in each intern table; strings up to
// internMax bytes are interned, so repeated keys and short values share
// one copy.
const (
	internSize = 256
	internMax  = 32
)

// release returns d to the pool without holding on to the input or a
// large buffer.
func (d *decoder) release() {
	d.data = nil
	// The intern tables start empty, so a decode costs the same whatever
	// came before, and the pool keeps no strings alive.
	if d.nUsed <= len(d.used) {
		for _, h := range d.used[:d.nUsed] {
			d.keys[h], d.strs[h] = "", nil
		}
	} else {
		d.keys, d.strs = [internSize]string{}, [internSize]any{}
	}
	d.nUsed = 0
	if len(d.counts) > 1 {
		d.counts = [][]int32{d.counts[0]}
	}
	d.nCounts, d.next, d.deepest = 0, 0, 0
	decoders.Put(d)
}

// emptyList is the value of every empty JSON array: one boxed []any{}
// shared by all (a slice header in an interface cannot be changed, and
// appending to it makes a new array), so [] costs nothing.
var emptyList any = []any{}

// spend charges n bytes to the budget before they are allocated.
func (d *decoder) spend(n int64) error {
	d.budget -= n
	if d.budget < 0 {
		return &LimitError{Kind: LimitMemory, Limit: d.maxBytes}
	}
	return nil
}

// allocSize is about what the Go allocator takes for an n-byte object
// (its size classes are at most an eighth apart; large objects take whole
// pages).
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

// Costs of the values the decoder builds.
const (
	costBoxed = 8  // an int64 or float64 in an interface
	costStr   = 16 // a string header in an interface
	costSlice = 24 // a []any header in an interface
	costDict  = 32 // a Dict
	costEntry = 32 // one entry of a Dict
	costSlot  = 16 // one element of a []any
)

// First pass.

func (d *decoder) syntax(format string, args ...any) error {
	return fmt.Errorf("invalid JSON: "+format, args...)
}

func (d *decoder) eof() error {
	return errors.New("invalid JSON: unexpected end of input")
}

// unexpected reports the byte at the offset, which is not what was
// expected there.
func (d *decoder) unexpected(want string) error {
	if d.off >= len(d.data) {
		return d.eof()
	}
	return d.syntax("invalid character %s at offset %d, expected %s", quoteByte(d.data[d.off]), d.off, want)
}

func quoteByte(c byte) string {
	switch {
	case c == '\'':
		return `'\''`
	case c == '"':
		return `'"'`
	case c >= 0x20 && c < 0x7f:
		return "'" + string(rune(c)) + "'"
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

func (d *decoder) skipSpace() {
	for d.off < len(d.data) {
		switch d.data[d.off] {
		case ' ', '\t', '\n', '\r':
			d.off++
		default:
			return
		}
	}
}

// scanDocument checks that data holds one JSON value and counts the
// elements of its containers.
func (d *decoder) scanDocument() error {
	d.skipSpace()
	if d.off >= len(d.data) {
		return d.eof()
	}
	if err := d.scanValue(0); err != nil {
		return err
	}
	d.skipSpace()
	if d.off < len(d.data) {
		return errors.New("invalid JSON: unexpected data after the top-level value")
	}
	return nil
}

// scanValue checks the value at the offset (after any space); depth is the
// number of containers around it.
func (d *decoder) scanValue(depth int) error {
	d.skipSpace()
	if d.off >= len(d.data) {
		return d.eof()
	}
	if d.items <= 0 {
		return &LimitError{Kind: LimitItems, Limit: int64(d.maxItems)}
	}
	d.items--
	switch c := d.data[d.off]; c {
	case '{', '[':
		// Counted when a container opens, so the limit does not depend
		// on whether the innermost container holds anything.
		if depth >= d.maxDepth {
			return &LimitError{Kind: LimitDepth, Limit: int64(d.maxDepth)}
		}
		d.deepest = max(d.deepest, depth+1)
		return d.scanContainer(c, depth)
	case '"':
		return d.scanString()
	case 't':
		return d.scanLiteral("true")
	case 'f':
		return d.scanLiteral("false")
	case 'n':
		return d.scanLiteral("null")
	}
	return d.scanNumber()
}

// countChunk is the number of counts in one chunk of decoder.counts.
const countChunk = 1024

// newCount returns the index of a new container's count, which is zero
// until the container closes.
func (d *decoder) newCount() (int, error) {
	i := d.nCounts
	c, j := i/countChunk, i%countChunk
	if j == 0 {
		// A new chunk, and its share of the growing list of chunks
		// (charged even when the pool kept the first, so the cost of a
		// document does not depend on what was decoded before).
		if err := d.spend(4*countChunk + 96); err != nil {
			return 0, err
		}
		if c == len(d.counts) {
			d.counts = append(d.counts, make([]int32, countChunk))
		}
	}
	d.counts[c][j] = 0
	d.nCounts++
	return i, nil
}

// scanContainer checks an object or array and records its element count.
func (d *decoder) scanContainer(open byte, depth int) error {
	close := byte(']')
	if open == '{' {
		close = '}'
	}
	idx, err := d.newCount()
	if err != nil {
		return err
	}
	d.off++
	d.skipSpace()
	if d.off < len(d.data) && d.data[d.off] == close {
		d.off++
		return nil
	}
	n := int32(0)
	for {
		if open == '{' {
			d.skipSpace()
			if d.off >= len(d.data) {
				return d.eof()
			}
			if d.data[d.off] != '"' {
				return d.syntax("object key at offset %d is not a string", d.off)
			}
			if err := d.scanString(); err != nil {
				return err
			}
			d.skipSpace()
			if d.off >= len(d.data) || d.data[d.off] != ':' {
				return d.unexpected("':' after an object key")
			}
			d.off++
		}
		if err := d.scanValue(depth + 1); err != nil {
			return err
		}
		n++
		d.skipSpace()
		if d.off >= len(d.data) {
			return d.eof()
		}
		switch d.data[d.off] {
		case ',':
			d.off++
			continue
		case close:
			d.off++
			d.counts[idx/countChunk][idx%countChunk] = n
			return nil
		}
		if open == '{' {
			return d.unexpected("',' or '}' after an object member")
		}
		return d.unexpected("',' or ']' after an array element")
	}
}

func (d *decoder) scanLiteral(lit string) error {
	if !bytes.HasPrefix(d.data[d.off:], []byte(lit)) {
		for i := range len(lit) {
			if d.off+i >= len(d.data) {
				return d.eof()
			}
			if d.data[d.off+i] != lit[i] {
				d.off += i
				return d.unexpected("the literal " + lit)
			}
		}
	}
	d.off += len(lit)
	return nil
}

// scanNumber checks -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (d *decoder) scanNumber() error {
	if d.data[d.off] == '-' {
		d.off++
	}
	if d.off >= len(d.data) {
		return d.eof()
	}
	switch c := d.data[d.off]; {
	case c == '0':
		d.off++
	case c >= '1' && c <= '9':
		d.skipDigits()
	default:
		return d.unexpected("a value")
	}
	if d.off < len(d.data) && d.data[d.off] == '.' {
		d.off++
		if !d.skipDigits() {
			return d.unexpected("a digit after the decimal point")
		}
	}
	if d.off < len(d.data) && (d.data[d.off] == 'e' || d.data[d.off] == 'E') {
		d.off++
		if d.off < len(d.data) && (d.data[d.off] == '+' || d.data[d.off] == '-') {
			d.off++
		}
		if !d.skipDigits() {
			return d.unexpected("a digit in the exponent")
		}
	}
	return nil
}

// skipDigits skips decimal digits and reports whether there was one.
func (d *decoder) skipDigits() bool {
	start := d.off
	for d.off < len(d.data) && d.data[d.off] >= '0' && d.data[d.off] <= '9' {
		d.off++
	}
	return d.off > start
}

// plain marks the bytes a string may hold as they are: printable ASCII
// but the quote and the backslash.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// scanString checks the string at the offset: no control characters, only
// JSON's escapes. Other bytes, even invalid UTF-8, pass (they become
// U+FFFD).
func (d *decoder) scanString() error {
	start := d.off
	d.off++
	for {
		for d.off < len(d.data) && (plain[d.data[d.off]] || d.data[d.off] >= 0x80) {
			d.off++
		}
		if d.off >= len(d.data) {
			return d.eof()
		}
		switch c := d.data[d.off]; {
		case c == '"':
			d.off++
			return nil
		case c == '\\':
			d.off++
			if d.off >= len(d.data) {
				return d.eof()
			}
			switch d.data[d.off] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				d.off++
			case 'u':
				d.off++
				for range 4 {
					if d.off >= len(d.data) {
						return d.eof()
					}
					if !isHex(d.data[d.off]) {
						return d.unexpected("a hex digit in a \\u escape")
					}
					d.off++
				}
			default:
				return d.syntax("invalid escape %s in the string at offset %d", quoteByte(d.data[d.off]), start)
			}
		default:
			return d.syntax("control character 0x%02x in the string at offset %d", c, start)
		}
	}
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// Second pass: the input is known to be valid.

func (d *decoder) value() (any, error) {
	d.skipSpace()
	switch d.data[d.off] {
	case '{':
		return d.object()
	case '[':
		return d.array()
	case '"':
		return d.stringValue()
	case 't':
		d.off += 4
		return true, nil
	case 'f':
		d.off += 5
		return false, nil
	case 'n':
		d.off += 4
		return nil, nil
	}
	return d.number()
}

// count returns the element count of the container that opens at the
// offset, and steps past its opening bracket.
func (d *decoder) count() int {
	n := int(d.counts[d.next/countChunk][d.next%countChunk])
	d.next++
	d.off++
	return n
}

func (d *decoder) array() (any, error) {
	n := d.count()
	if n == 0 {
		d.skipSpace()
		d.off++ // ]
		return emptyList, nil
	}
	if err := d.spend(allocSize(costSlot*int64(n)) + costSlice); err != nil {
		return nil, err
	}
	l := make([]any, n)
	for i := range l {
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		l[i] = v
		d.skipSpace()
		d.off++ // , or ]
	}
	return l, nil
}

// DictCost is about the memory a dict made with NewDict(n) takes once it
// holds n keys (not counting the keys and values themselves), for decoders
// that keep a memory budget.
func DictCost(n int) int64 {
	cost := int64(costDict) + allocSize(costEntry*int64(n))
	if n > linearMax {
		cost += 8 + allocSize(4*int64(indexSize(n)))
	}
	return cost
}

func (d *decoder) object() (any, error) {
	n := d.count()
	if err := d.spend(DictCost(n)); err != nil {
		return nil, err
	}
	m := &Dict{}
	if n == 0 {
		d.skipSpace()
		d.off++ // }
		return m, nil
	}
	m.entries = make([]entry, 0, n)
	if n > linearMax {
		m.index = &dictIndex{slots: make([]int32, indexSize(n))}
	}
	for range n {
		d.skipSpace()
		k, err := d.key()
		if err != nil {
			return nil, err
		}
		d.skipSpace()
		d.off++ // :
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		m.Set(k, v)
		d.skipSpace()
		d.off++ // , or }
	}
	return m, nil
}

// rawString steps over the string at the offset and returns its contents
// as they are in the input, and whether they can be used unchanged (no
// escapes, valid UTF-8).
func (d *decoder) rawString() ([]byte, bool) {
	d.off++
	start := d.off
	ascii := true
	for {
		c := d.data[d.off]
		switch {
		case plain[c]:
			d.off++
			continue
		case c >= 0x80:
			ascii = false
			d.off++
			continue
		case c == '"':
			raw := d.data[start:d.off]
			d.off++
			return raw, ascii || utf8.Valid(raw)
		}
		// A backslash: find the closing quote, stepping over escapes.
		for d.data[d.off] != '"' {
			if d.data[d.off] == '\\' {
				d.off++
			}
			d.off++
		}
		raw := d.data[start:d.off]
		d.off++
		return raw, false
	}
}

// key reads an object key, sharing the string with earlier equal keys.
func (d *decoder) key() (string, error) {
	raw, ok := d.rawString()
	if !ok {
		return d.unquote(raw)
	}
	if len(raw) > internMax {
		if err := d.spend(allocSize(int64(len(raw)))); err != nil {
			return "", err
		}
		return string(raw), nil
	}
	h := internHash(raw)
	if s := d.keys[h]; s == string(raw) {
		return s, nil
	}
	if err := d.spend(allocSize(int64(len(raw)))); err != nil {
		return "", err
	}
	s := string(raw)
	d.keys[h] = s
	d.noteUsed(h)
	return s, nil
}

// stringValue reads a string value, sharing short ones with earlier equal
// values.
func (d *decoder) stringValue() (any, error) {
	raw, ok := d.rawString()
	switch {
	case len(raw) == 0:
		return "", nil // boxing "" allocates nothing
	case !ok:
		s, err := d.unquote(raw)
		if err != nil {
			return nil, err
		}
		if err := d.spend(costStr); err != nil {
			return nil, err
		}
		return s, nil
	case len(raw) > internMax:
		if err := d.spend(allocSize(int64(len(raw))) + costStr); err != nil {
			return nil, err
		}
		return string(raw), nil
	}
	h := internHash(raw)
	if v, ok := d.strs[h].(string); ok && v == string(raw) {
		return d.strs[h], nil
	}
	if err := d.spend(allocSize(int64(len(raw))) + costStr); err != nil {
		return nil, err
	}
	var v any = string(raw)
	d.strs[h] = v
	d.noteUsed(h)
	return v, nil
}

// noteUsed remembers that slot h of an intern table was filled.
func (d *decoder) noteUsed(h uint8) {
	if d.nUsed < len(d.used) {
		d.used[d.nUsed] = h
	}
	d.nUsed++
}

// internHash picks the intern table slot of a short string (FNV-1a).
func internHash(b []byte) uint8 {
	h := uint32(2166136261)
	for _, c := range b {
		h = (h ^ uint32(c)) * 16777619
	}
	return uint8(h ^ h>>8 ^ h>>16 ^ h>>24)
}

// unquote decodes the contents of a string with escapes or invalid UTF-8,
// as encoding/json does: invalid bytes and lone surrogates become U+FFFD.
func (d *decoder) unquote(raw []byte) (string, error) {
	// Each input byte yields at most three output bytes (an invalid byte
	// becomes U+FFFD); escapes yield fewer than they take.
	n := 0
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case c == '\\':
			r, size := escape(raw[i:])
			n += utf8.RuneLen(r)
			i += size
		case c < utf8.RuneSelf:
			n++
			i++
		default:
			r, size := utf8.DecodeRune(raw[i:])
			n += utf8.RuneLen(r)
			i += size
		}
	}
	if err := d.spend(allocSize(int64(n))); err != nil {
		return "", err
	}
	b := make([]byte, 0, n)
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case c == '\\':
			r, size := escape(raw[i:])
			b = utf8.AppendRune(b, r)
			i += size
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, size := utf8.DecodeRune(raw[i:])
			b = utf8.AppendRune(b, r)
			i += size
		}
	}
	return string(b), nil
}

// escape decodes the escape at the start of b (checked by the first pass)
// and returns the rune and the bytes it took. A \u escape of a high
// surrogate takes the low one that follows, if any; a lone surrogate is
// U+FFFD.
func escape(b []byte) (rune, int) {
	switch b[1] {
	case 'b':
		return '\b', 2
	case 'f':
		return '\f', 2
	case 'n':
		return '\n', 2
	case 'r':
		return '\r', 2
	case 't':
		return '\t', 2
	case 'u':
		r := hex4(b[2:6])
		if !utf16.IsSurrogate(r) {
			return r, 6
		}
		if len(b) >= 12 && b[6] == '\\' && b[7] == 'u' {
			if dec := utf16.DecodeRune(r, hex4(b[8:12])); dec != unicode.ReplacementChar {
				return dec, 12
			}
		}
		return unicode.ReplacementChar, 6
	}
	return rune(b[1]), 2 // " \ /
}

func hex4(b []byte) rune {
	var r rune
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		default:
			c = c - 'A' + 10
		}
		r = r<<4 | rune(c)
	}
	return r
}

// number reads a number: int64 when it is an integer that fits, float64
// otherwise.
func (d *decoder) number() (any, error) {
	start := d.off
	isInt := true
	for d.off < len(d.data) {
		c := d.data[d.off]
		if c >= '0' && c <= '9' || c == '-' {
			d.off++
			continue
		}
		if c == '.' || c == 'e' || c == 'E' || c == '+' {
			isInt = false
			d.off++
			continue
		}
		break
	}
	lit := d.data[start:d.off]
	if isInt && len(lit) <= 18 {
		// Up to 18 digits cannot overflow an int64.
		var n int64
		neg := lit[0] == '-'
		digits := lit
		if neg {
			digits = lit[1:]
		}
		for _, c := range digits {
			n = n*10 + int64(c-'0')
		}
		if neg {
			n = -n
		}
		if n < 0 || n > 255 { // smaller ones are boxed without allocating
			if err := d.spend(costBoxed); err != nil {
				return nil, err
			}
		}
		return n, nil
	}
	if err := d.spend(costBoxed + allocSize(int64(len(lit)))); err != nil {
		return nil, err
	}
	return Number(string(lit))
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
